// ping: send ICMP echo requests and report the replies, with busybox's output.
//
//   ping [-c COUNT] [-i SECONDS] [-W SECONDS] [-w DEADLINE] [-s SIZE] [-A] [-q] HOST
//
//   PING 192.168.86.1 (192.168.86.1): 56 data bytes
//   64 bytes from 192.168.86.1: seq=0 ttl=32 time=1.584 ms
//   ...
//   --- 192.168.86.1 ping statistics ---
//   3 packets transmitted, 3 packets received, 0% packet loss
//   round-trip min/avg/max = 0.979/1.192/1.584 ms
//
// It uses a raw ICMP socket (root only, like busybox without ping sockets): it writes the echo
// request itself (type 8, id = its pid, sequence number, the send time in microseconds as the
// first 4 data bytes, its checksum) and reads whole IP packets back — the TTL comes from their
// header. One request per interval (-i, default 1 s; -A: the next one as soon as a reply
// came); after the last of -c COUNT it waits for replies for twice the longest round trip, or
// -W seconds (default 10) if none came. -w DEADLINE stops after that many seconds in all.
// Exit status 0 if a reply came (with -w: if COUNT replies came), else 1. ^C prints the
// statistics, as busybox does.

import { printf, fprintf, flushOutput } from "../lib/stdio";
import { getpid } from "../lib/unistd";
import { errno, errorText, EAGAIN, EINTR, EPERM } from "../lib/errno";
import { atoi, isdigit } from "../lib/string";
import { getopt, optarg, optind } from "../lib/getopt";
import { signal, SIGINT } from "../lib/signal";
import {
  AF_INET, IPPROTO_ICMP, SOCK_RAW, checksum, ipText, loadBe16, monotonicUs, parseIp, parsedIp, recvfrom, sendto, setReceiveTimeout, sockaddrIn,
  socket, storeBe16,
} from "../lib/socket";

const MAX_DATA = 1400;
const packet = new StaticArray<u8>(1500);
const reply = new StaticArray<u8>(1600);
const dest = new StaticArray<u8>(16);
const from = new StaticArray<u8>(16);
const fromLen = new StaticArray<u32>(1);
const seen = new StaticArray<u8>(8192); // a bit per sequence number: duplicates

let interrupted = false;
let sock = -1;
let ident: u32 = 0;
let dataLen: u32 = 56;
let transmitted: u32 = 0;
let received: u32 = 0;
let repeats: u32 = 0;
let tmin: u32 = 0xffffffff;
let tmax: u32 = 0;
let tsum: u32 = 0;
let quiet = false;
let target: u32 = 0;
let hostName: usize = 0;

function onInterrupt(sig: i32): void {
  interrupted = true;
}

/** "0.2" → 200 (milliseconds). */
function parseSeconds(s: usize): i32 {
  let ms = 0;
  let p = s;
  while (isdigit(load<u8>(p))) ms = ms * 10 + (load<u8>(p++) - "0".charCodeAt(0)) * 1;
  ms *= 1000;
  if (load<u8>(p) == ".".charCodeAt(0)) {
    p++;
    let scale = 100;
    while (isdigit(load<u8>(p)) && scale > 0) {
      ms += (load<u8>(p++) - "0".charCodeAt(0)) * scale;
      scale /= 10;
    }
  }
  return ms;
}

function sendPing(): bool {
  const p = changetype<usize>(packet);
  const seq = transmitted & 0xffff;
  store<u8>(p, 8);
  store<u8>(p + 1, 0);
  storeBe16(p + 2, 0);
  storeBe16(p + 4, ident);
  storeBe16(p + 6, seq);
  for (let i: u32 = 0; i < dataLen; i++) store<u8>(p + 8 + i, <u8>i);
  if (dataLen >= 4) store<u32>(p + 8, monotonicUs());
  storeBe16(p + 2, checksum(p, 8 + dataLen, 0));
  seen[(seq >> 3) & 8191] = seen[(seq >> 3) & 8191] & ~(<u8>(1 << (seq & 7)));
  if (sendto(sock, p, 8 + dataLen, 0, changetype<usize>(dest), 16) < 0) {
    fprintf(2, "ping: sendto: %s\n", errorText());
    return false;
  }
  transmitted++;
  return true;
}

/** Handles one packet read from the socket; true if it was a reply to us. */
function handleReply(n: i32): bool {
  const ip = changetype<usize>(reply);
  if (n < 20) return false;
  const ihl = <i32>(load<u8>(ip) & 0xf) * 4;
  if (n < ihl + 8) return false;
  const icmp = ip + <usize>ihl;
  if (load<u8>(icmp) != 0 || loadBe16(icmp + 4) != ident) return false;
  const seq = loadBe16(icmp + 6);
  const ttl = <u32>load<u8>(ip + 8);
  const bytes = n - ihl;
  let rtt: u32 = 0;
  const timed = dataLen >= 4 && bytes >= 12;
  if (timed) {
    rtt = monotonicUs() - load<u32>(icmp + 8);
    tsum += rtt;
    if (rtt < tmin) tmin = rtt;
    if (rtt > tmax) tmax = rtt;
  }
  const bit = <u8>(1 << (seq & 7));
  const dup = (seen[(seq >> 3) & 8191] & bit) != 0;
  if (dup) repeats++;
  else {
    received++;
    seen[(seq >> 3) & 8191] = seen[(seq >> 3) & 8191] | bit;
  }
  if (!quiet) {
    printf("%d bytes from %s: seq=%u ttl=%u", bytes, ipText(load<u32>(changetype<usize>(from) + 4)), seq, ttl);
    if (timed) printf(" time=%u.%03u ms", rtt / 1000, rtt % 1000);
    if (dup) printf(" (DUP!)");
    printf("\n");
    flushOutput();
  }
  return true;
}

function summary(): i32 {
  printf("\n--- %s ping statistics ---\n", hostName);
  printf("%u packets transmitted, ", transmitted);
  printf("%u packets received, ", received);
  if (repeats != 0) printf("%u duplicates, ", repeats);
  printf("%u%% packet loss\n", transmitted != 0 ? (transmitted - received) * 100 / transmitted : 0);
  if (received + repeats != 0 && dataLen >= 4) {
    const avg = tsum / (received + repeats);
    printf("round-trip min/avg/max = %u.%03u/%u.%03u/%u.%03u ms\n", tmin / 1000, tmin % 1000, avg / 1000, avg % 1000, tmax / 1000, tmax % 1000);
  }
  return received == 0 ? 1 : 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let count: u32 = 0;
  let intervalMs: i32 = 1000;
  let waitMs: i32 = 10000;
  let deadlineMs: i32 = 0;
  let adaptive = false;
  for (;;) {
    const c = getopt(argc, argv, "c:i:W:w:s:Aq");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) count = <u32>atoi(optarg);
    else if (c == "i".charCodeAt(0)) intervalMs = parseSeconds(optarg);
    else if (c == "W".charCodeAt(0)) waitMs = parseSeconds(optarg);
    else if (c == "w".charCodeAt(0)) deadlineMs = parseSeconds(optarg);
    else if (c == "s".charCodeAt(0)) dataLen = <u32>atoi(optarg);
    else if (c == "A".charCodeAt(0)) adaptive = true;
    else if (c == "q".charCodeAt(0)) quiet = true;
    else return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: ping [-c COUNT] [-i SECONDS] [-W SECONDS] [-w SECONDS] [-s SIZE] [-A] [-q] HOST\n");
    return 1;
  }
  hostName = load<usize>(argv + 4 * optind);
  if (!parseIp(hostName)) {
    fprintf(2, "ping: bad address '%s'\n", hostName);
    return 1;
  }
  target = parsedIp;
  if (dataLen > MAX_DATA) dataLen = MAX_DATA;
  sock = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (sock < 0) {
    if (errno == EPERM) fprintf(2, "ping: permission denied (are you root?)\n");
    else fprintf(2, "ping: socket: %s\n", errorText());
    return 1;
  }
  ident = <u32>getpid() & 0xffff;
  sockaddrIn(changetype<usize>(dest), target, 0);
  signal(SIGINT, changetype<usize>(onInterrupt));
  printf("PING %s (%s): %u data bytes\n", hostName, ipText(target), dataLen);
  flushOutput();
  const start = monotonicUs();
  let nextSend = start;
  let lastWait: u32 = 0; // when all COUNT are sent: stop waiting at this time
  let allSent = false;
  while (!interrupted) {
    const now = monotonicUs();
    if (deadlineMs > 0 && now - start >= <u32>deadlineMs * 1000) break;
    if (!allSent && <i32>(now - nextSend) >= 0) {
      if (!sendPing()) return 1;
      nextSend = now + <u32>intervalMs * 1000;
      if (count != 0 && transmitted >= count) {
        allSent = true;
        // Wait for two round trips if replies came, else -W seconds (busybox's rule).
        let expireMs = received != 0 ? (tmax * 2) / 1000 : <u32>waitMs;
        if (expireMs < 1000 && received != 0) expireMs = 1000;
        lastWait = now + expireMs * 1000;
      }
      continue;
    }
    const until = allSent ? lastWait : nextSend;
    let left = <i32>(until - now);
    if (deadlineMs > 0) {
      const toDeadline = <i32>(start + <u32>deadlineMs * 1000 - now);
      if (toDeadline < left) left = toDeadline;
    }
    if (left <= 0) {
      if (allSent) break;
      continue;
    }
    setReceiveTimeout(sock, <u32>(left + 999) / 1000);
    fromLen[0] = 16;
    const n = recvfrom(sock, changetype<usize>(reply), 1600, 0, changetype<usize>(from), changetype<usize>(fromLen));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      fprintf(2, "ping: recvfrom: %s\n", errorText());
      continue;
    }
    if (!handleReply(n)) continue;
    if (count != 0 && received >= count) break;
    if (adaptive && !allSent) nextSend = monotonicUs();
  }
  const status = summary();
  if (deadlineMs > 0 && count != 0 && received < count) return 1;
  return status;
}
