// sockcall: UDP through socketcall(102), the multiplexer older libcs use, over lo: socket,
// bind, getsockname, sendto itself, recvfrom; then the errors of bad calls. Prints each result.

import { printf } from "../lib/stdio";
import { ipText, sockaddrIn } from "../lib/socket";

declare function sys_socketcall(call: i32, args: usize): i32;

const args = new StaticArray<u32>(6);
const addr = new StaticArray<u8>(16);
const from = new StaticArray<u8>(16);
const len = new StaticArray<u32>(1);
const buf = new StaticArray<u8>(64);

function call(n: i32, a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32): i32 {
  args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5;
  return sys_socketcall(n, changetype<usize>(args));
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const fd = call(1, 2, 2, 0, 0, 0, 0); // socket(AF_INET, SOCK_DGRAM, 0)
  printf("socket %d\n", fd >= 0 ? 0 : fd);
  sockaddrIn(changetype<usize>(addr), 0x0100007f, 7777); // 127.0.0.1:7777
  printf("bind %d\n", call(2, <u32>fd, changetype<usize>(addr), 16, 0, 0, 0));
  len[0] = 16;
  printf("getsockname %d", call(6, <u32>fd, changetype<usize>(from), changetype<usize>(len), 0, 0, 0));
  printf(" %s:%u\n", ipText(load<u32>(changetype<usize>(from) + 4)), <u32>load<u8>(changetype<usize>(from) + 2) << 8 | load<u8>(changetype<usize>(from) + 3));
  store<u32>(changetype<usize>(buf), 0x6f6c6568); // "helo"
  printf("sendto %d\n", call(11, <u32>fd, changetype<usize>(buf), 4, 0, changetype<usize>(addr), 16));
  len[0] = 16;
  const n = call(12, <u32>fd, changetype<usize>(buf) + 8, 32, 0, changetype<usize>(from), changetype<usize>(len));
  store<u8>(changetype<usize>(buf) + 8 + <usize>(n > 0 ? n : 0), 0);
  printf("recvfrom %d %s from %s\n", n, changetype<usize>(buf) + 8, ipText(load<u32>(changetype<usize>(from) + 4)));
  printf("bad call %d\n", sys_socketcall(99, changetype<usize>(args)));
  printf("bad args %d\n", sys_socketcall(1, 16));
  printf("not a socket %d\n", call(2, 0, changetype<usize>(addr), 16, 0, 0, 0));
  printf("no family %d\n", call(1, 45, 2, 0, 0, 0, 0));
  return 0;
}
