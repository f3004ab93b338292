// resolv.ts — host names to IPv4 addresses: a dotted quad as it is, "localhost", else one DNS
// question (RFC 1035: type A, class IN, recursion desired) over UDP to the first `nameserver`
// of /etc/resolv.conf (udhcpc writes it from the DHCP lease; v86's router answers DNS).
// Two tries, two seconds each. This is what busybox's tools get from libc's getaddrinfo.

import { open, read, close, O_RDONLY } from "./unistd";
import { AF_INET, SOCK_DGRAM, connect, parseIp, parsedIp, recvfrom, sendto, setReceiveTimeout, sockaddrIn, socket } from "./socket";
import { streq, strlen } from "./string";

const conf = new StaticArray<u8>(512);
const packet = new StaticArray<u8>(512);
const reply = new StaticArray<u8>(512);
const server = new StaticArray<u8>(16);
let queryId: u32 = 0x1d2b;

/** The first nameserver of /etc/resolv.conf, or 0. */
function nameserver(): u32 {
  const fd = open(changetype<usize>("/etc/resolv.conf"), O_RDONLY, 0);
  if (fd < 0) return 0;
  const n = read(fd, changetype<usize>(conf), 511);
  close(fd);
  if (n <= 0) return 0;
  const text = changetype<usize>(conf);
  store<u8>(text + <usize>n, 0);
  let p = text;
  while (load<u8>(p) != 0) {
    // a line: "nameserver A.B.C.D"
    if (startsAt(p, "nameserver")) {
      let q = p + 10;
      while (load<u8>(q) == " ".charCodeAt(0) || load<u8>(q) == "\t".charCodeAt(0)) q++;
      let e = q;
      while (load<u8>(e) != 0 && load<u8>(e) != "\n".charCodeAt(0) && load<u8>(e) != " ".charCodeAt(0) && load<u8>(e) != "\r".charCodeAt(0)) e++;
      const saved = load<u8>(e);
      store<u8>(e, 0);
      const ok = parseIp(q);
      store<u8>(e, saved);
      if (ok) return parsedIp;
    }
    while (load<u8>(p) != 0 && load<u8>(p) != "\n".charCodeAt(0)) p++;
    if (load<u8>(p) == "\n".charCodeAt(0)) p++;
  }
  return 0;
}

function startsAt(p: usize, word: string): bool {
  const w = changetype<usize>(word);
  for (let i: usize = 0; load<u8>(w + i) != 0; i++) if (load<u8>(p + i) != load<u8>(w + i)) return false;
  return true;
}

/** Skips a (possibly compressed) name at offset off of the reply; the offset after it, or -1. */
function skipName(msg: usize, len: i32, off: i32): i32 {
  while (off < len) {
    const c = <i32>load<u8>(msg + <usize>off);
    if (c == 0) return off + 1;
    if ((c & 0xc0) == 0xc0) return off + 2;
    off += c + 1;
  }
  return -1;
}

function be16(p: usize): i32 { return <i32>load<u8>(p) << 8 | <i32>load<u8>(p + 1); }

/** The address found by resolveHost (as stored: network order). */
export let resolvedIp: u32 = 0;

/** The address of host: true and the address in resolvedIp, or false. */
export function resolveHost(host: usize): bool {
  if (parseIp(host)) {
    resolvedIp = parsedIp;
    return true;
  }
  if (streq(host, "localhost")) {
    resolvedIp = 0x0100007f;
    return true;
  }
  const ns = nameserver();
  const nameLen = strlen(host);
  if (ns == 0 || nameLen == 0 || nameLen > 253) return false;
  // The question: header (id, flags RD, 1 question), the name as labels, type A, class IN.
  const q = changetype<usize>(packet);
  memory_fill(q, 0, 12);
  queryId = (queryId * 1103515245 + 12345) & 0xffff;
  store<u8>(q, <u8>(queryId >> 8));
  store<u8>(q + 1, <u8>queryId);
  store<u8>(q + 2, 1);
  store<u8>(q + 5, 1);
  let at: usize = 12;
  let start: i32 = 0;
  for (let i: i32 = 0; i <= nameLen; i++) {
    const c = load<u8>(host + <usize>i);
    if (c == ".".charCodeAt(0) || c == 0) {
      const label = i - start;
      if (label == 0 || label > 63) return false;
      store<u8>(q + at, <u8>label);
      memory_copy(q + at + 1, host + <usize>start, <usize>label);
      at += <usize>label + 1;
      start = i + 1;
    }
  }
  store<u8>(q + at, 0);
  store<u8>(q + at + 1, 0);
  store<u8>(q + at + 2, 1); // type A
  store<u8>(q + at + 3, 0);
  store<u8>(q + at + 4, 1); // class IN
  const qlen = <i32>(at + 5);
  const fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddrIn(changetype<usize>(server), ns, 53);
  let found = false;
  if (connect(fd, changetype<usize>(server), 16) == 0) {
    setReceiveTimeout(fd, 2000);
    for (let attempt = 0; attempt < 2 && !found; attempt++) {
      if (sendto(fd, q, <u32>qlen, 0, 0, 0) < 0) break;
      const n = recvfrom(fd, changetype<usize>(reply), 512, 0, 0, 0);
      if (n < 12) continue;
      found = parseReply(changetype<usize>(reply), n);
    }
  }
  close(fd);
  return found;
}

/** Takes the first A record of a reply to our question. */
function parseReply(r: usize, n: i32): bool {
  if (be16(r) != <i32>queryId || (load<u8>(r + 2) & 0x80) == 0 || (load<u8>(r + 3) & 0xf) != 0) return false;
  const questions = be16(r + 4);
  const answers = be16(r + 6);
  let off = 12;
  for (let i = 0; i < questions; i++) {
    off = skipName(r, n, off);
    if (off < 0) return false;
    off += 4;
  }
  for (let i = 0; i < answers; i++) {
    off = skipName(r, n, off);
    if (off < 0 || off + 10 > n) return false;
    const type = be16(r + <usize>off);
    const rdlen = be16(r + <usize>off + 8);
    off += 10;
    if (off + rdlen > n) return false;
    if (type == 1 && rdlen == 4) {
      resolvedIp = load<u32>(r + <usize>off);
      return true;
    }
    off += rdlen;
  }
  return false;
}
