// The network in v86: the NE2000 driven by the 8390 + ne2k-pci modules, the IPv4 stack and the
// tools, against v86's built-in router (net "fetch": ARP, ping, DHCP at 192.168.86.1).
//
//   - the reference session's sequence (ifconfig eth0 up, udhcpc, ifconfig eth0, route -n,
//     ping -c 3 192.168.86.1, /proc/net/dev) with Linux's and busybox's formats; every frame
//     the guest sends is checked on the wire (IP, ICMP and UDP checksums), because the router
//     accepts wrong ones;
//   - the modules: coldplug loaded them, 8390 is held by ne2k-pci, IRQ 10 is "eth0" while up,
//     rmmod ne2k-pci takes eth0 down and away, modprobe brings it back;
//   - a fuzzer: 10,000 malformed frames into the NIC; the kernel lives, the device counters
//     account for every frame the card took, and ping still works;
//   - unloading and reloading the driver under traffic leaks no kernel memory (/proc/slabinfo).
// One boot is shared through a snapshot taken at the prompt, once coldplug has loaded the driver.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { runAtFreshShell } from "./harness.js";
import { buildNetSystem, checkFrame, devCounters } from "./netsystem.js";

let machine: Machine;
let booted: ArrayBuffer;
const sent: Uint8Array[] = [];

beforeAll(async () => {
  const system = buildNetSystem();
  machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 printk.time=0 quiet", net: "fetch" });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  // Coldplug runs beside /etc/rc: wait until it has loaded the driver, then take the snapshot.
  machine.write("sleep 1; lsmod | grep -c '^ne2k_pci'\n");
  await machine.waitFor(/^1\r?\n# $/m, { timeoutMs: 30_000 });
  booted = await machine.saveState();
  machine.onFrameSent((frame) => sent.push(frame.slice()));
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  sent.length = 0;
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

/** Types commands at the current shell (no restore); output up to "rc=N". */
async function more(commands: string, timeoutMs = 60_000): Promise<string> {
  const start = machine.output.length;
  machine.write(commands + "; echo rc=$?\n");
  await machine.waitFor(/rc=\d+\r?\n# $/, { timeoutMs, from: start });
  const out = machine.output.slice(start).replace(/\r\n/g, "\n");
  return out.slice(out.indexOf("\n") + 1).replace(/# $/, "");
}

function expectGoodFrames(frames: Uint8Array[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const frame of frames) {
    const { error, kind } = checkFrame(frame);
    if (error) throw new Error(`bad frame from the guest (${error}): ${Buffer.from(frame).toString("hex")}`);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

describe("the reference session against v86's router", () => {
  test("ifconfig eth0 up, udhcpc, ifconfig eth0, route -n, ping -c 3 192.168.86.1, /proc/net/dev", async () => {
    const out = await run([
      "cat /proc/net/dev", "ifconfig eth0 up; echo up=$?", "udhcpc -i eth0 -n -q -t 5 -T 2; echo dhcp=$?", "ifconfig eth0", "route -n",
      "ping -c 3 192.168.86.1; echo ping=$?", "cat /proc/net/dev",
    ].join("; "), 90_000);
    const [before, after] = out.split("Inter-|").slice(1).map((s) => "Inter-|" + s);
    expect(before).toMatch(/^Inter-\|   Receive                                                \|  Transmit\n face \|bytes    packets errs drop fifo frame compressed multicast\|bytes    packets errs drop fifo colls carrier compressed\n    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n  eth0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n/);
    expect(out).toContain("up=0\nudhcpc: started, v0.1.0\nudhcpc: broadcasting discover\n" +
      "udhcpc: broadcasting select for 192.168.86.100, server 192.168.86.1\n" +
      "udhcpc: lease of 192.168.86.100 obtained from 192.168.86.1, lease time 134217728\n" +
      "udhcpc: bound ip=192.168.86.100 router=192.168.86.1 dns=192.168.86.1\ndhcp=0\n");
    expect(out).toMatch(new RegExp(
      "eth0      Link encap:Ethernet  HWaddr 00:22:15(:[0-9A-F]{2}){3}  \n" +
      "          inet addr:192\\.168\\.86\\.100  Bcast:192\\.168\\.86\\.255  Mask:255\\.255\\.255\\.0\n" +
      "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n" +
      "          RX packets:2 errors:0 dropped:0 overruns:0 frame:0\n" +
      "          TX packets:2 errors:0 dropped:0 overruns:0 carrier:0\n" +
      "          collisions:0 txqueuelen:1000 \n" +
      "          RX bytes:638 \\(638\\.0 B\\)  TX bytes:\\d+ \\(\\d+\\.\\d [KM]?i?B\\)\n" +
      "          Interrupt:10 Base address:0x300 \n\n"));
    expect(out).toContain("Kernel IP routing table\n" +
      "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n" +
      "0.0.0.0         192.168.86.1    0.0.0.0         UG    0      0        0 eth0\n" +
      "192.168.86.0    0.0.0.0         255.255.255.0   U     0      0        0 eth0\n");
    expect(out).toMatch(new RegExp("PING 192\\.168\\.86\\.1 \\(192\\.168\\.86\\.1\\): 56 data bytes\n" +
      "64 bytes from 192\\.168\\.86\\.1: seq=0 ttl=32 time=\\d+\\.\\d{3} ms\n" +
      "64 bytes from 192\\.168\\.86\\.1: seq=1 ttl=32 time=\\d+\\.\\d{3} ms\n" +
      "64 bytes from 192\\.168\\.86\\.1: seq=2 ttl=32 time=\\d+\\.\\d{3} ms\n\n" +
      "--- 192\\.168\\.86\\.1 ping statistics ---\n" +
      "3 packets transmitted, 3 packets received, 0% packet loss\n" +
      "round-trip min/avg/max = \\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms\nping=0\n"));
    // eth0's counters moved: 2 DHCP replies, 1 ARP reply (padded to 60), 3 echo replies of 98.
    const rx = devCounters(after, "eth0");
    expect(rx[1]).toBe(6);
    expect(rx[0]).toBe(638 + 60 + 3 * 98);
    expect(rx[9]).toBe(6); // DISCOVER, REQUEST, ARP request, 3 echo requests
    expect(rx.slice(2, 8).concat(rx.slice(10))).toEqual(new Array(12).fill(0));
    // What went on the wire: as many frames as counted, each with correct checksums.
    expect(sent.length).toBe(6);
    const kinds = expectGoodFrames(sent);
    expect(kinds).toEqual({ udp: 2, arp: 1, icmp8: 3 });
    expect(rx[8]).toBe(sent.reduce((n, f) => n + Math.max(60, f.length), 0));
  }, 120_000);

  test("ping: unreachable, no reply (-W), a bad address; UDP to the router's echo port with nc", async () => {
    const out = await run([
      "ping -c 1 192.168.86.1; echo ping=$?", "udhcpc -q -n > /dev/null", "ping -c 2 -W 1 192.168.86.200; echo ping=$?", "ping nosuchhost; echo ping=$?",
      "echo hello router | nc -u 192.168.86.1 8", "arp", "ping -c 2 -s 1000 -i 0.2 -q 10.0.2.2; echo ping=$?",
      "grep -c '^af_packet 4096 0 ' /proc/modules; rmmod af_packet; echo rmmod=$?",
    ].join("; "), 90_000);
    // udhcpc's socket(AF_PACKET) made the kernel ask for net-pf-17: af_packet came in, unused now.
    expect(out).toMatch(/\n1\nrmmod=0\nrc=0\n$/);
    expect(out).toMatch(/^PING 192\.168\.86\.1 \(192\.168\.86\.1\): 56 data bytes\nping: sendto: Network is unreachable\nping=1\n/);
    expect(out).toContain("PING 192.168.86.200 (192.168.86.200): 56 data bytes\n\n--- 192.168.86.200 ping statistics ---\n" +
      "2 packets transmitted, 0 packets received, 100% packet loss\nping=1\n");
    expect(out).toContain("ping: bad address 'nosuchhost'\nping=1\n");
    expect(out).toContain("hello router\n? (192.168.86.1) at 52:54:00:01:02:03 [ether]  on eth0\n");
    expect(out).toMatch(/PING 10\.0\.2\.2 \(10\.0\.2\.2\): 1000 data bytes\n\n--- 10\.0\.2\.2 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = [\d.\/]+ ms\nping=0\n/);
    expectGoodFrames(sent);
  }, 120_000);
});

describe("the loopback interface", () => {
  test("lo: ping 127.0.0.1, UDP through nc, netstat and /proc/net/udp", async () => {
    const out = await run([
      "ifconfig lo 127.0.0.1 up", "sh -c 'nc -u -l -p 9000 > /tmp/got &'", "sleep 1", "netstat -a -n -u", "echo via lo | nc -u 127.0.0.1 9000",
      "sleep 1", "cat /tmp/got", "ping -c 1 127.0.0.1", "cat /proc/net/dev",
    ].join("; "));
    expect(out).toContain("Active Internet connections (servers and established)\n" +
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       \n" +
      "udp        0      0 0.0.0.0:9000            0.0.0.0:*                           \n");
    expect(out).toContain("via lo\nPING 127.0.0.1 (127.0.0.1): 56 data bytes\n64 bytes from 127.0.0.1: seq=0 ttl=64 time=");
    expect(out).toContain("1 packets transmitted, 1 packets received, 0% packet loss\n");
    // lo counts what it carried both ways: one UDP datagram (14 + 20 + 8 + 7) and the echo
    // request and reply (14 + 84 each).
    const lo = devCounters(out, "lo");
    expect([lo[0], lo[1], lo[8], lo[9]]).toEqual([49 + 2 * 98, 3, 49 + 2 * 98, 3]);
    expect(sent.length).toBe(0); // nothing left by eth0
  }, 60_000);
});

describe("socketcall(102)", () => {
  test("the multiplexer reaches the same calls: UDP to itself over lo; bad calls are errors", async () => {
    const out = await run("ifconfig lo 127.0.0.1 up; sockcall");
    expect(out).toBe("socket 0\nbind 0\ngetsockname 0 127.0.0.1:7777\nsendto 4\nrecvfrom 4 helo from 127.0.0.1\n" +
      "bad call -22\nbad args -14\nnot a socket -88\nno family -97\nrc=0\n");
  }, 60_000);
});

describe("the driver modules", () => {
  test("coldplug loaded ne2k-pci and 8390; 8390 is held; IRQ 10 is eth0 while up; rmmod takes eth0 away", async () => {
    const out = await run([
      "lsmod", "dmesg | grep -c 'ne2k-pci 0000:00:05.0 eth0: RealTek RTL-8029(AS) found at 0x300, IRQ 10, 00:22:15:'",
      "cat /proc/driver/ne2k-pci", "rmmod 8390; echo rmmod=$?", "grep -c eth0 /proc/interrupts", "ifconfig eth0 up", "grep eth0 /proc/interrupts",
      "cat /proc/driver/ne2k-pci", "rmmod ne2k-pci; echo rmmod=$?", "grep -c eth0 /proc/net/dev; grep -c eth0 /proc/interrupts", "ls /proc/driver",
      "modprobe ne2k-pci; echo modprobe=$?", "grep -c eth0 /proc/net/dev", "lsmod",
    ].join("; "));
    expect(out).toMatch(/^Module                  Size  Used by    Not tainted\n(.*\n)*ne2k_pci +\d+  0 \n8390 +\d+  1 ne2k_pci\n1\n/);
    expect(out).toMatch(/eth0: RealTek RTL-8029\(AS\) at 0x300, IRQ 10, 00:22:15:[0-9a-f:]{8}, down\n/);
    expect(out).toContain("rmmod: can't unload module '8390': Resource temporarily unavailable\nrmmod=1\n0\n");
    expect(out).toMatch(/ 10: +\d+    XT-PIC      eth0\n/);
    expect(out).toMatch(/, up\nrmmod=0\n0\n0\n/);
    expect(out).toMatch(/modprobe=0\n1\n/);
  }, 120_000);

  test("unloading and reloading the driver with traffic running leaks no kernel memory", async () => {
    // The pings run in the background of a shell that exits at once, so init reaps them (this
    // shell does not reap its own background jobs: their zombies would hold memory).
    const cycle = "sh -c 'ping -c 200 -i 0.02 -w 2 -q 192.168.86.1 > /dev/null 2>/dev/null &'; sleep 1; rmmod ne2k-pci; rmmod 8390; modprobe ne2k-pci; udhcpc -q -n > /dev/null; ping -c 5 -A -q 192.168.86.1 > /dev/null; echo ping=$?; sleep 1";
    // Measured once the background ping is over: it dies at the rmmod (ENETUNREACH) or, if it
    // did not send while eth0 was away, at its 2 s deadline (-w 2); and init has reaped it.
    const measure = "sleep 2; ps | grep -c 'pin[g] -c'; grep kmalloc /proc/slabinfo";
    const out = await run(["udhcpc -q -n > /dev/null", cycle, measure, cycle, cycle, cycle, measure].join("; "), 120_000);
    expect(out.match(/ping=0\n0\nkmalloc/g)?.length).toBe(2);
    expect(out.match(/ping=0\n/g)?.length).toBe(4);
    const slabs = [...out.matchAll(/^kmalloc +(\d+) +(\d+) +(\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(slabs.length).toBe(2);
    expect(slabs[1]).toEqual(slabs[0]);
    expectGoodFrames(sent);
  }, 180_000);
});

// ---- the fuzzer -------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fuzz {
  mac: number[];
  rand: () => number;
}

function int(f: Fuzz, n: number): number {
  return Math.floor(f.rand() * n);
}

function bytes(f: Fuzz, n: number): number[] {
  return Array.from({ length: n }, () => int(f, 256));
}

function sum16(data: number[], start = 0): number {
  let s = start;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i] << 8) | data[i + 1];
  if (data.length & 1) s += data[data.length - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

const OUR_IP = [192, 168, 86, 100];

function ether(f: Fuzz, type: number, payload: number[]): number[] {
  const dst = int(f, 4) === 0 ? [255, 255, 255, 255, 255, 255] : f.mac;
  const src = [0x02, ...bytes(f, 5)];
  return [...dst, ...src, type >> 8, type & 255, ...payload];
}

function ipv4(f: Fuzz, proto: number, payload: number[], corrupt: boolean): number[] {
  const total = 20 + payload.length;
  const src = int(f, 2) ? [192, 168, 86, 1 + int(f, 99)] : bytes(f, 4);
  const dst = [OUR_IP, [255, 255, 255, 255], [192, 168, 86, 255], bytes(f, 4)][int(f, 4)];
  const h = [0x45, 0, total >> 8, total & 255, ...bytes(f, 2), int(f, 8) === 0 ? 0x20 | int(f, 32) : 0x40, 0, 1 + int(f, 255), proto, 0, 0, ...src, ...dst];
  const c = sum16(h);
  h[10] = c >> 8;
  h[11] = c & 255;
  if (corrupt) {
    const k = int(f, 6);
    if (k === 0) h[10] ^= 1 + int(f, 255); // bad checksum
    else if (k === 1) h[0] = (int(f, 16) << 4) | 5; // bad version
    else if (k === 2) h[0] = 0x40 | int(f, 5); // IHL < 5
    else if (k === 3) h[0] = 0x4f; // IHL beyond the packet
    else if (k === 4) { h[2] = 0xff; h[3] = int(f, 256); } // total length past the frame
    else { h[2] = 0; h[3] = int(f, 20); } // total length shorter than the header
  }
  return [...h, ...payload];
}

function icmp(f: Fuzz, corrupt: boolean): number[] {
  const type = [8, 0, 3, 11, 5, int(f, 256)][int(f, 6)];
  const m = [type, int(f, 16), 0, 0, ...bytes(f, 4 + int(f, 64))];
  const c = sum16(m);
  m[2] = c >> 8;
  m[3] = c & 255;
  if (corrupt) m[2] ^= 0x5a;
  return int(f, 8) === 0 ? m.slice(0, int(f, 8)) : m;
}

function udp(f: Fuzz, corrupt: boolean, dhcp: boolean): number[] {
  const data = dhcp ? [2, 1, 6, 0, ...bytes(f, 236), 99, 130, 83, 99, ...bytes(f, int(f, 60))] : bytes(f, int(f, 100));
  const len = 8 + data.length;
  const u = [...(dhcp ? [0, 67, 0, 68] : bytes(f, 4)), len >> 8, len & 255, 0, 0, ...data];
  if (corrupt) {
    if (int(f, 2)) { u[6] = 0x12; u[7] = 0x34; } // a wrong checksum
    else { u[4] = 0xff; u[5] = 0xff; } // a length beyond the datagram
  }
  return int(f, 10) === 0 ? u.slice(0, int(f, 8)) : u;
}

function arp(f: Fuzz): number[] {
  const a = [0, 1, 8, 0, 6, 4, 0, 1 + int(f, 2), 0x02, ...bytes(f, 5), 192, 168, 86, 1 + int(f, 99), 0, 0, 0, 0, 0, 0, ...OUR_IP];
  const k = int(f, 6);
  if (k === 0) a[int(f, 8)] = int(f, 256); // htype/ptype/hlen/plen/op garbage
  else if (k === 1) a[8] = 0xff; // a broadcast sender MAC
  else if (k === 2) return a.slice(0, int(f, 28)); // truncated
  else if (k === 3) a.splice(14, 4, 0, 0, 0, 0); // sender 0.0.0.0
  return a;
}

/** One malformed (or unusual) frame. */
function fuzzFrame(f: Fuzz): Uint8Array {
  const k = int(f, 10);
  let frame: number[];
  if (k === 0) frame = [...f.mac, ...bytes(f, int(f, 60))]; // short: under 60 bytes, the card pads it
  else if (k === 1) frame = ether(f, 0x0800, bytes(f, 1505 + int(f, 1500))); // oversized
  else if (k === 2) frame = ether(f, 0x0800, ipv4(f, [1, 17, 6, int(f, 256)][int(f, 4)], icmp(f, false), true)); // bad IP headers
  else if (k === 3) frame = ether(f, 0x0800, ipv4(f, 1, icmp(f, int(f, 2) === 0), false)); // ICMP
  else if (k === 4) frame = ether(f, 0x0800, ipv4(f, 17, udp(f, int(f, 2) === 0, false), false)); // UDP
  else if (k === 5) frame = ether(f, 0x0800, ipv4(f, 17, udp(f, int(f, 3) === 0, true), false)); // DHCP garbage
  else if (k === 6) frame = ether(f, 0x0800, ipv4(f, [6, 47, 50, 255][int(f, 4)], bytes(f, int(f, 80)), false)); // unknown protocols
  else if (k === 7) frame = ether(f, 0x0806, arp(f)); // ARP garbage
  else if (k === 8) frame = ether(f, [0x86dd, 0x8100, 0x88cc, int(f, 65536)][int(f, 4)], bytes(f, int(f, 200))); // other EtherTypes
  else frame = ether(f, 0x0800, bytes(f, int(f, 40))); // truncated IP
  return Uint8Array.from(frame);
}

interface V86Ne2k { curpg: number; boundary: number; pstart: number; pstop: number; cr: number }
function ne2kOf(m: Machine): V86Ne2k {
  return (m as unknown as { emulator: { v86: { cpu: { devices: { net: V86Ne2k } } } } }).emulator.v86.cpu.devices.net;
}
function ringEmpty(n: V86Ne2k): boolean {
  const next = n.boundary + 1 >= n.pstop ? n.pstart : n.boundary + 1;
  return next === n.curpg;
}

describe("a fuzzer on the receive path", () => {
  test("10,000 malformed frames: the kernel survives, the counters add up, ping still works", async () => {
    const start = await run("udhcpc -q -n > /dev/null; ping -c 1 -q 192.168.86.1 > /dev/null; cat /proc/net/dev; ifconfig eth0 | head -1; grep kmalloc /proc/slabinfo");
    const before = devCounters(start, "eth0");
    const mac = start.match(/HWaddr ([0-9A-F:]{17})/)![1].split(":").map((h) => parseInt(h, 16));
    const f: Fuzz = { mac, rand: prng(0x10c0) };
    const emulator = (machine as unknown as { emulator: { add_listener(e: string, fn: (a: unknown) => void): void; remove_listener(e: string, fn: (a: unknown) => void): void } }).emulator;
    let cardSaw = 0; // every frame that reached the card while it was running, router's included
    const onReceive = (): void => { cardSaw++; };
    emulator.add_listener("eth-receive-end", onReceive);
    const ne2k = ne2kOf(machine);
    let filtered = 0; // frames of ours the card does not accept (not for our MAC, not broadcast)
    const FRAMES = 10_000;
    let pages = 0;
    for (let i = 0; i < FRAMES; i++) {
      const frame = fuzzFrame(f);
      const broadcast = frame.length >= 6 && frame.subarray(0, 6).every((b) => b === 255);
      const forUs = frame.length >= 6 && mac.every((b, j) => frame[j] === b);
      if (!broadcast && !forUs) filtered++;
      pages += Math.ceil((Math.max(60, frame.length) + 4) / 256) + 1;
      if (pages > 30) { // let the guest empty the ring before it could overflow
        for (let spins = 0; !ringEmpty(ne2k) && spins < 20_000; spins++) await new Promise((r) => setTimeout(r, 1));
        pages = 0;
      }
      machine.injectFrame(frame);
    }
    for (let spins = 0; !ringEmpty(ne2k) && spins < 20_000; spins++) await new Promise((r) => setTimeout(r, 1));
    const counted = await more("cat /proc/net/dev; grep kmalloc /proc/slabinfo; cat /proc/net/snmp");
    emulator.remove_listener("eth-receive-end", onReceive);
    const end = counted + await more("ping -c 3 192.168.86.1; echo ping=$?");
    const after = devCounters(end, "eth0");
    const taken = cardSaw - filtered;
    // Every frame the card stored was either handed to the stack (packets) or counted as an error.
    expect((after[1] - before[1]) + (after[2] - before[2]) + (after[3] - before[3])).toBe(taken);
    expect(after[2] - before[2]).toBeGreaterThan(500); // oversized frames: length errors
    expect(taken).toBeGreaterThan(FRAMES * 0.9);
    expect(end).toContain("3 packets transmitted, 3 packets received, 0% packet loss\n");
    expect(end).toContain("ping=0\n");
    const slabs = [...(start + end).matchAll(/^kmalloc +(\d+) +(\d+)/gm)].map((m) => Number(m[1]));
    expect(slabs[1]).toBe(slabs[0]); // no buffer left behind
    expectGoodFrames(sent); // the guest's answers (ICMP errors, echo replies, ARP) are well formed
  }, 300_000);
});
