// Two Lokum machines on one wire, in Node: what A's NE2000 sends is handed to B's, and back
// (v86's net0-send → the other machine's net0-receive; no router, no DHCP: static addresses).
// A pings B, and UDP goes both ways with nc. Every frame on the wire has correct checksums.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { buildNetSystem, checkFrame } from "./netsystem.js";

let a: Machine;
let b: Machine;
const wire: Uint8Array[] = [];

async function boot(m: Machine): Promise<void> {
  await m.start();
  await m.waitFor(/# $/, { timeoutMs: 60_000 });
  await sh(m, "sleep 1; lsmod | grep -c '^ne2k_pci'");
}

/** Types commands at m's shell; the output up to "rc=N". */
async function sh(m: Machine, commands: string, timeoutMs = 60_000): Promise<string> {
  const start = m.output.length;
  m.write(commands + "; echo rc=$?\n");
  await m.waitFor(/rc=\d+\r?\n# $/, { timeoutMs, from: start });
  const out = m.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}

beforeAll(async () => {
  const system = buildNetSystem();
  const options = { kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 printk.time=0 quiet", net: "none" as const };
  a = createNodeMachine(options);
  b = createNodeMachine(options);
  await Promise.all([boot(a), boot(b)]);
  a.onFrameSent((frame) => {
    wire.push(frame.slice());
    b.injectFrame(frame.slice());
  });
  b.onFrameSent((frame) => {
    wire.push(frame.slice());
    a.injectFrame(frame.slice());
  });
  await sh(a, "ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up");
  await sh(b, "ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up");
}, 300_000);

afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()]);
});

describe("two machines on one wire", () => {
  test("A pings B", async () => {
    const out = await sh(a, "ping -c 3 10.0.0.2; arp");
    expect(out).toMatch(new RegExp("^PING 10\\.0\\.0\\.2 \\(10\\.0\\.0\\.2\\): 56 data bytes\n" +
      "(64 bytes from 10\\.0\\.0\\.2: seq=\\d ttl=64 time=\\d+\\.\\d{3} ms\n){3}\n" +
      "--- 10\\.0\\.0\\.2 ping statistics ---\n3 packets transmitted, 3 packets received, 0% packet loss\n" +
      "round-trip min/avg/max = [\\d./]+ ms\n\\? \\(10\\.0\\.0\\.2\\) at 00:22:15:[0-9a-f:]{8} \\[ether\\]  on eth0\nrc=0\n$"));
    // B learnt A's address from A's request, and answered every echo.
    expect(await sh(b, "arp; grep -c . /proc/net/arp")).toMatch(/^\? \(10\.0\.0\.1\) at 00:22:15:[0-9a-f:]{8} \[ether\]  on eth0\n2\nrc=0\n$/);
  }, 60_000);

  test("UDP from A to B and from B to A", async () => {
    await sh(b, "sh -c 'nc -u -l -p 9000 > /tmp/got &'");
    expect(await sh(a, "echo hello from A | nc -u 10.0.0.2 9000; echo nc=$?")).toBe("nc=0\nrc=0\n");
    expect(await sh(b, "sleep 1; cat /tmp/got")).toBe("hello from A\nrc=0\n");
    await sh(a, "sh -c 'nc -u -l -p 9001 > /tmp/got &'");
    expect(await sh(b, "echo and hello from B | nc -u 10.0.0.1 9001; echo nc=$?")).toBe("nc=0\nrc=0\n");
    expect(await sh(a, "sleep 1; cat /tmp/got")).toBe("and hello from B\nrc=0\n");
    // A port nobody listens on: B answers with an ICMP port unreachable (no error for an
    // unconnected sender, as in Linux), counted in B's Udp NoPorts.
    await sh(a, "echo nobody | nc -u 10.0.0.2 9999");
    expect(await sh(b, "grep 'Udp: [0-9]' /proc/net/snmp")).toMatch(/^Udp: 1 1 0 1 /) // in: 1 delivered, 1 to no port; out: the one B sent;
  }, 60_000);

  test("every frame on the wire is well formed", () => {
    expect(wire.length).toBeGreaterThan(10);
    for (const frame of wire) expect(checkFrame(frame).error).toBeNull();
  });
});

// The same through v86's "inbrowser" network: a BroadcastChannel hub that every machine of the
// process (or of a browser's tabs) shares — what two tabs of the lab would use. Node 20 has
// BroadcastChannel, so two machines in this process meet on it.
describe("two machines on v86's inbrowser hub", () => {
  test("C pings D with static addresses, and UDP goes from D to C", async () => {
    const system = buildNetSystem();
    const options = { kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 printk.time=0 quiet", net: "inbrowser" as const };
    const c = createNodeMachine(options);
    const d = createNodeMachine(options);
    try {
      await Promise.all([boot(c), boot(d)]);
      await sh(c, "ifconfig eth0 10.1.0.1 up");
      await sh(d, "ifconfig eth0 10.1.0.2 up");
      expect(await sh(c, "ping -c 2 10.1.0.2")).toContain("2 packets transmitted, 2 packets received, 0% packet loss\n");
      await sh(c, "sh -c 'nc -u -l -p 9002 > /tmp/got &'");
      await sh(d, "echo over the hub | nc -u 10.1.0.1 9002");
      expect(await sh(c, "sleep 1; cat /tmp/got")).toBe("over the hub\nrc=0\n");
    } finally {
      await Promise.all([c.destroy(), d.destroy()]);
    }
  }, 300_000);
});
