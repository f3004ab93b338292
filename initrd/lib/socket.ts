// socket.ts — sockets and IPv4 helpers for the network tools (ifconfig, route, ping, udhcpc,
// arp, nc, wget): the system calls of Linux's i386 socket API (359 socket … 373 shutdown, stubs
// generated from kernel/syscalls.tbl), struct sockaddr_in helpers, dotted-quad parsing and
// printing, and the Internet checksum.
//
// An IPv4 address is a u32 holding its four bytes as they are in memory (network order):
// parseIp("192.168.86.1") = 0x0156A8C0 on this little-endian CPU, exactly what sin_addr holds.

import { syscallResult } from "./errno";
import { snprintf } from "./stdio";
import { isdigit } from "./string";

declare function sys_socket(family: i32, type: i32, protocol: i32): i32;
declare function sys_bind(fd: i32, addr: usize, len: u32): i32;
declare function sys_connect(fd: i32, addr: usize, len: u32): i32;
declare function sys_sendto(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: u32): i32;
declare function sys_recvfrom(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: usize): i32;
declare function sys_setsockopt(fd: i32, level: i32, name: i32, val: usize, len: u32): i32;
declare function sys_getsockname(fd: i32, addr: usize, len: usize): i32;
declare function sys_getpeername(fd: i32, addr: usize, len: usize): i32;
declare function sys_listen(fd: i32, backlog: i32): i32;
declare function sys_accept4(fd: i32, addr: usize, len: usize, flags: i32): i32;
declare function sys_shutdown(fd: i32, how: i32): i32;
declare function sys_poll(fds: usize, n: u32, timeout: i32): i32;
declare function sys_gettimeofday(tv: usize, tz: usize): i32;

export const AF_INET = 2, AF_PACKET = 17;
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3;
export const IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17;
export const SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
export const SOL_SOCKET = 1, SO_BROADCAST = 6, SO_RCVTIMEO = 20, SO_BINDTODEVICE = 25;
export const MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
export const SO_REUSEADDR = 2;
export const ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_ALL = 0x0003;
export const POLLIN = 1;

// Interface ioctls (include/uapi/linux/sockios.h)
export const SIOCADDRT: u32 = 0x890b, SIOCDELRT: u32 = 0x890c;
export const SIOCGIFCONF: u32 = 0x8912, SIOCGIFFLAGS: u32 = 0x8913, SIOCSIFFLAGS: u32 = 0x8914;
export const SIOCGIFADDR: u32 = 0x8915, SIOCSIFADDR: u32 = 0x8916, SIOCGIFBRDADDR: u32 = 0x8919, SIOCSIFBRDADDR: u32 = 0x891a;
export const SIOCGIFNETMASK: u32 = 0x891b, SIOCSIFNETMASK: u32 = 0x891c, SIOCGIFMTU: u32 = 0x8921, SIOCSIFMTU: u32 = 0x8922;
export const SIOCGIFHWADDR: u32 = 0x8927, SIOCGIFINDEX: u32 = 0x8933, SIOCGIFTXQLEN: u32 = 0x8942, SIOCGIFMAP: u32 = 0x8970;
export const IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40, IFF_NOARP = 0x80, IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200, IFF_MULTICAST = 0x1000;
export const RTF_UP = 0x1, RTF_GATEWAY = 0x2, RTF_HOST = 0x4;

export function socket(family: i32, type: i32, protocol: i32): i32 { return syscallResult(sys_socket(family, type, protocol)); }
export function bind(fd: i32, addr: usize, len: u32): i32 { return syscallResult(sys_bind(fd, addr, len)); }
export function connect(fd: i32, addr: usize, len: u32): i32 { return syscallResult(sys_connect(fd, addr, len)); }
export function sendto(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: u32): i32 {
  return syscallResult(sys_sendto(fd, buf, len, flags, addr, addrLen));
}
export function recvfrom(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: usize): i32 {
  return syscallResult(sys_recvfrom(fd, buf, len, flags, addr, addrLen));
}
export function setsockopt(fd: i32, level: i32, name: i32, val: usize, len: u32): i32 {
  return syscallResult(sys_setsockopt(fd, level, name, val, len));
}
export function getsockname(fd: i32, addr: usize, len: usize): i32 { return syscallResult(sys_getsockname(fd, addr, len)); }
export function getpeername(fd: i32, addr: usize, len: usize): i32 { return syscallResult(sys_getpeername(fd, addr, len)); }
export function listen(fd: i32, backlog: i32): i32 { return syscallResult(sys_listen(fd, backlog)); }
/** accept(2): a new descriptor for the next connection; addr/len may be 0. */
export function accept(fd: i32, addr: usize, len: usize): i32 { return syscallResult(sys_accept4(fd, addr, len, 0)); }
export function shutdown(fd: i32, how: i32): i32 { return syscallResult(sys_shutdown(fd, how)); }
export function poll(fds: usize, n: u32, timeoutMs: i32): i32 { return syscallResult(sys_poll(fds, n, timeoutMs)); }

const timeoutBuf = new StaticArray<u32>(2);

/** SO_RCVTIMEO in milliseconds (0: wait for ever). */
export function setReceiveTimeout(fd: i32, ms: u32): i32 {
  timeoutBuf[0] = ms / 1000;
  timeoutBuf[1] = (ms % 1000) * 1000;
  return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, changetype<usize>(timeoutBuf), 8);
}

const tv = new StaticArray<u32>(2);

/** A microsecond clock (wraps every 71 minutes: use differences). */
export function monotonicUs(): u32 {
  sys_gettimeofday(changetype<usize>(tv), 0);
  return tv[0] * 1000000 + tv[1];
}

/** Fills a struct sockaddr_in (16 bytes). port in host order. */
export function sockaddrIn(sa: usize, addr: u32, port: u32): void {
  memory_fill(sa, 0, 16);
  store<u16>(sa, AF_INET);
  store<u16>(sa, htons(port), 2);
  store<u32>(sa, addr, 4);
}

export function htons(v: u32): u16 {
  return <u16>((v & 0xff) << 8 | (v >> 8) & 0xff);
}

export function loadBe16(p: usize): u32 {
  return <u32>load<u8>(p) << 8 | <u32>load<u8>(p + 1);
}

export function storeBe16(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

/** Parses a dotted quad; true on success (the address in parsedIp). */
export let parsedIp: u32 = 0;
export function parseIp(s: usize): bool {
  let value: u32 = 0;
  let p = s;
  for (let part = 0; part < 4; part++) {
    if (!isdigit(load<u8>(p))) return false;
    let n: u32 = 0;
    let digits = 0;
    while (isdigit(load<u8>(p))) {
      n = n * 10 + load<u8>(p) - "0".charCodeAt(0);
      p++;
      if (++digits > 3) return false;
    }
    if (n > 255) return false;
    value |= n << (8 * part);
    if (part < 3) {
      if (load<u8>(p) != ".".charCodeAt(0)) return false;
      p++;
    }
  }
  if (load<u8>(p) != 0) return false;
  parsedIp = value;
  return true;
}

const ipBufs = new StaticArray<u8>(64);
let ipBufNext = 0;

/** The dotted quad of addr, in one of four rotating buffers (so a printf may use several). */
export function ipText(addr: u32): usize {
  const buf = changetype<usize>(ipBufs) + <usize>(ipBufNext * 16);
  ipBufNext = (ipBufNext + 1) & 3;
  snprintf(buf, 16, "%u.%u.%u.%u", addr & 0xff, addr >> 8 & 0xff, addr >> 16 & 0xff, addr >> 24);
  return buf;
}

/** The Internet checksum of len bytes at p, started from sum (host order result). */
export function checksum(p: usize, len: u32, sum: u32): u32 {
  let i: u32 = 0;
  while (i + 1 < len) {
    sum += <u32>load<u8>(p + i) << 8 | <u32>load<u8>(p + i + 1);
    i += 2;
  }
  if (i < len) sum += <u32>load<u8>(p + i) << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** An ifreq (32 bytes) with the interface name filled in. */
export function ifreqFor(ifr: usize, name: usize): void {
  memory_fill(ifr, 0, 32);
  for (let i = 0; i < 15 && load<u8>(name + i) != 0; i++) store<u8>(ifr + i, load<u8>(name + i));
}
