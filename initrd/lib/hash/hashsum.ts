// md5sum and sha1sum: one main for both, as busybox's md5_sha1_sum.c.
//
//   md5sum [-c[sw]] [FILE]...     print "HASH  FILE" per file ("-" or none: standard input)
//   -c   FILE lists "HASH  NAME" lines: check each NAME, print "NAME: OK" or "NAME: FAILED",
//        and on any failure "md5sum: WARNING: N of M computed checksums did NOT match"
//   -s   with -c, print nothing (the exit status tells)
//   -w   with -c, warn about lines that are not "HASH NAME"
//   -b, -t are accepted and ignored (binary and text are the same on Linux)
//
// Exit status 1 when a file cannot be read or a check fails, else 0.

import { printf, fprintf, readLine } from "../stdio";
import { open, close, read, O_RDONLY } from "../unistd";
import { errorText } from "../errno";
import { getopt, optind } from "../getopt";
import { streq, strchr, tolower } from "../string";
import { Md5, md5New, md5Update, md5Final, md5Free } from "./md5";
import { Sha1, sha1New, sha1Update, sha1Final, sha1Free } from "./sha1";

export const HASH_MD5 = 0, HASH_SHA1 = 1;

const CHUNK = 65536;
let chunk = new StaticArray<u8>(CHUNK);
let digest = new StaticArray<u8>(20);
let hexDigest = new StaticArray<u8>(41);
let line = new StaticArray<u8>(4096);

function toolName(algo: i32): usize {
  return changetype<usize>(algo == HASH_MD5 ? "md5sum" : "sha1sum");
}

/** Hashes the file at `path` ("-": standard input) into hexDigest. False (message printed)
 *  when it cannot be opened or read. */
function hashFile(algo: i32, path: usize): bool {
  const fd = streq(path, "-") ? 0 : open(path, O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "%s: can't open '%s': %s\n", toolName(algo), path, errorText());
    return false;
  }
  const md5 = algo == HASH_MD5 ? md5New() : changetype<Md5>(0);
  const sha1 = algo == HASH_SHA1 ? sha1New() : changetype<Sha1>(0);
  const buf = changetype<usize>(chunk);
  let ok = true;
  for (;;) {
    const n = read(fd, buf, CHUNK);
    if (n < 0) {
      fprintf(2, "%s: can't read '%s': %s\n", toolName(algo), path, errorText());
      ok = false;
      break;
    }
    if (n == 0) break;
    if (algo == HASH_MD5) md5Update(md5, buf, n);
    else sha1Update(sha1, buf, n);
  }
  if (fd != 0) close(fd);
  const out = changetype<usize>(digest);
  let size = 16;
  if (algo == HASH_MD5) {
    md5Final(md5, out);
    md5Free(md5);
  } else {
    sha1Final(sha1, out);
    sha1Free(sha1);
    size = 20;
  }
  const hex = changetype<usize>(hexDigest);
  const digits = changetype<usize>("0123456789abcdef");
  for (let i = 0; i < size; i++) {
    const b = load<u8>(out + i);
    store<u8>(hex + 2 * i, load<u8>(digits + (b >> 4)));
    store<u8>(hex + 2 * i + 1, load<u8>(digits + (b & 15)));
  }
  store<u8>(hex + 2 * size, 0);
  return ok;
}

/** Compares the hex text at `given` (ending at a NUL) with hexDigest, ignoring case. */
function sameHex(given: usize): bool {
  const hex = changetype<usize>(hexDigest);
  for (let i = 0; ; i++) {
    const a = tolower(load<u8>(given + i));
    const b = load<u8>(hex + i);
    if (a != b) return false;
    if (b == 0) return true;
  }
  return false;
}

/** -c: checks every "HASH  NAME" line of the list file. Returns the exit status. */
function checkList(algo: i32, listPath: usize, silent: bool, warn: bool): i32 {
  const fd = streq(listPath, "-") ? 0 : open(listPath, O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "%s: can't open '%s': %s\n", toolName(algo), listPath, errorText());
    return 1;
  }
  const buf = changetype<usize>(line);
  let total = 0, failed = 0, status = 0;
  for (;;) {
    const n = readLine(fd, buf, 4096);
    if (n <= 0) break;
    if (load<u8>(buf + n - 1) == "\n".charCodeAt(0)) store<u8>(buf + n - 1, 0);
    total++;
    let name = strchr(buf, " ".charCodeAt(0));
    if (name == 0) {
      if (warn) fprintf(2, "%s: invalid format\n", toolName(algo));
      failed++;
      status = 1;
      continue;
    }
    store<u8>(name++, 0);
    // "HASH  NAME" (two spaces), "HASH *NAME" (binary mark) or coreutils 9's "HASH NAME"
    if (load<u8>(name) == " ".charCodeAt(0) || load<u8>(name) == "*".charCodeAt(0)) name++;
    if (hashFile(algo, name) && sameHex(buf)) {
      if (!silent) printf("%s: OK\n", name);
    } else {
      if (!silent) printf("%s: FAILED\n", name);
      failed++;
      status = 1;
    }
  }
  if (fd != 0) close(fd);
  if (failed > 0 && !silent) fprintf(2, "%s: WARNING: %d of %d computed checksums did NOT match\n", toolName(algo), failed, total);
  if (total == 0) {
    fprintf(2, "%s: %s: no checksum lines found\n", toolName(algo), listPath);
    status = 1;
  }
  return status;
}

export function hashsumMain(argc: i32, argv: usize, algo: i32): i32 {
  let check = false, silent = false, warn = false;
  for (;;) {
    const c = getopt(argc, argv, "scwbt");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) check = true;
    else if (c == "s".charCodeAt(0)) silent = true;
    else if (c == "w".charCodeAt(0)) warn = true;
    else if (c == "b".charCodeAt(0) || c == "t".charCodeAt(0)) {}
    else return 1;
  }
  let status = 0;
  const dash = changetype<usize>("-");
  const first = optind;
  const count = argc > first ? argc - first : 1;
  for (let i = 0; i < count; i++) {
    const path = argc > first ? load<usize>(argv + 4 * (first + i)) : dash;
    if (check) {
      if (checkList(algo, path, silent, warn) != 0) status = 1;
    } else if (hashFile(algo, path)) {
      printf("%s  %s\n", hexDigest, path);
    } else {
      status = 1;
    }
  }
  return status;
}
