// dd: copy a file in blocks, busybox's dd.
//
//   dd [if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]
//      [conv=notrunc,sync,noerror,fsync,swab] [iflag=skip_bytes,count_bytes,fullblock]
//      [oflag=seek_bytes,append] [status=none|noxfer]
//
// Each read asks for ibs bytes (512 by default) and counts as a full record when it got them,
// a partial one otherwise ("N+M records in"); writes likewise against obs ("records out").
// With bs= (ibs == obs) each block read is written as it is; with different sizes the data
// goes through an obs-sized output buffer. skip= seeks the input (or reads and drops blocks
// when it cannot seek: a pipe), seek= seeks the output, which is truncated there unless
// conv=notrunc. conv=sync pads a short read with zeros to ibs; conv=noerror goes on after a
// read error (skipping that block). At the end, on standard error, as busybox prints them:
//
//   4+0 records in
//   4+0 records out
//   4194304 bytes (4.0MB) copied, 0.123456 seconds, 32.4MB/s
//
// Numbers take the suffixes c w b kB k MB M GB G (human.ts). Lokum's file offsets are 32-bit:
// a skip or seek past 2 GiB fails with EFBIG.

import { fprintf } from "../lib/stdio";
import { open, close, read, write, lseek, dup2, fsync, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, SEEK_CUR } from "../lib/unistd";
import { errorText, setErrno, EFBIG } from "../lib/errno";
import { malloc } from "../lib/malloc";
import { strchr, strcmp, memset } from "../lib/string";
import { Stat, fstat, isReg, isDir } from "../lib/stat";
import { U64, mul32, mulBy, div32, add32, humanSize, parseSuffixed } from "../lib/disk/human";
import { ftruncate, microseconds } from "../lib/disk/sys";

const CONV_NOTRUNC = 1, CONV_SYNC = 2, CONV_NOERROR = 4, CONV_FSYNC = 8, CONV_SWAB = 16;
const IFLAG_SKIP_BYTES = 1, IFLAG_COUNT_BYTES = 2, IFLAG_FULLBLOCK = 4;
const OFLAG_SEEK_BYTES = 1, OFLAG_APPEND = 2;
const STATUS_NONE = 1, STATUS_NOXFER = 2;
const COMMA = 44, EQUALS = 61; // the separators of "conv=a,b"

// What the operands asked for, and the running counts.
@unmanaged
class Dd {
  ibs: u32;
  obs: u32;
  count: u32;
  hasCount: bool;
  skip: u32;
  seek: u32;
  infile: usize;
  outfile: usize;
  conv: i32;
  iflag: i32;
  oflag: i32;
  status: i32;
  inFull: u32;
  inPart: u32;
  outFull: u32;
  outPart: u32;
  total: U64; // bytes written (points into `totalWords`)
  begin: u32; // microseconds
}

let state = new StaticArray<u8>(128);
let totalWords = new StaticArray<u32>(2);
let number = new StaticArray<u32>(2);
let statBuf = new StaticArray<u8>(64);

function usage(): void {
  fprintf(2, "Usage: dd [if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]\n\t[conv=notrunc|noerror|sync|fsync|swab] [iflag=skip_bytes|count_bytes|fullblock]\n\t[oflag=seek_bytes|append] [status=none|noxfer]\n\nCopy a file with converting and formatting\n\nN may be suffixed by c (1), w (2), b (512), kB (1000), k (1024), MB, M, GB, G\n");
}

/** A number operand into `v.lo`; false after busybox's "invalid number" message when it is
 *  malformed, below `min` or above `max`. */
function numberArg(value: usize, min: u32, max: u32, v: U64): bool {
  if (!parseSuffixed(value, v) || v.lo < min || v.lo > max) {
    fprintf(2, "dd: invalid number '%s'\n", value);
    return false;
  }
  return true;
}

/** Parses "word,word" against the list `words` (NUL-separated, ending with an empty word);
 *  returns the bit mask, or -1 after busybox's "invalid argument" message. */
function flagsArg(value: usize, words: string, what: string): i32 {
  let mask = 0;
  let p = value;
  while (true) {
    let end = strchr(p, COMMA);
    const last = end == 0;
    if (!last) store<u8>(end, 0);
    let bit = 0;
    let w = changetype<usize>(words);
    let found = false;
    while (load<u8>(w) != 0) {
      if (strcmp(w, p) == 0) {
        found = true;
        break;
      }
      while (load<u8>(w) != 0) w++;
      w++;
      bit++;
    }
    if (!found) {
      fprintf(2, "dd: invalid argument '%s' to '%s'\n", p, what);
      return -1;
    }
    mask |= 1 << bit;
    if (last) break;
    store<u8>(end, COMMA);
    p = end + 1;
  }
  return mask;
}

/** Parses the key=value operands into dd. Returns false after a message. */
function parseOperands(dd: Dd, argc: i32, argv: usize): bool {
  for (let i = 1; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    if (strcmp(arg, changetype<usize>("--")) == 0) continue;
    const eq = strchr(arg, EQUALS);
    if (eq == 0) {
      usage();
      return false;
    }
    store<u8>(eq, 0);
    const value = eq + 1;
    const v = changetype<U64>(changetype<usize>(number));
    let ok = true;
    if (strcmp(arg, changetype<usize>("bs")) == 0) {
      ok = numberArg(value, 1, 0x7fffffff, v);
      dd.ibs = v.lo;
      dd.obs = v.lo;
    } else if (strcmp(arg, changetype<usize>("ibs")) == 0) {
      ok = numberArg(value, 1, 0x7fffffff, v);
      dd.ibs = v.lo;
    } else if (strcmp(arg, changetype<usize>("obs")) == 0) {
      ok = numberArg(value, 1, 0x7fffffff, v);
      dd.obs = v.lo;
    } else if (strcmp(arg, changetype<usize>("count")) == 0) {
      ok = numberArg(value, 0, 0xffffffff, v);
      dd.count = v.lo;
      dd.hasCount = true;
    } else if (strcmp(arg, changetype<usize>("skip")) == 0) {
      ok = numberArg(value, 0, 0xffffffff, v);
      dd.skip = v.lo;
    } else if (strcmp(arg, changetype<usize>("seek")) == 0) {
      ok = numberArg(value, 0, 0xffffffff, v);
      dd.seek = v.lo;
    } else if (strcmp(arg, changetype<usize>("if")) == 0) {
      dd.infile = value;
    } else if (strcmp(arg, changetype<usize>("of")) == 0) {
      dd.outfile = value;
    } else if (strcmp(arg, changetype<usize>("conv")) == 0) {
      const m = flagsArg(value, "notrunc\0sync\0noerror\0fsync\0swab\0", "conv");
      ok = m >= 0;
      dd.conv |= m;
    } else if (strcmp(arg, changetype<usize>("iflag")) == 0) {
      const m = flagsArg(value, "skip_bytes\0count_bytes\0fullblock\0direct\0", "iflag");
      ok = m >= 0;
      dd.iflag |= m;
    } else if (strcmp(arg, changetype<usize>("oflag")) == 0) {
      const m = flagsArg(value, "seek_bytes\0append\0direct\0", "oflag");
      ok = m >= 0;
      dd.oflag |= m;
    } else if (strcmp(arg, changetype<usize>("status")) == 0) {
      const m = flagsArg(value, "none\0noxfer\0", "status");
      ok = m >= 0;
      dd.status |= m;
    } else {
      store<u8>(eq, EQUALS);
      usage();
      return false;
    }
    store<u8>(eq, EQUALS);
    if (!ok) return false;
  }
  return true;
}

/** Reads up to n bytes (all n, or to the end, with iflag=fullblock). */
function ddRead(dd: Dd, buf: usize, n: u32): i32 {
  if ((dd.iflag & IFLAG_FULLBLOCK) == 0) return read(0, buf, n);
  let got: u32 = 0;
  while (got < n) {
    const r = read(0, buf + got, n - got);
    if (r < 0) return got > 0 ? i32(got) : r;
    if (r == 0) break;
    got += u32(r);
  }
  return i32(got);
}

/** Writes len bytes and counts the record (full when it is obs long). False after an error
 *  message ("dd: error writing 'F': No space left on device"). */
function writeRecord(dd: Dd, buf: usize, len: u32): bool {
  let done: u32 = 0;
  while (done < len) {
    const r = write(1, buf + done, len - done);
    if (r <= 0) break;
    done += u32(r);
  }
  add32(dd.total, done);
  if (done == dd.obs) dd.outFull++;
  else if (done == len) dd.outPart++;
  else {
    fprintf(2, "dd: error writing '%s': %s\n", dd.outfile, errorText());
    return false;
  }
  return true;
}

/** The closing lines on standard error. */
function printStatus(dd: Dd): void {
  const elapsed = microseconds() - dd.begin;
  fprintf(2, "%u+%u records in\n%u+%u records out\n", dd.inFull, dd.inPart, dd.outFull, dd.outPart);
  if ((dd.status & STATUS_NOXFER) != 0) return;
  const t = dd.total;
  fprintf(2, "%u bytes (%sB) copied, ", t.lo, humanSize(t.lo, t.hi));
  // rate = bytes × 1000000 / microseconds, in 64 bits (busybox divides by the seconds as a
  // double; an instant copy, 0 µs, is taken as 1 µs)
  const rate = changetype<U64>(changetype<usize>(number));
  rate.lo = t.lo;
  rate.hi = t.hi;
  mulBy(rate, 1000000);
  div32(rate, elapsed == 0 ? 1 : elapsed);
  fprintf(2, "%u.%06u seconds, %sB/s\n", elapsed / 1000000, elapsed % 1000000, humanSize(rate.lo, rate.hi));
}

/** blocks × size as a 31-bit file offset; -1 (errno EFBIG) when it does not fit. */
function offsetOf(blocks: u32, size: u32): i32 {
  const v = changetype<U64>(changetype<usize>(number));
  mul32(v, blocks, size);
  if (v.hi != 0 || v.lo > 0x7fffffff) {
    setErrno(EFBIG);
    return -1;
  }
  return i32(v.lo);
}

function copy(dd: Dd): i32 {
  const twoBuffers = dd.ibs != dd.obs;
  const ibuf = malloc(dd.ibs);
  const obuf = twoBuffers ? malloc(dd.obs) : ibuf;
  if (ibuf == 0 || obuf == 0) {
    fprintf(2, "dd: out of memory\n");
    return 1;
  }
  dd.begin = microseconds();

  if (dd.infile != 0) {
    const fd = open(dd.infile, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "dd: can't open '%s': %s\n", dd.infile, errorText());
      return 1;
    }
    if (fd != 0) {
      dup2fd(fd, 0);
    }
  } else {
    dd.infile = changetype<usize>("standard input");
  }
  if (dd.outfile != 0) {
    let flags = O_WRONLY | O_CREAT;
    if (dd.seek == 0 && (dd.conv & CONV_NOTRUNC) == 0) flags |= O_TRUNC;
    if ((dd.oflag & OFLAG_APPEND) != 0) flags |= O_APPEND;
    const fd = open(dd.outfile, flags, 0o666);
    if (fd < 0) {
      fprintf(2, "dd: can't open '%s': %s\n", dd.outfile, errorText());
      return 1;
    }
    if (fd != 1) dup2fd(fd, 1);
    if (dd.seek != 0 && (dd.conv & CONV_NOTRUNC) == 0) {
      const at = offsetOf(dd.seek, (dd.oflag & OFLAG_SEEK_BYTES) != 0 ? 1 : dd.obs);
      // a block device cannot be truncated: that is fine, a regular file must be
      if (at < 0 || ftruncate(1, at) < 0) {
        const st = changetype<Stat>(changetype<usize>(statBuf));
        if (at < 0 || fstat(1, st) < 0 || isReg(st.mode) || isDir(st.mode)) return dieOn(dd.outfile);
      }
    }
  } else {
    dd.outfile = changetype<usize>("standard output");
  }

  if (dd.skip != 0) {
    const size = (dd.iflag & IFLAG_SKIP_BYTES) != 0 ? 1 : dd.ibs;
    const at = offsetOf(dd.skip, size);
    if (at < 0 || lseek(0, at, SEEK_CUR) < 0) {
      // not seekable (a pipe): read and drop the blocks
      for (let left = dd.skip; left > 0; left--) {
        const n = ddRead(dd, ibuf, size);
        if (n < 0) return dieOn(dd.infile);
        if (n == 0) break;
      }
    }
  }
  if (dd.seek != 0) {
    const at = offsetOf(dd.seek, (dd.oflag & OFLAG_SEEK_BYTES) != 0 ? 1 : dd.obs);
    if (at < 0 || lseek(1, at, SEEK_CUR) < 0) return dieOn(dd.outfile);
  }

  let pending: u32 = 0; // bytes waiting in obuf (two buffers only)
  let count = dd.count;
  for (;;) {
    let want = dd.ibs;
    if (dd.hasCount) {
      if (count == 0) break;
      if ((dd.iflag & IFLAG_COUNT_BYTES) != 0 && count < dd.ibs) want = count;
    }
    let n = ddRead(dd, ibuf, want);
    if (n == 0) break;
    if (n < 0) {
      // a bad block: give up, or with conv=noerror report it, skip it, and go on
      if ((dd.conv & CONV_NOERROR) == 0) return dieOn(dd.infile);
      fprintf(2, "dd: %s: %s\n", dd.infile, errorText());
      lseek(0, i32(dd.ibs), SEEK_CUR);
      n = 0;
    }
    if ((dd.conv & CONV_SWAB) != 0) {
      for (let i = 0; i + 1 < n; i += 2) {
        const b = load<u8>(ibuf + i);
        store<u8>(ibuf + i, load<u8>(ibuf + i + 1));
        store<u8>(ibuf + i + 1, b);
      }
    }
    count -= (dd.iflag & IFLAG_COUNT_BYTES) != 0 ? u32(n) : 1;
    if (u32(n) == dd.ibs) dd.inFull++;
    else {
      dd.inPart++;
      if ((dd.conv & CONV_SYNC) != 0) {
        memset(ibuf + n, 0, i32(dd.ibs) - n);
        n = i32(dd.ibs);
      }
    }
    if (twoBuffers) {
      let from = ibuf;
      let left = u32(n);
      while (left > 0) {
        let take = dd.obs - pending;
        if (take > left) take = left;
        memory_copy(obuf + pending, from, take);
        pending += take;
        from += take;
        left -= take;
        if (pending == dd.obs) {
          if (!writeRecord(dd, obuf, dd.obs)) return finish(dd, 1);
          pending = 0;
        }
      }
    } else if (n > 0 && !writeRecord(dd, ibuf, u32(n))) {
      return finish(dd, 1);
    }
  }
  if ((dd.conv & CONV_FSYNC) != 0 && fsync(1) < 0) return dieOn(dd.outfile);
  if (pending != 0 && !writeRecord(dd, obuf, pending)) return finish(dd, 1);
  if (close(0) < 0) return dieOn(dd.infile);
  if (close(1) < 0) return dieOn(dd.outfile);
  return finish(dd, 0);
}

/** Moves descriptor fd to `to` (busybox's xmove_fd). */
function dup2fd(fd: i32, to: i32): void {
  dup2(fd, to);
  close(fd);
}

/** busybox's perror_msg_and_die: "dd: NAME: error text", status 1, no statistics. */
function dieOn(name: usize): i32 {
  fprintf(2, "dd: %s: %s\n", name, errorText());
  return 1;
}

function finish(dd: Dd, status: i32): i32 {
  if ((dd.status & STATUS_NONE) == 0) printStatus(dd);
  return status;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const dd = changetype<Dd>(changetype<usize>(state));
  dd.ibs = 512;
  dd.obs = 512;
  dd.total = changetype<U64>(changetype<usize>(totalWords));
  if (!parseOperands(dd, argc, argv)) return 1;
  return copy(dd);
}
