// rawread: reads the terminal byte by byte in raw mode with echo off, as an editor or a game
// does. It clears ICANON and ECHO (and ICRNL, so Enter arrives as "\r"), asks for VMIN = 1,
// VTIME = 0, says "raw: ready", then prints each byte it gets as "<xx>" until it reads "q";
// then it puts the old settings back and says "raw: done N" (N = bytes read). With an argument
// (`rawread t`) it asks for VMIN = 0, VTIME = 3 instead: each read returns one byte, or 0 after
// 0.3 s without input, which it shows as "(timeout)" and stops. Used by
// test/guest/tty.test.ts (built into the test initrd as /bin/rawread).

import { ioctl, read, write } from "../lib/unistd";

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const ICRNL: u32 = 0o400;
const ICANON: u32 = 0o2;
const ECHO: u32 = 0o10;
const VTIME = 5;
const VMIN = 6;

const saved = new StaticArray<u8>(36); // Linux i386 struct termios
const raw = new StaticArray<u8>(36);
const byte = new StaticArray<u8>(1);
const text = new StaticArray<u8>(16);

function say(s: string): void {
  let n: usize = 0;
  while (load<u8>(changetype<usize>(s) + n) != 0) n++;
  write(1, changetype<usize>(s), n);
}

function hexDigit(v: u32): u8 {
  return <u8>(v < 10 ? 0x30 + v : 0x61 + v - 10);
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (ioctl(0, TCGETS, changetype<usize>(saved)) < 0) {
    say("raw: not a terminal\n");
    return 1;
  }
  memory_copy(changetype<usize>(raw), changetype<usize>(saved), 36);
  const rawAddress = changetype<usize>(raw);
  store<u32>(rawAddress, load<u32>(rawAddress) & ~ICRNL); // c_iflag
  store<u32>(rawAddress + 12, load<u32>(rawAddress + 12) & ~(ICANON | ECHO)); // c_lflag
  const timed = argc > 1;
  raw[17 + VTIME] = timed ? 3 : 0;
  raw[17 + VMIN] = timed ? 0 : 1;
  if (ioctl(0, TCSETS, rawAddress) < 0) {
    say("raw: TCSETS failed\n");
    return 1;
  }
  say("raw: ready\n");
  let count = 0;
  while (true) {
    const n = read(0, changetype<usize>(byte), 1);
    if (n == 0 && timed) say("(timeout)");
    if (n <= 0) break;
    count++;
    const c = <u32>byte[0];
    text[0] = 0x3c;
    text[1] = hexDigit(c >> 4);
    text[2] = hexDigit(c & 15);
    text[3] = 0x3e;
    write(1, changetype<usize>(text), 4);
    if (c == 0x71) break; // 'q'
  }
  ioctl(0, TCSETS, changetype<usize>(saved));
  say("\nraw: done ");
  let digits = 0;
  let v = count;
  do {
    text[digits++] = <u8>(0x30 + v % 10);
    v = v / 10;
  } while (v > 0);
  while (digits > 0) write(1, changetype<usize>(text) + <usize>--digits, 1);
  say("\n");
  return 0;
}
