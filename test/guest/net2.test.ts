// Two Lokum machines on one wire, in Node: what A's NE2000 sends is handed to B's, and back
// (v86's net0-send → the other machine's net0-receive; no router, no DHCP: static addresses).
// A pings B, UDP and TCP go both ways with nc (TCP: 300 KB each way, md5 compared), a connect
// to a machine that has gone silent times out. Every frame on the wire has correct checksums.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { buildNetSystem, checkFrame } from "./netsystem.js";

let a: Machine;
let b: Machine;
const wire: Uint8Array[] = [];
let cut = false; // frames from A are lost

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
    if (!cut) b.injectFrame(frame.slice());
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

  test("TCP from A to B and from B to A: nc -l and nc, 300 KB each way, md5 equal", async () => {
    const make = "dd if=/dev/urandom of=/tmp/data bs=1024 count=300 2>/dev/null; md5sum /tmp/data";
    const aSum = (await sh(a, make)).slice(0, 32);
    const bSum = (await sh(b, make)).slice(0, 32);
    expect(aSum).not.toBe(bSum);
    await sh(b, "sh -c 'sleep 60 | nc -l -p 5000 > /tmp/got &'");
    expect(await sh(a, "nc 10.0.0.2 5000 < /tmp/data; echo nc=$?", 120_000)).toBe("nc=0\nrc=0\n");
    expect(await sh(b, "sleep 1; md5sum < /tmp/got")).toBe(`${aSum}  -\nrc=0\n`);
    await sh(a, "sh -c 'sleep 60 | nc -l -p 5001 > /tmp/got &'");
    expect(await sh(b, "nc 10.0.0.1 5001 < /tmp/data; echo nc=$?", 120_000)).toBe("nc=0\nrc=0\n");
    expect(await sh(a, "sleep 1; md5sum < /tmp/got; grep 'Tcp: 1' /proc/net/snmp")).toMatch(new RegExp(`^${bSum}  -\nTcp: 1 200 120000 -1 1 1 0 0 0 \\d+ \\d+ \\d+ 0 0 0\nrc=0\n$`));
    // A port nobody listens on: B answers the SYN with a RST.
    expect(await sh(a, "echo x | nc 10.0.0.2 5999; echo nc=$?")).toBe("nc: can't connect to remote host (10.0.0.2): Connection refused\nnc=1\nrc=0\n");
  }, 240_000);

  test("a connect to a machine that does not answer: SYN resent 3 times, then ETIMEDOUT", async () => {
    // A fresh ARP entry for B first, so that the SYNs themselves go out on the wire.
    await sh(a, "echo 1 > /proc/sys/net/ipv4/neigh/default/gc_stale_time; sleep 2; ping -c 1 -q 10.0.0.2 > /dev/null; echo 60 > /proc/sys/net/ipv4/neigh/default/gc_stale_time");
    cut = true;
    try {
      const start = wire.length;
      const out = await sh(a, "nc 10.0.0.2 5000; echo nc=$?; grep 'Tcp: 1' /proc/net/snmp", 60_000);
      expect(out).toMatch(/^nc: can't connect to remote host \(10\.0\.0\.2\): Connection timed out\nnc=1\nTcp: 1 200 120000 -1 3 1 2 0 0 \d+ \d+ [1-9]\d* /);
      const syns = wire.slice(start).filter((f) => f[23] === 6 && (f[47] & 0x12) === 0x02);
      expect(syns.length).toBe(4); // the first and three retransmissions, 1, 2, 4 and 8 s apart
    } finally {
      cut = false;
    }
  }, 90_000);

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
