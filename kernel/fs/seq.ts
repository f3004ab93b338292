// seq.ts — SeqBuf: how /proc files are written (a small Linux seq_file, single_open style).
//
// A /proc file is a `show(m)` function that prints the whole file with seqPrintf/seqPuts. When
// the file is opened, seqRender() runs show into a kmalloc'd buffer; reads then copy from that
// snapshot, so a reader that reads in small pieces still sees one consistent text. If show
// prints more than the buffer holds, the buffer doubles and show runs again (Linux does the
// same), up to SEQ_MAX bytes.

import { kmalloc, kfree } from "../mm/kmalloc";
import { vformat } from "../printk";

const SEQ_FIRST_SIZE: u32 = 4096;
const SEQ_MAX: u32 = 1 << 20;

@unmanaged
export class SeqBuf {
  buf: usize;
  size: u32;
  count: u32; //   bytes printed so far
  overflow: bool;
  private: usize; // the show function's argument (e.g. the pid of /proc/<pid>/stat)
}

export type ShowFn = (m: SeqBuf) => void;

function seqPut(c: u8, ctx: usize): void {
  const m = changetype<SeqBuf>(ctx);
  if (m.count < m.size) {
    store<u8>(m.buf + m.count, c);
    m.count++;
  } else {
    m.overflow = true;
  }
}

/** printf into the buffer (printk's conversions: %d %u %x %s %c with widths and flags). */
export function seqPrintf(m: SeqBuf, fmt: string, ...args: unknown[]): void {
  vformat(changetype<usize>(fmt), changetype<usize>(args), seqPut, changetype<usize>(m));
}

export function seqPuts(m: SeqBuf, s: string): void {
  let p = changetype<usize>(s);
  while (load<u8>(p) != 0) seqPut(load<u8>(p++), changetype<usize>(m));
}

export function seqPutc(m: SeqBuf, c: u8): void {
  seqPut(c, changetype<usize>(m));
}

export function seqWrite(m: SeqBuf, data: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) seqPut(load<u8>(data + i), changetype<usize>(m));
}

/** A SeqBuf holding show's complete output, or null when out of memory (or too big). */
export function seqRender(show: ShowFn, priv: usize): SeqBuf {
  const m = changetype<SeqBuf>(kmalloc(sizeof<SeqBuf>()));
  if (m == null) return null;
  let size = SEQ_FIRST_SIZE;
  while (size <= SEQ_MAX) {
    m.buf = kmalloc(size);
    if (m.buf == 0) break;
    m.size = size;
    m.count = 0;
    m.overflow = false;
    m.private = priv;
    show(m);
    if (!m.overflow) return m;
    kfree(m.buf);
    m.buf = 0;
    size *= 2;
  }
  kfree(changetype<usize>(m));
  return null;
}

export function seqFree(m: SeqBuf): void {
  if (m == null) return;
  if (m.buf != 0) kfree(m.buf);
  kfree(changetype<usize>(m));
}

/** Copies from the rendered text at *pos into a kernel buffer; returns the bytes copied. */
export function seqReadAt(m: SeqBuf, pos: u32, buf: usize, n: u32): i32 {
  if (pos >= m.count) return 0;
  if (n > m.count - pos) n = m.count - pos;
  memory_copy(buf, m.buf + pos, n);
  return <i32>n;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(seqPrintf);
EXPORT_SYMBOL(seqPuts);
EXPORT_SYMBOL(seqPutc);
EXPORT_SYMBOL(seqWrite);
