// ifconfig: show and configure network interfaces, in busybox's format.
//
//   ifconfig                 the interfaces that are up
//   ifconfig -a              all of them
//   ifconfig IFACE           that one
//   ifconfig IFACE [ADDR] [netmask MASK] [broadcast ADDR] [mtu N] [up|down]
//
// Names and counters come from /proc/net/dev (as busybox reads them), the rest from the
// SIOCGIF* ioctls on a UDP socket; settings go through SIOCSIF*. Interfaces are listed in name
// order (busybox sorts them), each block ends with an empty line:
//
//   eth0      Link encap:Ethernet  HWaddr 00:22:15:F1:9B:E5
//             inet addr:192.168.86.100  Bcast:192.168.86.255  Mask:255.255.255.0
//             UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
//             RX packets:2 errors:0 dropped:0 overruns:0 frame:0
//             TX packets:3 errors:0 dropped:0 overruns:0 carrier:0
//             collisions:0 txqueuelen:1000
//             RX bytes:638 (638.0 B)  TX bytes:774 (774.0 B)
//             Interrupt:10 Base address:0x300

import { printf, fprintf, readLine } from "../lib/stdio";
import { open, close, ioctl, O_RDONLY } from "../lib/unistd";
import { errno, errorText } from "../lib/errno";
import { strcmp, streq, strlen, atoi } from "../lib/string";
import {
  AF_INET, IFF_ALLMULTI, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_NOARP, IFF_PROMISC, IFF_RUNNING, IFF_UP, SIOCGIFADDR,
  SIOCGIFBRDADDR, SIOCGIFFLAGS, SIOCGIFHWADDR, SIOCGIFMAP, SIOCGIFMTU, SIOCGIFNETMASK, SIOCGIFTXQLEN, SIOCSIFADDR, SIOCSIFBRDADDR,
  SIOCSIFFLAGS, SIOCSIFMTU, SIOCSIFNETMASK, SOCK_DGRAM, ifreqFor, ipText, parseIp, parsedIp, socket,
} from "../lib/socket";

const MAX_IF = 16;
const names = new StaticArray<u8>(16 * 16);
const stats = new StaticArray<u32>(16 * 16);
let count = 0;
const line = new StaticArray<u8>(256);
const ifr = new StaticArray<u8>(32);
let sock = -1;

function nameAt(i: i32): usize { return changetype<usize>(names) + <usize>(i * 16); }
function stat(i: i32, k: i32): u32 { return stats[i * 16 + k]; }

/** Reads /proc/net/dev: names and the 16 counters of every interface. */
function readProcNetDev(): bool {
  const fd = open(changetype<usize>("/proc/net/dev"), O_RDONLY, 0);
  if (fd < 0) return false;
  let n = 0;
  for (;;) {
    const len = readLine(fd, changetype<usize>(line), 256);
    if (len <= 0) break;
    if (n++ < 2 || count >= MAX_IF) continue;
    let p = changetype<usize>(line);
    while (load<u8>(p) == " ".charCodeAt(0)) p++;
    const name = nameAt(count);
    let k = 0;
    while (load<u8>(p) != ":".charCodeAt(0) && load<u8>(p) != 0 && k < 15) store<u8>(name + k++, load<u8>(p++));
    store<u8>(name + k, 0);
    if (load<u8>(p) != ":".charCodeAt(0)) continue;
    p++;
    for (let f = 0; f < 16; f++) {
      while (load<u8>(p) == " ".charCodeAt(0)) p++;
      let v: u32 = 0;
      while (load<u8>(p) >= "0".charCodeAt(0) && load<u8>(p) <= "9".charCodeAt(0)) v = v * 10 + load<u8>(p++) - "0".charCodeAt(0);
      stats[count * 16 + f] = v;
    }
    count++;
  }
  close(fd);
  // Sort by name (insertion sort; a handful of interfaces).
  for (let i = 1; i < count; i++) {
    for (let j = i; j > 0 && strcmp(nameAt(j - 1), nameAt(j)) > 0; j--) swap(j - 1, j);
  }
  return true;
}

const tmpName = new StaticArray<u8>(16);
function swap(a: i32, b: i32): void {
  memory_copy(changetype<usize>(tmpName), nameAt(a), 16);
  memory_copy(nameAt(a), nameAt(b), 16);
  memory_copy(nameAt(b), changetype<usize>(tmpName), 16);
  for (let k = 0; k < 16; k++) {
    const t = stats[a * 16 + k];
    stats[a * 16 + k] = stats[b * 16 + k];
    stats[b * 16 + k] = t;
  }
}

function get(name: usize, cmd: u32): bool {
  ifreqFor(changetype<usize>(ifr), name);
  return ioctl(sock, cmd, changetype<usize>(ifr)) == 0;
}

function u32At(off: i32): u32 { return load<u32>(changetype<usize>(ifr) + <usize>off); }

const units: StaticArray<string> = ["Ki", "Mi", "Gi"];

/** busybox's print_bytes_scaled: "638 (638.0 B)", "480034879 (457.7 MiB)". */
function printBytes(label: string, v: u32, end: string): void {
  let intPart = v;
  let frac: u32 = 0;
  let unit = "";
  for (let i = 0; i < 3 && intPart >= 1024; i++) {
    frac = ((intPart & 1023) * 10) / 1024;
    intPart /= 1024;
    unit = units[i];
  }
  printf("%s bytes:%u (%u.%u %sB)%s", label, v, intPart, frac, unit, end);
}

const flagBits: StaticArray<u32> = [IFF_UP, IFF_BROADCAST, 0x4, IFF_LOOPBACK, 0x10, 0x20, IFF_RUNNING, IFF_NOARP, IFF_PROMISC, IFF_ALLMULTI, IFF_MULTICAST];
const flagNames: StaticArray<string> = ["UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "NOTRAILERS", "RUNNING", "NOARP", "PROMISC", "ALLMULTI", "MULTICAST"];

/** Prints interface i; false if the kernel does not know it. */
function show(i: i32): bool {
  const name = nameAt(i);
  if (!get(name, SIOCGIFFLAGS)) return false;
  const flags = <u32>load<u16>(changetype<usize>(ifr) + 16);
  get(name, SIOCGIFHWADDR);
  const hwType = <u32>load<u16>(changetype<usize>(ifr) + 16);
  const mac = changetype<usize>(ifr) + 18;
  if (hwType == 772) printf("%-9s Link encap:Local Loopback  \n", name);
  else {
    printf("%-9s Link encap:Ethernet  ", name);
    printf("HWaddr %02X:%02X:%02X:%02X:%02X:%02X  \n", load<u8>(mac), load<u8>(mac + 1), load<u8>(mac + 2), load<u8>(mac + 3), load<u8>(mac + 4),
      load<u8>(mac + 5));
  }
  if (get(name, SIOCGIFADDR)) {
    const addr = u32At(20);
    get(name, SIOCGIFBRDADDR);
    const bcast = u32At(20);
    get(name, SIOCGIFNETMASK);
    const mask = u32At(20);
    printf("          inet addr:%s ", ipText(addr));
    if ((flags & IFF_BROADCAST) != 0) printf(" Bcast:%s ", ipText(bcast));
    printf(" Mask:%s\n", ipText(mask));
  }
  printf("          ");
  if (flags == 0) printf("[NO FLAGS] ");
  for (let b = 0; b < flagBits.length; b++) if ((flags & flagBits[b]) != 0) printf("%s ", flagNames[b]);
  get(name, SIOCGIFMTU);
  printf(" MTU:%d  Metric:%d\n", u32At(16), 1);
  printf("          RX packets:%u errors:%u dropped:%u overruns:%u frame:%u\n", stat(i, 1), stat(i, 2), stat(i, 3), stat(i, 4), stat(i, 5));
  printf("          TX packets:%u errors:%u dropped:%u overruns:%u carrier:%u\n", stat(i, 9), stat(i, 10), stat(i, 11), stat(i, 12), stat(i, 14));
  get(name, SIOCGIFTXQLEN);
  printf("          collisions:%u txqueuelen:%u \n", stat(i, 13), u32At(16));
  printf("          ");
  printBytes("RX", stat(i, 0), "  ");
  printBytes("TX", stat(i, 8), "\n");
  if (get(name, SIOCGIFMAP)) {
    const base = <u32>load<u16>(changetype<usize>(ifr) + 24);
    const irq = <u32>load<u8>(changetype<usize>(ifr) + 26);
    if (irq != 0 || base != 0) {
      printf("          ");
      if (irq != 0) printf("Interrupt:%u ", irq);
      if (base >= 0x100) printf("Base address:0x%x ", base);
      printf("\n");
    }
  }
  printf("\n");
  return true;
}

function findIndex(name: usize): i32 {
  for (let i = 0; i < count; i++) if (strcmp(nameAt(i), name) == 0) return i;
  return -1;
}

function fail(what: string): i32 {
  fprintf(2, "ifconfig: %s: %s\n", what, errorText());
  return 1;
}

/** Sets an address-valued option (cmd) from the text at arg. */
function setAddr(name: usize, cmd: u32, what: string, arg: usize): i32 {
  if (!parseIp(arg)) {
    fprintf(2, "ifconfig: bad address '%s'\n", arg);
    return 1;
  }
  ifreqFor(changetype<usize>(ifr), name);
  store<u16>(changetype<usize>(ifr) + 16, AF_INET);
  store<u32>(changetype<usize>(ifr) + 20, parsedIp);
  if (ioctl(sock, cmd, changetype<usize>(ifr)) < 0) return fail(what);
  return 0;
}

function setFlags(name: usize, set: u32, clear: u32): i32 {
  if (!get(name, SIOCGIFFLAGS)) return fail("SIOCGIFFLAGS");
  let flags = <u32>load<u16>(changetype<usize>(ifr) + 16);
  flags = (flags | set) & ~clear;
  store<u16>(changetype<usize>(ifr) + 16, <u16>flags);
  if (ioctl(sock, SIOCSIFFLAGS, changetype<usize>(ifr)) < 0) return fail("SIOCSIFFLAGS");
  return 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) return fail("socket");
  if (!readProcNetDev()) {
    fprintf(2, "ifconfig: /proc/net/dev: %s\n", errorText());
    return 1;
  }
  let all = false;
  let a = 1;
  if (a < argc && streq(load<usize>(argv + 4), "-a")) {
    all = true;
    a++;
  }
  if (a >= argc) {
    for (let i = 0; i < count; i++) {
      if (!all && get(nameAt(i), SIOCGIFFLAGS) && (load<u16>(changetype<usize>(ifr) + 16) & IFF_UP) == 0) continue;
      show(i);
    }
    return 0;
  }
  const name = load<usize>(argv + 4 * a++);
  if (a >= argc) {
    const i = findIndex(name);
    if (i < 0 || !show(i)) {
      fprintf(2, "ifconfig: %s: error fetching interface information: Device not found\n", name);
      return 1;
    }
    return 0;
  }
  ifreqFor(changetype<usize>(ifr), name);
  if (ioctl(sock, SIOCGIFFLAGS, changetype<usize>(ifr)) < 0) return fail("SIOCGIFFLAGS");
  while (a < argc) {
    const arg = load<usize>(argv + 4 * a++);
    let r = 0;
    if (streq(arg, "up")) r = setFlags(name, IFF_UP, 0);
    else if (streq(arg, "down")) r = setFlags(name, 0, IFF_UP);
    else if (streq(arg, "netmask") || streq(arg, "broadcast") || streq(arg, "mtu")) {
      if (a >= argc) {
        fprintf(2, "ifconfig: option '%s' needs an argument\n", arg);
        return 1;
      }
      const value = load<usize>(argv + 4 * a++);
      if (streq(arg, "netmask")) r = setAddr(name, SIOCSIFNETMASK, "SIOCSIFNETMASK", value);
      else if (streq(arg, "broadcast")) r = setAddr(name, SIOCSIFBRDADDR, "SIOCSIFBRDADDR", value);
      else {
        ifreqFor(changetype<usize>(ifr), name);
        store<i32>(changetype<usize>(ifr) + 16, atoi(value));
        if (ioctl(sock, SIOCSIFMTU, changetype<usize>(ifr)) < 0) r = fail("SIOCSIFMTU");
      }
    } else {
      // An address: set it, and bring the interface up (as busybox does).
      r = setAddr(name, SIOCSIFADDR, "SIOCSIFADDR", arg);
      if (r == 0) r = setFlags(name, IFF_UP | IFF_RUNNING, 0);
    }
    if (r != 0) return r;
  }
  return 0;
}
