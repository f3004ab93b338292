// netstat: the IPv4 sockets, from /proc/net/tcp, /proc/net/udp and /proc/net/raw, in busybox's
// format.
//
//   netstat [-a|-l] [-n] [-t] [-u] [-w]
//
//   Active Internet connections (servers and established)
//   Proto Recv-Q Send-Q Local Address           Foreign Address         State
//   udp        0      0 0.0.0.0:9000            0.0.0.0:*
//
// Without -a only connected sockets are shown ("w/o servers"), with -l only the servers (TCP:
// LISTEN; UDP and raw: unconnected). -t: TCP, -u: UDP, -w: raw; all three by default. Without
// -n the address 0.0.0.0 shows as "*".

import { printf, readLine, snprintf } from "../lib/stdio";
import { open, close, O_RDONLY } from "../lib/unistd";
import { getopt } from "../lib/getopt";
import { ipText } from "../lib/socket";

const line = new StaticArray<u8>(256);
const local = new StaticArray<u8>(32);
const remote = new StaticArray<u8>(32);
let numeric = false;
let showListening = false;
let showConnected = true;

let cursor: usize = 0;
function hex(): u32 {
  let v: u32 = 0;
  while (load<u8>(cursor) == " ".charCodeAt(0) || load<u8>(cursor) == ":".charCodeAt(0)) cursor++;
  for (;;) {
    const c = <u32>load<u8>(cursor);
    if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) v = v * 16 + c - "0".charCodeAt(0);
    else if (c >= "A".charCodeAt(0) && c <= "F".charCodeAt(0)) v = v * 16 + c - "A".charCodeAt(0) + 10;
    else if (c >= "a".charCodeAt(0) && c <= "f".charCodeAt(0)) v = v * 16 + c - "a".charCodeAt(0) + 10;
    else break;
    cursor++;
  }
  return v;
}

function endpoint(buf: usize, addr: u32, port: u32): void {
  const host = addr == 0 && !numeric ? changetype<usize>("*") : ipText(addr);
  if (port == 0) snprintf(buf, 32, "%s:*", host);
  else snprintf(buf, 32, "%s:%u", host, port);
}

const tcpStates: StaticArray<string> = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
  "LAST_ACK", "LISTEN", "CLOSING"];

function list(path: string, proto: string): void {
  const tcp = changetype<usize>(proto) == changetype<usize>("tcp");
  const fd = open(changetype<usize>(path), O_RDONLY, 0);
  if (fd < 0) return;
  let n = 0;
  for (;;) {
    const len = readLine(fd, changetype<usize>(line), 256);
    if (len <= 0) break;
    if (n++ == 0) continue;
    cursor = changetype<usize>(line);
    hex(); // slot
    const laddr = hex();
    const lport = hex();
    const raddr = hex();
    const rport = hex();
    const state = hex();
    const txq = hex();
    const rxq = hex();
    const listening = tcp ? state == 10 : state != 1;
    if ((listening && !showListening) || (!listening && !showConnected)) continue;
    endpoint(changetype<usize>(local), laddr, lport);
    endpoint(changetype<usize>(remote), raddr, rport);
    const stateName = tcp ? (state <= 11 ? tcpStates[state] : "UNKNOWN") : state == 1 ? "ESTABLISHED" : "";
    printf("%-6s%6u%7u %-23s %-23s %-12s\n", proto, tcp && state == 10 ? 0 : rxq, tcp ? txq : 0, local,
      remote, stateName);
  }
  close(fd);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let tcp = false;
  let udp = false;
  let raw = false;
  for (;;) {
    const c = getopt(argc, argv, "alnuwt");
    if (c < 0) break;
    if (c == "a".charCodeAt(0)) { showListening = true; showConnected = true; }
    else if (c == "l".charCodeAt(0)) { showListening = true; showConnected = false; }
    else if (c == "n".charCodeAt(0)) numeric = true;
    else if (c == "u".charCodeAt(0)) udp = true;
    else if (c == "w".charCodeAt(0)) raw = true;
    else if (c == "t".charCodeAt(0)) tcp = true;
    else return 1;
  }
  if (!tcp && !udp && !raw) { tcp = true; udp = true; raw = true; }
  printf("Active Internet connections %s\n", showListening && showConnected ? "(servers and established)" : showListening ? "(only servers)" : "(w/o servers)");
  printf("Proto Recv-Q Send-Q %-23s %-23s State       \n", "Local Address", "Foreign Address");
  if (tcp) list("/proc/net/tcp", "tcp");
  if (udp) list("/proc/net/udp", "udp");
  if (raw) list("/proc/net/raw", "raw");
  return 0;
}
