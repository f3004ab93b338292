// Network figures (issue "network"), beside Linux 6.1 + busybox in the same emulator
// (the reference session's README, "Disk and network throughput"):
//
//   modprobe ne2k-pci   the driver pair (8390 first), by hand, with coldplug off — Linux: 45.46 M
//   udhcpc              `udhcpc -i eth0 -n -q -t 5 -T 2` to a lease from v86's router (the
//                       first one also autoloads af_packet) — Linux: 6.88 M instructions, 329 ms
//   ping -A -c 100      to the router: instructions per echo (Linux 33.9 k) and the median
//                       round trip from ping's own lines (Linux 0.9–2.3 ms)
//   UDP A → B           two Lokum machines on one wire: `cat /tmp/big | nc -u -w 0 B 9000`
//                       with B's `nc -u -l` writing to a file; MB/s delivered (what B got over
//                       the sender's wall time) and how much was lost (no flow control in UDP)
//   HTTP download       `wget -q -O /dev/null http://PORT.external/big.bin`, 4 MiB from an HTTP
//                       server on the host through v86's router (which sends one segment per
//                       ACK) — Linux: 50.23 M instructions, 3 794 ms, 1.11 MB/s
//   TCP A → B           two Lokum machines on one wire: `nc B 5000 < /tmp/big` into B's
//                       `nc -l -p 5000 > /tmp/got`, md5 compared; MB/s over the sender's wall time
//
// Each figure is v86's instruction count from sending the line on serial0 to the next prompt,
// from a snapshot; the median of `runs` repetitions, and the wall time.

import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Machine } from "../emulator/machine.js";
import { createNodeMachine } from "../emulator/node.js";
import { buildNetSystem } from "../test/guest/netsystem.js";

export const LINUX_NET = {
  modprobeNe2kInstructions: 45_460_000,
  udhcpcInstructions: 6_880_000,
  udhcpcMs: 329,
  pingInstructionsPerEcho: 33_900,
  pingMedianRttMs: "0.9–2.3",
  httpInstructions: 50_230_000,
  httpMs: 3_794,
  httpMBs: 1.11,
};

export interface NetFigures {
  modprobe: { instructions: number[]; ms: number[] };
  udhcpc: { instructions: number[]; ms: number[] };
  ping: { instructionsPerEcho: number[]; ms: number[]; medianRttMs: number[] };
}

const PROMPT = /# $/;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function measureNet(runs: number): Promise<NetFigures> {
  const system = buildNetSystem();
  const machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet nocoldplug", net: "fetch" });
  const figures: NetFigures = { modprobe: { instructions: [], ms: [] }, udhcpc: { instructions: [], ms: [] }, ping: { instructionsPerEcho: [], ms: [], medianRttMs: [] } };
  /** Runs a line and returns [instructions, ms, output]. */
  const timed = async (line: string, timeoutMs = 60_000): Promise<[number, number, string]> => {
    const from = machine.output.length;
    const i0 = machine.instructions();
    const w0 = performance.now();
    machine.write(line + "\n");
    await machine.waitFor(PROMPT, { timeoutMs, from: from + line.length });
    return [machine.instructions() - i0, performance.now() - w0, machine.output.slice(from)];
  };
  try {
    await machine.start();
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    const s0 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s0);
      const [instr, ms, out] = await timed("modprobe ne2k-pci");
      if (!/# $/.test(out)) throw new Error(out);
      figures.modprobe.instructions.push(instr);
      figures.modprobe.ms.push(ms);
    }
    await machine.restoreState(s0);
    await timed("modprobe ne2k-pci; ifconfig eth0 up");
    const s1 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s1);
      const [instr, ms, out] = await timed("udhcpc -i eth0 -n -q -t 5 -T 2");
      if (!out.includes("udhcpc: lease of 192.168.86.100")) throw new Error(`udhcpc: ${out}`);
      figures.udhcpc.instructions.push(instr);
      figures.udhcpc.ms.push(ms);
    }
    await machine.restoreState(s1);
    await timed("udhcpc -q -n > /dev/null; ping -c 1 -q 192.168.86.1 > /dev/null");
    const s2 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s2);
      const [instr, ms, out] = await timed("ping -A -c 100 192.168.86.1", 120_000);
      const rtts = [...out.matchAll(/time=(\d+\.\d+) ms/g)].map((m) => Number(m[1]));
      if (rtts.length !== 100) throw new Error(`ping: ${rtts.length} replies\n${out.slice(-500)}`);
      figures.ping.instructionsPerEcho.push(instr / 100);
      figures.ping.ms.push(ms);
      figures.ping.medianRttMs.push(median(rtts));
    }
  } finally {
    await machine.destroy();
  }
  return figures;
}

export interface UdpFigure { bytesSent: number; bytesReceived: number; ms: number }

/** Types a line at m's shell and waits for the prompt; returns the output. */
async function line(m: Machine, text: string, timeoutMs = 60_000): Promise<string> {
  const from = m.output.length;
  m.write(text + "\n");
  await m.waitFor(PROMPT, { timeoutMs, from: from + text.length });
  return m.output.slice(from);
}

export async function measureUdp(runs: number): Promise<UdpFigure[]> {
  const system = buildNetSystem();
  const options = { kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet", net: "none" as const };
  const a = createNodeMachine(options);
  const b = createNodeMachine(options);
  const figures: UdpFigure[] = [];
  try {
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.waitFor(PROMPT, { timeoutMs: 60_000 }), b.waitFor(PROMPT, { timeoutMs: 60_000 })]);
    a.onFrameSent((f) => b.injectFrame(f.slice()));
    b.onFrameSent((f) => a.injectFrame(f.slice()));
    await line(a, "sleep 2; ifconfig eth0 10.0.0.1 up; cat /bin/* /sbin/* > /tmp/big; wc -c /tmp/big");
    await line(b, "sleep 2; ifconfig eth0 10.0.0.2 up");
    const size = Number((await line(a, "wc -c < /tmp/big")).match(/^(\d+)\r?$/m)![1]);
    for (let i = 0; i < runs; i++) {
      await line(b, `sh -c 'nc -u -l -p ${9000 + i} > /tmp/got${i} &'`);
      const w0 = performance.now();
      await line(a, `cat /tmp/big | nc -u -w 0 10.0.0.2 ${9000 + i}`, 120_000);
      const ms = performance.now() - w0;
      const got = Number((await line(b, `sleep 1; wc -c < /tmp/got${i}`)).match(/^(\d+)\r?$/m)![1]);
      figures.push({ bytesSent: size, bytesReceived: got, ms });
    }
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
  }
  return figures;
}

export interface HttpFigure { bytes: number; instructions: number; ms: number }

/** wget of 4 MiB through v86's router from an HTTP server started here; the md5 is checked once. */
export async function measureHttp(runs: number): Promise<HttpFigure[]> {
  const big = randomBytes(4 << 20);
  const md5 = createHash("md5").update(big).digest("hex");
  const server = createServer((req, res) => {
    res.writeHead(req.url === "/big.bin" ? 200 : 404);
    res.end(req.url === "/big.bin" ? big : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const system = buildNetSystem();
  const machine = createNodeMachine({ kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet", net: "fetch" });
  const figures: HttpFigure[] = [];
  try {
    await machine.start();
    await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
    await line(machine, "sleep 1; ifconfig eth0 up; udhcpc -i eth0 -n -q > /dev/null");
    const check = await line(machine, `wget -q -O - http://${port}.external/big.bin | md5sum`, 180_000);
    if (!check.includes(md5)) throw new Error(`wget: md5 differs: ${check}`);
    const s0 = await machine.saveState();
    for (let i = 0; i < runs; i++) {
      await machine.restoreState(s0);
      const text = `wget -q -O /dev/null http://${port}.external/big.bin`;
      const i0 = machine.instructions();
      const w0 = performance.now();
      const out = await line(machine, text, 180_000);
      const ms = performance.now() - w0;
      if (out.includes("wget:")) throw new Error(out);
      figures.push({ bytes: big.length, instructions: machine.instructions() - i0, ms });
    }
  } finally {
    await machine.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  return figures;
}

export interface TcpFigure { bytes: number; ms: number; retransmitted: number }

/** TCP between two Lokum machines on one wire (nc), md5 checked. */
export async function measureTcp(runs: number): Promise<TcpFigure[]> {
  const system = buildNetSystem();
  const options = { kernel: system.kernel, initrd: system.initrd, cmdline: "console=ttyS0 quiet", net: "none" as const };
  const a = createNodeMachine(options);
  const b = createNodeMachine(options);
  const figures: TcpFigure[] = [];
  try {
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.waitFor(PROMPT, { timeoutMs: 60_000 }), b.waitFor(PROMPT, { timeoutMs: 60_000 })]);
    a.onFrameSent((f) => b.injectFrame(f.slice()));
    b.onFrameSent((f) => a.injectFrame(f.slice()));
    await line(a, "sleep 2; ifconfig eth0 10.0.0.1 up; dd if=/dev/urandom of=/tmp/big bs=1024 count=1024 2>/dev/null");
    await line(b, "sleep 2; ifconfig eth0 10.0.0.2 up");
    const sum = (await line(a, "md5sum < /tmp/big")).match(/([0-9a-f]{32})/)![1];
    for (let i = 0; i < runs; i++) {
      await line(b, `sh -c 'sleep 120 | nc -l -p ${5000 + i} > /tmp/got &'`);
      const w0 = performance.now();
      await line(a, `nc 10.0.0.2 ${5000 + i} < /tmp/big`, 180_000);
      const ms = performance.now() - w0;
      const got = await line(b, "sleep 1; md5sum < /tmp/got");
      if (!got.includes(sum)) throw new Error(`TCP: md5 differs: ${got}`);
      const snmp = (await line(a, "grep 'Tcp: 1' /proc/net/snmp")).match(/Tcp: 1 .*/)![0].split(" ");
      figures.push({ bytes: 1 << 20, ms, retransmitted: Number(snmp[12]) }); // RetransSegs so far
    }
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
  }
  return figures;
}

// `vite-node bench/net.ts` prints the figures alone.
if (process.argv[1]?.endsWith("bench/net.ts")) {
  const which = process.argv[2];
  if (which === "http") console.log(JSON.stringify(await measureHttp(3), null, 1));
  else if (which === "tcp") console.log(JSON.stringify(await measureTcp(3), null, 1));
  else console.log(JSON.stringify(await measureNet(3), null, 1));
}
