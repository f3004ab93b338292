// du: show the space files use, in 1 KiB units (busybox du's common options).
//   -s  only a total for each argument   -a  every file too, not only directories
//   -h  sizes as 1.5K, 20.0M              -k  1 KiB units (the default)
// The space is st_blocks (512-byte sectors the file system gave the file), so a sparse
// file counts less than its size and a small file a whole block. Without arguments: ".".

import { printf, fprintf } from "../lib/stdio";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";
import { Stat, lstat, isDir } from "../lib/stat";
import { opendir, readdir, closedir, direntName } from "../lib/dirent";
import { streq } from "../lib/string";
import { Strbuf, sbNew, sbAdd, sbAddChar, sbTruncate, humanSize } from "../lib/text/text";

let summary = false, all = false, human = false;
let status = 0;
let statBuf = new StaticArray<u8>(64);
let sizeText = new StaticArray<u8>(16);

function st(): Stat {
  return changetype<Stat>(changetype<usize>(statBuf));
}

function show(blocks: u32, path: usize): void {
  if (human) {
    humanSize(changetype<usize>(sizeText), blocks * 512);
    printf("%s\t%s\n", sizeText, path);
  } else printf("%u\t%s\n", blocks / 2, path);
}

// files with several links count once, as busybox counts them: the (device, inode) pairs seen
const MAX_SEEN = 1024;
let seenDev = new StaticArray<u32>(MAX_SEEN);
let seenIno = new StaticArray<u32>(MAX_SEEN);
let seenCount = 0;

function seenBefore(dev: u32, ino: u32): bool {
  for (let i = 0; i < seenCount; i++) if (seenDev[i] == dev && seenIno[i] == ino) return true;
  if (seenCount < MAX_SEEN) {
    seenDev[seenCount] = dev;
    seenIno[seenCount++] = ino;
  }
  return false;
}

/** The 512-byte blocks under path (held in b); prints as the options say. */
function walk(b: Strbuf, depth: i32): u32 {
  if (lstat(b.data, st()) < 0) {
    fprintf(2, "du: %s: %s\n", b.data, errorText());
    status = 1;
    return 0;
  }
  let total = st().blocks;
  if (!isDir(st().mode) && st().nlink > 1 && seenBefore(st().dev, st().ino)) return 0;
  if (!isDir(st().mode)) {
    if (depth == 0 || (all && !summary)) show(total, b.data);
    return total;
  }
  const dir = opendir(b.data);
  if (dir == null) {
    fprintf(2, "du: %s: %s\n", b.data, errorText());
    status = 1;
  } else {
    const len = b.len;
    for (;;) {
      const ent = readdir(dir);
      if (ent == 0) break;
      const name = direntName(ent);
      if (streq(name, ".") || streq(name, "..")) continue;
      if (load<u8>(b.data + len - 1) != "/".charCodeAt(0)) sbAddChar(b, "/".charCodeAt(0));
      sbAdd(b, name);
      total += walk(b, depth + 1);
      sbTruncate(b, len);
    }
    closedir(dir);
  }
  if (!summary || depth == 0) show(total, b.data);
  return total;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  for (;;) {
    const c = getopt(argc, argv, "sahkmcxdL");
    if (c < 0) break;
    if (c == "s".charCodeAt(0)) summary = true;
    else if (c == "a".charCodeAt(0)) all = true;
    else if (c == "h".charCodeAt(0)) human = true;
    else if (c == "?".charCodeAt(0)) return 1;
  }
  const b = sbNew();
  if (optind >= argc) {
    sbAdd(b, changetype<usize>("."));
    walk(b, 0);
  }
  for (let i = optind; i < argc; i++) {
    sbTruncate(b, 0);
    sbAdd(b, load<usize>(argv + 4 * i));
    walk(b, 0);
  }
  return status;
}
