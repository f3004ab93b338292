// The system the network suites boot: kernel, user programs and every module of modules/
// (8390, ne2k-pci, af_packet, …) built in-process, as `lokum build` lays them out, plus the
// host-side helpers they share: checking the checksums of the frames the guest sends (IP, ICMP,
// UDP, TCP), and reading /proc/net/dev.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernel } from "../../toolchain/src/kbuild.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildUserland } from "../../toolchain/src/userland.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Test programs (test/guest/programs/) added to /bin. */
const TEST_PROGRAMS = ["sockcall", "tcperr"];

export interface NetSystem {
  kernel: Uint8Array;
  initrd: Uint8Array;
}

export function buildNetSystem(): NetSystem {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userFiles = readInitrdFiles(root);
  for (const name of TEST_PROGRAMS) userFiles[`initrd/bin/${name}.ts`] = readFileSync(resolve(root, `test/guest/programs/${name}.ts`), "utf8");
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  return { kernel: kernel.elf, initrd: writeCpio([...userland.entries, ...moduleInitrdEntries(built, release)]) };
}

/** The Internet checksum (RFC 1071) of bytes, plus a starting sum. 0 over a correct header. */
export function inetChecksum(bytes: Uint8Array, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** Checks one Ethernet frame the guest sent; returns what is wrong with it, or null. Also
 *  returns a short description in `kind` for the statistics. */
export function checkFrame(frame: Uint8Array): { error: string | null; kind: string } {
  if (frame.length < 14) return { error: `runt frame of ${frame.length} bytes`, kind: "?" };
  const type = (frame[12] << 8) | frame[13];
  if (type === 0x0806) {
    if (frame.length < 42) return { error: "short ARP", kind: "arp" };
    const ok = frame[14] === 0 && frame[15] === 1 && frame[16] === 8 && frame[17] === 0 && frame[18] === 6 && frame[19] === 4;
    return { error: ok ? null : "malformed ARP", kind: "arp" };
  }
  if (type !== 0x0800) return { error: `unexpected EtherType 0x${type.toString(16)}`, kind: "?" };
  const ip = frame.subarray(14);
  const ihl = (ip[0] & 15) * 4;
  if (ip[0] >> 4 !== 4 || ihl < 20) return { error: "not IPv4", kind: "ip" };
  if (inetChecksum(ip.subarray(0, ihl)) !== 0) return { error: "bad IP header checksum", kind: "ip" };
  const total = (ip[2] << 8) | ip[3];
  if (total > ip.length) return { error: `IP total length ${total} > ${ip.length}`, kind: "ip" };
  const payload = ip.subarray(ihl, total);
  const proto = ip[9];
  if (proto === 1) return { error: inetChecksum(payload) === 0 ? null : "bad ICMP checksum", kind: `icmp${payload[0]}` };
  if (proto === 17) {
    if (payload.length < 8) return { error: "short UDP", kind: "udp" };
    const ulen = (payload[4] << 8) | payload[5];
    if (ulen !== payload.length) return { error: `UDP length ${ulen} != ${payload.length}`, kind: "udp" };
    if (payload[6] === 0 && payload[7] === 0) return { error: null, kind: "udp" }; // no checksum
    const pseudo = ((ip[12] << 8) | ip[13]) + ((ip[14] << 8) | ip[15]) + ((ip[16] << 8) | ip[17]) + ((ip[18] << 8) | ip[19]) + 17 + ulen;
    return { error: inetChecksum(payload, pseudo) === 0 ? null : "bad UDP checksum", kind: "udp" };
  }
  if (proto === 6) {
    if (payload.length < 20) return { error: "short TCP", kind: "tcp" };
    const doff = (payload[12] >> 4) * 4;
    if (doff < 20 || doff > payload.length) return { error: `TCP data offset ${doff}`, kind: "tcp" };
    const pseudo = ((ip[12] << 8) | ip[13]) + ((ip[14] << 8) | ip[15]) + ((ip[16] << 8) | ip[17]) + ((ip[18] << 8) | ip[19]) + 6 + payload.length;
    return { error: inetChecksum(payload, pseudo) === 0 ? null : "bad TCP checksum", kind: "tcp" };
  }
  return { error: `unexpected IP protocol ${proto}`, kind: "ip" };
}

/** The 16 counters of one interface in /proc/net/dev text. */
export function devCounters(procNetDev: string, name: string): number[] {
  const line = procNetDev.split("\n").find((l) => l.trim().startsWith(name + ":"));
  if (!line) throw new Error(`${name} not in /proc/net/dev:\n${procNetDev}`);
  return line.split(":")[1].trim().split(/\s+/).map(Number);
}
