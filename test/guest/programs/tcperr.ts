// tcperr: TCP's error numbers and edge cases over lo, both ends in this one process (over lo the
// handshake completes inside connect()). Prints each result as "-errno" or a count.
//
//   connect to a closed port           ECONNREFUSED
//   a second bind of a bound port      EADDRINUSE
//   recv before connect                ENOTCONN
//   send before connect                EPIPE, and SIGPIPE (caught here)
//   listen, connect, accept            addresses of both ends
//   send/recv, shutdown(SHUT_WR)       the peer reads end of file
//   close with unread data             the peer gets a RST: ECONNRESET, then EPIPE
//   socketcall(102) listen and accept  the same calls through the multiplexer

import { printf } from "../lib/stdio";
import { ipText, sockaddrIn } from "../lib/socket";
import { signal } from "../lib/signal";

declare function sys_socket(family: i32, type: i32, protocol: i32): i32;
declare function sys_bind(fd: i32, addr: usize, len: u32): i32;
declare function sys_connect(fd: i32, addr: usize, len: u32): i32;
declare function sys_listen(fd: i32, backlog: i32): i32;
declare function sys_accept4(fd: i32, addr: usize, len: usize, flags: i32): i32;
declare function sys_sendto(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: u32): i32;
declare function sys_recvfrom(fd: i32, buf: usize, len: u32, flags: u32, addr: usize, addrLen: usize): i32;
declare function sys_shutdown(fd: i32, how: i32): i32;
declare function sys_getsockname(fd: i32, addr: usize, len: usize): i32;
declare function sys_getpeername(fd: i32, addr: usize, len: usize): i32;
declare function sys_close(fd: i32): i32;
declare function sys_socketcall(call: i32, args: usize): i32;

const addr = new StaticArray<u8>(16);
const other = new StaticArray<u8>(16);
const len = new StaticArray<u32>(1);
const buf = new StaticArray<u8>(64);
const args = new StaticArray<u32>(6);
let sigpipes = 0;

function onSigpipe(sig: i32): void {
  sigpipes++;
}

function tcpSocket(): i32 { return sys_socket(2, 1, 0); }

function at(port: u32): usize {
  sockaddrIn(changetype<usize>(addr), 0x0100007f, port); // 127.0.0.1
  return changetype<usize>(addr);
}

function show(what: string, fd: i32, peer: bool): void {
  len[0] = 16;
  const r = peer ? sys_getpeername(fd, changetype<usize>(other), changetype<usize>(len)) : sys_getsockname(fd, changetype<usize>(other), changetype<usize>(len));
  const p = changetype<usize>(other);
  printf("%s %d %s:%u\n", changetype<usize>(what), r, ipText(load<u32>(p + 4)), <u32>load<u8>(p + 2) << 8 | load<u8>(p + 3));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  signal(13, changetype<usize>(onSigpipe));
  let fd = tcpSocket();
  printf("refused %d\n", sys_connect(fd, at(7009), 16));
  sys_close(fd);

  const l = tcpSocket();
  printf("bind %d\n", sys_bind(l, at(7001), 16));
  fd = tcpSocket();
  printf("inuse %d\n", sys_bind(fd, at(7001), 16));
  printf("recv unconnected %d\n", sys_recvfrom(fd, changetype<usize>(buf), 64, 0, 0, 0));
  printf("send unconnected %d sigpipe %d\n", sys_sendto(fd, changetype<usize>(buf), 4, 0, 0, 0), sigpipes);
  printf("listen %d\n", sys_listen(l, 5));
  printf("connect %d\n", sys_connect(fd, at(7001), 16));
  len[0] = 16;
  const a = sys_accept4(l, changetype<usize>(other), changetype<usize>(len), 0);
  printf("accept %d from %s\n", a > 0 ? 0 : a, ipText(load<u32>(changetype<usize>(other) + 4)));
  show("getsockname", a, false);
  show("getpeername", fd, true);
  store<u32>(changetype<usize>(buf), 0x6c6c6568); // "hell"
  store<u8>(changetype<usize>(buf) + 4, 0x6f); //     "o"
  printf("send %d\n", sys_sendto(fd, changetype<usize>(buf), 5, 0, 0, 0));
  printf("shutdown %d\n", sys_shutdown(fd, 1));
  const n = sys_recvfrom(a, changetype<usize>(buf) + 8, 32, 0, 0, 0);
  store<u8>(changetype<usize>(buf) + 8 + <usize>(n > 0 ? n : 0), 0);
  printf("recv %d %s\n", n, changetype<usize>(buf) + 8);
  printf("recv at end %d\n", sys_recvfrom(a, changetype<usize>(buf) + 8, 32, 0, 0, 0));
  printf("send after shutdown %d sigpipe %d\n", sys_sendto(fd, changetype<usize>(buf), 4, 0, 0, 0), sigpipes);
  // The other way: a sends, fd reads; then a closes with data it never read → RST.
  printf("send back %d\n", sys_sendto(a, changetype<usize>(buf), 3, 0, 0, 0));
  printf("recv back %d\n", sys_recvfrom(fd, changetype<usize>(buf) + 8, 32, 0, 0, 0));
  sys_close(fd);
  fd = tcpSocket();
  sys_connect(fd, at(7001), 16);
  const b = sys_accept4(l, 0, 0, 0);
  sys_sendto(fd, changetype<usize>(buf), 4, 0, 0, 0);
  printf("close unread %d\n", sys_close(b));
  printf("recv reset %d\n", sys_recvfrom(fd, changetype<usize>(buf) + 8, 32, 0, 0, 0));
  printf("send reset %d sigpipe %d\n", sys_sendto(fd, changetype<usize>(buf), 4, 0, 0, 0), sigpipes);
  sys_close(fd);
  sys_close(a);
  // socketcall: listen(4) and accept(5) on a fresh pair.
  const l2 = tcpSocket();
  sys_bind(l2, at(7002), 16);
  args[0] = <u32>l2; args[1] = 1;
  printf("socketcall listen %d\n", sys_socketcall(4, changetype<usize>(args)));
  fd = tcpSocket();
  sys_connect(fd, at(7002), 16);
  args[0] = <u32>l2; args[1] = 0; args[2] = 0;
  const c = sys_socketcall(5, changetype<usize>(args));
  printf("socketcall accept %d\n", c > 0 ? 0 : c);
  sys_close(c);
  sys_close(fd);
  sys_close(l2);
  sys_close(l);
  return 0;
}
