// MD5-crypt: the "$1$salt$hash" password hashes of /etc/shadow (Poul-Henning Kamp's FreeBSD
// algorithm, which glibc's crypt() and `openssl passwd -1` compute), for su.
//
//   1. A = MD5(password, "$1$", salt, bytes of MD5(password, salt, password) — as many as the
//      password is long —, then for each bit of the password's length from the lowest: a NUL
//      byte if the bit is 1, the password's first byte if it is 0)
//   2. 1000 rounds, each MD5 of: (password or A), salt unless round % 3 == 0, password unless
//      round % 7 == 0, (A or password) — odd rounds take the password first
//   3. the 16 bytes, regrouped in threes (0,6,12 1,7,13 2,8,14 3,9,15 4,10,5 11), written
//      six bits at a time, lowest first, with the alphabet "./0-9A-Za-z": 22 characters.

import { Md5, md5New, md5Free, md5Update, md5Final } from "./md5";
import { strlen, strncmp } from "../string";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const digest = new StaticArray<u8>(16);
const zero = new StaticArray<u8>(1);

function update(h: Md5, p: usize, n: i32): void {
  if (n > 0) md5Update(h, p, <u32>n);
}

function byteAt(i: i32): u32 {
  return <u32>digest[i];
}

function put64(out: usize, at: i32, v: u32, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    store<u8>(out + <usize>at++, load<u8>(changetype<usize>(ITOA64) + (v & 0x3f)));
    v >>= 6;
  }
  return at;
}

/**
 * Hashes `password` with the salt of `setting` ("$1$SALT$…" or "$1$SALT"; at most 8 salt bytes)
 * into out (at least 40 bytes): "$1$SALT$HASH", NUL-terminated. False if setting is not "$1$".
 */
export function md5crypt(password: usize, setting: usize, out: usize): bool {
  if (strncmp(setting, changetype<usize>("$1$"), 3) != 0) return false;
  const salt = setting + 3;
  let saltLen = 0;
  while (saltLen < 8 && load<u8>(salt + <usize>saltLen) != 0 && load<u8>(salt + <usize>saltLen) != "$".charCodeAt(0)) saltLen++;
  const pwLen = strlen(password);
  const d = changetype<usize>(digest);
  // MD5(password, salt, password)
  let h = md5New();
  if (changetype<usize>(h) == 0) return false;
  update(h, password, pwLen);
  update(h, salt, saltLen);
  update(h, password, pwLen);
  md5Final(h, d);
  md5Free(h);
  // A
  h = md5New();
  if (changetype<usize>(h) == 0) return false;
  update(h, password, pwLen);
  update(h, changetype<usize>("$1$"), 3);
  update(h, salt, saltLen);
  for (let left = pwLen; left > 0; left -= 16) update(h, d, left > 16 ? 16 : left);
  for (let bits = pwLen; bits != 0; bits >>= 1) update(h, (bits & 1) != 0 ? changetype<usize>(zero) : password, 1);
  md5Final(h, d);
  md5Free(h);
  // 1000 rounds
  for (let round = 0; round < 1000; round++) {
    h = md5New();
    if (changetype<usize>(h) == 0) return false;
    if ((round & 1) != 0) update(h, password, pwLen);
    else update(h, d, 16);
    if (round % 3 != 0) update(h, salt, saltLen);
    if (round % 7 != 0) update(h, password, pwLen);
    if ((round & 1) != 0) update(h, d, 16);
    else update(h, password, pwLen);
    md5Final(h, d);
    md5Free(h);
  }
  // "$1$SALT$" + 22 characters
  let at = 0;
  memory_copy(out, changetype<usize>("$1$"), 3);
  at = 3;
  memory_copy(out + 3, salt, <usize>saltLen);
  at += saltLen;
  store<u8>(out + <usize>at++, 0x24);
  at = put64(out, at, (byteAt(0) << 16) | (byteAt(6) << 8) | byteAt(12), 4);
  at = put64(out, at, (byteAt(1) << 16) | (byteAt(7) << 8) | byteAt(13), 4);
  at = put64(out, at, (byteAt(2) << 16) | (byteAt(8) << 8) | byteAt(14), 4);
  at = put64(out, at, (byteAt(3) << 16) | (byteAt(9) << 8) | byteAt(15), 4);
  at = put64(out, at, (byteAt(4) << 16) | (byteAt(10) << 8) | byteAt(5), 4);
  at = put64(out, at, byteAt(11), 2);
  store<u8>(out + <usize>at, 0);
  return true;
}
