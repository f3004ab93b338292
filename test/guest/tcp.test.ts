// TCP in v86, against v86's router (net "fetch"), which answers TCP to port 80 only: it fetch()es
// the request from the host, where `N.external` is localhost:N — here an HTTP server this test
// starts — and sends the answer one segment per ACK. Other ports get a RST.
//
//   - wget of a 1 MiB file: busybox's messages, the md5 of what arrived; -O - and -q; every TCP
//     frame the guest sends has correct IP and TCP checksums (the router does not check them);
//   - errors: a refused connection (port 81), a 404;
//   - TCP's errno values and edge cases over lo (test/guest/programs/tcperr.ts), netstat -t and
//     /proc/net/tcp with a connection open;
//   - a fuzzer of malformed TCP (bad flags, checksums and data offsets, RSTs, a SYN flood on a
//     listening port): the kernel counts what it drops and a wget afterwards still works;
//   - ARP entries age out (gc_stale_time) and are resolved again.
// One boot, with eth0 configured by DHCP, is shared through a snapshot.

import { createHash, randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { runAtFreshShell } from "./harness.js";
import { buildNetSystem, checkFrame } from "./netsystem.js";

let machine: Machine;
let booted: ArrayBuffer;
let server: Server;
let port = 0;
const sent: Uint8Array[] = [];
const big = randomBytes(1 << 20);
const bigMd5 = createHash("md5").update(big).digest("hex");

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/big.bin") {
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      res.end(big);
    } else {
      res.writeHead(404, "Not Found");
      res.end("no such file\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const system = buildNetSystem();
  machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet", net: "fetch" });
  await machine.start();
  await machine.waitFor(/# $/, { timeoutMs: 60_000 });
  machine.write("sleep 1; lsmod | grep -c '^ne2k_pci'; ifconfig lo 127.0.0.1 up; ifconfig eth0 up; udhcpc -i eth0 -n -q > /dev/null; echo up=$?\n");
  await machine.waitFor(/up=0\r?\n# $/, { timeoutMs: 60_000 });
  booted = await machine.saveState();
  machine.onFrameSent((frame) => sent.push(frame.slice()));
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  sent.length = 0;
  return runAtFreshShell(machine, booted, commands, timeoutMs);
}

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

describe("HTTP through v86's router", () => {
  test("wget of 1 MiB: busybox's messages, the file byte for byte, good checksums on every frame", async () => {
    const out = await run(`wget http://${port}.external/big.bin 2>/tmp/err; echo wget=$?; cat /tmp/err; md5sum big.bin; ls -l big.bin; ` +
      `wget -q -O - http://${port}.external/big.bin | md5sum`, 120_000);
    expect(out).toMatch(new RegExp(`^wget=0\nConnecting to ${port}\\.external \\(192\\.168\\.87\\.1:80\\)\nsaving to 'big\\.bin'\n` +
      "(big\\.bin {13} +\\d+k --:--:-- ETA\n)*" + // an update a second while the size is unknown
      "big\\.bin {14}100% \\|\\*{32}\\| 1024k  0:00:00 ETA\n'big\\.bin' saved\n"));
    expect(out).toContain(`${bigMd5}  big.bin\n`);
    expect(out).toMatch(/ 1048576 .* big\.bin\n/);
    expect(out).toContain(`${bigMd5}  -\nrc=0\n`); // -q prints nothing, -O - writes the body
    const kinds = expectGoodFrames(sent);
    expect(kinds.tcp).toBeGreaterThan(2 * 720); // at least an ACK per 1460-byte segment, twice
  }, 180_000);

  test("a refused connection and a 404: busybox's messages, exit 1, no file", async () => {
    const out = await run(`wget http://192.168.86.1:81/x; echo wget=$?; wget http://${port}.external/nope; echo wget=$?; ls nope; ` +
      "grep 'Tcp: 1' /proc/net/snmp");
    expect(out).toContain("Connecting to 192.168.86.1:81 (192.168.86.1:81)\nwget: can't connect to remote host (192.168.86.1): Connection refused\nwget=1\n");
    expect(out).toContain(`Connecting to ${port}.external (192.168.87.1:80)\nwget: server returned error: HTTP/1.1 404 Not Found\nwget=1\n`);
    expect(out).toContain("ls: nope: No such file or directory\n");
    // Tcp: 1 200 120000 -1 ActiveOpens=2 PassiveOpens=0 AttemptFails=1 EstabResets=0 …
    expect(out).toMatch(/Tcp: 1 200 120000 -1 2 0 1 0 /);
    expectGoodFrames(sent);
  }, 60_000);
});

describe("TCP over lo", () => {
  test("errno values: ECONNREFUSED, EADDRINUSE, ENOTCONN, EPIPE with SIGPIPE, ECONNRESET; shutdown; socketcall", async () => {
    const out = await run("tcperr");
    expect(out).toBe([
      "refused -111", "bind 0", "inuse -98", "recv unconnected -107", "send unconnected -32 sigpipe 1", "listen 0", "connect 0",
      "accept 0 from 127.0.0.1", "getsockname 0 127.0.0.1:7001", "getpeername 0 127.0.0.1:7001", "send 5", "shutdown 0", "recv 5 hello",
      "recv at end 0", "send after shutdown -32 sigpipe 2", "send back 3", "recv back 3", "close unread 0", "recv reset -104",
      "send reset -32 sigpipe 3", "socketcall listen 0", "socketcall accept 0", "rc=0", "",
    ].join("\n"));
  }, 60_000);

  test("nc both ways, netstat -t and /proc/net/tcp with a connection open", async () => {
    const out = await run([
      "sh -c 'sleep 30 | nc -l -p 6000 > /tmp/got &'", "sleep 1", "netstat -l -n -t", "sh -c 'sleep 3 | nc 127.0.0.1 6000 &'", "sleep 1", "netstat -n -t",
      "cat /proc/net/tcp", "sleep 3", "netstat -a -n -t", "dd if=/dev/urandom of=/tmp/data bs=1024 count=200 2>/dev/null",
      "sh -c 'sleep 30 | nc -l -p 6001 > /tmp/got &'", "sleep 1", "nc 127.0.0.1 6001 < /tmp/data; echo nc=$?", "sleep 1", "md5sum /tmp/data /tmp/got",
    ].join("; "), 60_000);
    expect(out).toContain("Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       \n" +
      "tcp        0      0 0.0.0.0:6000            0.0.0.0:*               LISTEN      \n");
    expect(out).toMatch(/Active Internet connections \(w\/o servers\)\nProto Recv-Q Send-Q Local Address {11}Foreign Address {9}State {7}\n(tcp +0 +0 127\.0\.0\.1:(6000|\d{5}) +127\.0\.0\.1:(6000|\d{5}) +ESTABLISHED +\n){2}/);
    // Linux's /proc/net/tcp: header and lines padded to 149 characters, state 01 established.
    const lines = out.split("\n").filter((l) => /^ {2}sl|^ +\d+: [0-9A-F]{8}:/.test(l));
    expect(lines[0]).toMatch(/^ {2}sl {2}local_address rem_address {3}st tx_queue rx_queue tr tm->when retrnsmt {3}uid {2}timeout inode +$/);
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l.length).toBe(149);
    expect(lines[1]).toMatch(/^ {3}0: 0100007F:[0-9A-F]{4} 0100007F:[0-9A-F]{4} 01 00000000:00000000 0[01]:[0-9A-F]{8} 00000000 +0 +0 \d+ 1 [0-9A-F]{8} \d+ 4 0 10 -1 +$/);
    // After the client's stdin ended both sides closed: the client, which closed first, waits in TIME_WAIT.
    expect(out).toMatch(/tcp +0 +0 127\.0\.0\.1:\d{5} +127\.0\.0\.1:6000 +TIME_WAIT +\n/);
    expect(out).toContain("nc=0\n");
    const sums = [...out.matchAll(/^([0-9a-f]{32})  \/tmp\/(data|got)$/gm)].map((m) => m[1]);
    expect(sums.length).toBe(2);
    expect(sums[1]).toBe(sums[0]);
  }, 60_000);
});

// ---- malformed TCP ------------------------------------------------------------------------------

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sum16(data: number[], start = 0): number {
  let s = start;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i] << 8) | data[i + 1];
  if (data.length & 1) s += data[data.length - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

interface Segment { flags: number; sport: number; dport: number; seq: number; doff: number; badSum: boolean; data: number[]; hdr?: number }

/** An Ethernet frame from src (an IPv4 address) to our MAC and address, with a TCP segment. */
function tcpFrame(mac: number[], src: number[], seg: Segment): Uint8Array {
  const hdr = seg.hdr ?? Math.max(20, seg.doff * 4);
  const options = Array.from({ length: hdr - 20 }, (_, i) => [2, 4, 5, 180, 1, 1, 3, 0][i % 8]);
  const t = [seg.sport >> 8, seg.sport & 255, seg.dport >> 8, seg.dport & 255, seg.seq >>> 24, (seg.seq >> 16) & 255, (seg.seq >> 8) & 255, seg.seq & 255,
    0, 0, 0, 0, (seg.doff & 15) << 4, seg.flags, 0x10, 0, 0, 0, 0, 0, ...options, ...seg.data];
  const dst = [192, 168, 86, 100];
  const pseudo = ((src[0] << 8) | src[1]) + ((src[2] << 8) | src[3]) + ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3]) + 6 + t.length;
  let c = sum16(t, pseudo);
  if (seg.badSum) c ^= 0x1357;
  t[16] = c >> 8;
  t[17] = c & 255;
  const total = 20 + t.length;
  const ip = [0x45, 0, total >> 8, total & 255, 0, 1, 0x40, 0, 64, 6, 0, 0, ...src, ...dst];
  const ic = sum16(ip);
  ip[10] = ic >> 8;
  ip[11] = ic & 255;
  return Uint8Array.from([...mac, 0x02, 1, 2, 3, 4, 5, 0x08, 0x00, ...ip, ...t]);
}

interface V86Ne2k { curpg: number; boundary: number; pstart: number; pstop: number }
function ne2kOf(m: Machine): V86Ne2k {
  return (m as unknown as { emulator: { v86: { cpu: { devices: { net: V86Ne2k } } } } }).emulator.v86.cpu.devices.net;
}
async function drained(n: V86Ne2k): Promise<void> {
  for (let spins = 0; spins < 20_000; spins++) {
    const next = n.boundary + 1 >= n.pstop ? n.pstart : n.boundary + 1;
    if (next === n.curpg) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

function snmpTcp(text: string): number[] {
  const m = text.match(/^Tcp: 1 .*$/m);
  if (!m) throw new Error(`no Tcp: line in\n${text}`);
  return m[0].split(" ").slice(1).map(Number);
}

describe("a fuzzer of malformed TCP", () => {
  test("bad flags, checksums and offsets, RSTs, a SYN flood: counted and dropped; wget still works", async () => {
    const start = await run("sh -c 'sleep 60 | nc -l -p 7000 > /dev/null &'; sleep 1; ifconfig eth0 | head -1; cat /proc/net/snmp");
    const before = snmpTcp(start);
    const mac = start.match(/HWaddr ([0-9A-F:]{17})/)![1].split(":").map((h) => parseInt(h, 16));
    const rand = prng(0x7c9);
    const int = (n: number): number => Math.floor(rand() * n);
    const ne2k = ne2kOf(machine);
    let badSums = 0;
    let badOffsets = 0;
    let flood = 0;
    const FRAMES = 3000;
    for (let i = 0; i < FRAMES; i++) {
      const k = int(6);
      const src = int(2) ? [192, 168, 86, 2 + int(90)] : [10 + int(100), int(256), int(256), 1 + int(254)];
      const seg: Segment = { flags: int(256), sport: 1 + int(65535), dport: [7000, 80, 22, 1 + int(65535)][int(4)], seq: int(2 ** 32), doff: 5 + int(3) * (int(3) === 0 ? 1 : 0), badSum: false, data: Array.from({ length: int(40) }, () => int(256)) };
      if (k === 0) { seg.badSum = true; badSums++; } // a wrong checksum
      else if (k === 1) { seg.doff = int(5); badOffsets++; } // a data offset under 5 words
      else if (k === 2) { seg.flags = 0x04 | (int(2) << 4); } // a RST with a random sequence number
      else if (k === 3) { seg.flags = 0x02; seg.dport = 7000; seg.data = []; flood++; } // a SYN flood on the listener
      else if (k === 4) { seg.doff = 15; seg.hdr = 20; seg.data = []; badOffsets++; } // a data offset past the segment
      // k === 5: random flags to random ports
      machine.injectFrame(tcpFrame(mac, src, seg));
      if (i % 8 === 7) await drained(ne2k);
    }
    await drained(ne2k);
    const counted = await more("cat /proc/net/snmp; netstat -a -n -t | grep -c SYN_RECV");
    const after = snmpTcp(counted);
    // [RtoAlgorithm, RtoMin, RtoMax, MaxConn, ActiveOpens, PassiveOpens, AttemptFails, EstabResets, CurrEstab, InSegs, OutSegs,
    //  RetransSegs, InErrs, OutRsts, InCsumErrors]
    expect(after[9] - before[9]).toBeGreaterThanOrEqual(FRAMES);
    expect(after[14] - before[14]).toBe(badSums);
    expect(after[12] - before[12]).toBe(badSums + badOffsets);
    // The listener (backlog 1) takes one SYN and drops the rest of the flood while that one waits
    // in SYN_RECV for an ACK that never comes (it gives up after 15 s: then the next SYN gets in).
    expect(flood).toBeGreaterThan(300);
    expect(after[5] - before[5]).toBeGreaterThanOrEqual(1);
    expect(after[5] - before[5]).toBeLessThanOrEqual(3);
    expect(counted).toMatch(/\n[01]\nrc=0\n$/);
    const end = await more(`wget -q -O - http://${port}.external/big.bin | md5sum`, 120_000);
    expect(end).toBe(`${bigMd5}  -\nrc=0\n`);
    expectGoodFrames(sent); // RSTs, SYN|ACKs and the download: all well formed
  }, 300_000);
});

describe("ARP", () => {
  test("an entry ages out after gc_stale_time and is resolved again", async () => {
    const out = await run([
      "cat /proc/sys/net/ipv4/neigh/default/gc_stale_time", "echo 2 > /proc/sys/net/ipv4/neigh/default/gc_stale_time", "ping -c 1 -q 192.168.86.1 > /dev/null",
      "arp -n", "sleep 3", "cat /proc/net/arp", "arp -n; echo arp=$?", "ping -c 1 -q 192.168.86.1 > /dev/null", "arp -n",
    ].join("; "));
    expect(out).toBe("60\n? (192.168.86.1) at 52:54:00:01:02:03 [ether]  on eth0\n" +
      "IP address       HW type     Flags       HW address            Mask     Device\narp=0\n" +
      "? (192.168.86.1) at 52:54:00:01:02:03 [ether]  on eth0\nrc=0\n");
    const requests = sent.filter((f) => f[12] === 8 && f[13] === 6 && f[21] === 1);
    expect(requests.length).toBe(2); // asked again once the entry had gone
  }, 60_000);
});
