// route: show and change the IPv4 routing table, in busybox's format.
//
//   route [-n]                                   the table (from /proc/net/route); without -n,
//                                                0.0.0.0 shows as "default" / "*"
//   route add default gw GW [dev IFACE]
//   route add -net NET netmask MASK [gw GW] [dev IFACE]
//   route add -host ADDR [gw GW] [dev IFACE]
//   route del default | -net NET netmask MASK | -host ADDR
//
// Changes go through SIOCADDRT / SIOCDELRT with a struct rtentry, as busybox's route does;
// a failure prints "route: SIOCADDRT: Network is unreachable" and exits 1.

import { printf, fprintf, readLine } from "../lib/stdio";
import { open, close, ioctl, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { streq } from "../lib/string";
import { AF_INET, RTF_GATEWAY, RTF_HOST, RTF_UP, SIOCADDRT, SIOCDELRT, SOCK_DGRAM, ipText, parseIp, parsedIp, socket } from "../lib/socket";

const line = new StaticArray<u8>(256);
const rt = new StaticArray<u8>(96);
const flagText = new StaticArray<u8>(8);

/** A hex field of /proc/net/route at p; advances past it and the tab. */
let cursor: usize = 0;
function hexField(): u32 {
  let v: u32 = 0;
  for (;;) {
    const c = <u32>load<u8>(cursor);
    if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) v = v * 16 + c - "0".charCodeAt(0);
    else if (c >= "A".charCodeAt(0) && c <= "F".charCodeAt(0)) v = v * 16 + c - "A".charCodeAt(0) + 10;
    else if (c >= "a".charCodeAt(0) && c <= "f".charCodeAt(0)) v = v * 16 + c - "a".charCodeAt(0) + 10;
    else break;
    cursor++;
  }
  while (load<u8>(cursor) == "\t".charCodeAt(0) || load<u8>(cursor) == " ".charCodeAt(0)) cursor++;
  return v;
}
function decField(): i32 {
  let v = 0;
  while (load<u8>(cursor) >= "0".charCodeAt(0) && load<u8>(cursor) <= "9".charCodeAt(0)) v = v * 10 + load<u8>(cursor++) - "0".charCodeAt(0);
  while (load<u8>(cursor) == "\t".charCodeAt(0) || load<u8>(cursor) == " ".charCodeAt(0)) cursor++;
  return v;
}

function show(numeric: bool): i32 {
  const fd = open(changetype<usize>("/proc/net/route"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "route: /proc/net/route: %s\n", errorText());
    return 1;
  }
  printf("Kernel IP routing table\n");
  printf("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
  let n = 0;
  for (;;) {
    const len = readLine(fd, changetype<usize>(line), 256);
    if (len <= 0) break;
    if (n++ == 0) continue;
    const iface = changetype<usize>(line);
    cursor = iface;
    while (load<u8>(cursor) != "\t".charCodeAt(0) && load<u8>(cursor) != 0) cursor++;
    if (load<u8>(cursor) == 0) continue;
    store<u8>(cursor++, 0);
    const dst = hexField();
    const gw = hexField();
    const flags = hexField();
    const ref = decField();
    const use = decField();
    const metric = decField();
    const mask = hexField();
    let f = 0;
    const ft = changetype<usize>(flagText);
    if ((flags & RTF_UP) != 0) store<u8>(ft + f++, "U".charCodeAt(0));
    if ((flags & RTF_GATEWAY) != 0) store<u8>(ft + f++, "G".charCodeAt(0));
    if ((flags & RTF_HOST) != 0) store<u8>(ft + f++, "H".charCodeAt(0));
    store<u8>(ft + f, 0);
    const dstText = !numeric && dst == 0 ? changetype<usize>("default") : ipText(dst);
    const gwText = !numeric && gw == 0 ? changetype<usize>("*") : ipText(gw);
    printf("%-15.15s %-15.15s %-16s%-6s", dstText, gwText, ipText(mask), ft);
    printf("%-6d %-2d %7d %s\n", metric, ref, use, iface);
  }
  close(fd);
  return 0;
}

function usage(): i32 {
  fprintf(2, "Usage: route [-n] | route {add|del} {-net|-host} TARGET [netmask MASK] [gw GW] [dev IFACE] | {add|del} default gw GW\n");
  return 1;
}

function address(text: usize, out: usize): bool {
  if (!parseIp(text)) {
    fprintf(2, "route: resolving %s\n", text);
    return false;
  }
  memory_fill(out, 0, 16);
  store<u16>(out, AF_INET);
  store<u32>(out, parsedIp, 4);
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let a = 1;
  let numeric = false;
  while (a < argc && streq(load<usize>(argv + 4 * a), "-n")) {
    numeric = true;
    a++;
  }
  if (a >= argc) return show(numeric);
  const verb = load<usize>(argv + 4 * a++);
  const adding = streq(verb, "add");
  if (!adding && !streq(verb, "del") && !streq(verb, "delete")) return usage();
  const k = changetype<usize>(rt);
  memory_fill(k, 0, 96);
  let flags: u32 = RTF_UP;
  let haveMask = false;
  if (a >= argc) return usage();
  let target = load<usize>(argv + 4 * a++);
  if (streq(target, "-net") || streq(target, "-host")) {
    if (streq(target, "-host")) flags |= RTF_HOST;
    if (a >= argc) return usage();
    target = load<usize>(argv + 4 * a++);
  }
  if (streq(target, "default")) {
    store<u16>(k + 4, AF_INET);
    haveMask = true;
    store<u16>(k + 36, AF_INET);
  } else if (!address(target, k + 4)) return 1;
  let devName: usize = 0;
  while (a < argc) {
    const word = load<usize>(argv + 4 * a++);
    if (a >= argc) return usage();
    const value = load<usize>(argv + 4 * a++);
    if (streq(word, "gw")) {
      if (!address(value, k + 20)) return 1;
      flags |= RTF_GATEWAY;
    } else if (streq(word, "netmask") || streq(word, "genmask")) {
      if (!address(value, k + 36)) return 1;
      haveMask = true;
    } else if (streq(word, "dev")) devName = value;
    else if (streq(word, "metric")) store<i16>(k + 64, <i16>(load<u8>(value) - 47));
    else return usage();
  }
  if (!haveMask) {
    store<u16>(k + 36, AF_INET);
    store<u32>(k + 40, (flags & RTF_HOST) != 0 ? 0xffffffff : 0xffffffff);
  }
  store<u16>(k + 52, <u16>flags);
  store<u32>(k + 68, <u32>devName);
  const sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) {
    fprintf(2, "route: socket: %s\n", errorText());
    return 1;
  }
  if (ioctl(sock, adding ? SIOCADDRT : SIOCDELRT, k) < 0) {
    fprintf(2, "route: %s: %s\n", adding ? "SIOCADDRT" : "SIOCDELRT", errorText());
    return 1;
  }
  return 0;
}
