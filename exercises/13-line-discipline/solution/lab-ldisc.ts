// lab-ldisc.ts — exercise 13: line discipline 29, N_TTY writing rot13.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 13: a rot13 line discipline");

const N_ROT13: i32 = 29;
const rot13Ops: TtyLdiscOps = { name: "n_rot13" };
let nttyWrite: (tty: Tty, buf: usize, n: u32) => i32 = null;
const chunk = new StaticArray<u8>(256);

/** The rot13 of one character. */
function rot13(c: u8): u8 {
  if (c >= 0x61 && c <= 0x7a) return <u8>((c - 0x61 + 13) % 26 + 0x61);
  if (c >= 0x41 && c <= 0x5a) return <u8>((c - 0x41 + 13) % 26 + 0x41);
  return c;
}

function rot13Write(tty: Tty, buf: usize, n: u32): i32 {
  let done: u32 = 0;
  while (done < n) {
    const part = n - done < 256 ? n - done : 256;
    for (let i: u32 = 0; i < part; i++) chunk[i] = rot13(load<u8>(buf + done + i));
    const write = nttyWrite;
    const r = write(tty, changetype<usize>(chunk), part);
    if (r < 0) return done > 0 ? <i32>done : r;
    done += part;
  }
  return <i32>n;
}

export function init_module(): i32 {
  const ntty = ldiscLookup(0);
  if (ntty == null) return -ENODEV;
  rot13Ops.open = ntty.open;
  rot13Ops.close = ntty.close;
  rot13Ops.read = ntty.read;
  rot13Ops.ioctl = ntty.ioctl;
  rot13Ops.poll = ntty.poll;
  rot13Ops.receiveBuf = ntty.receiveBuf;
  rot13Ops.receiveRoom = ntty.receiveRoom;
  rot13Ops.charsInBuffer = ntty.charsInBuffer;
  rot13Ops.flushBuffer = ntty.flushBuffer;
  nttyWrite = ntty.write;
  rot13Ops.write = rot13Write;
  return registerLdisc(N_ROT13, rot13Ops);
}

export function cleanup_module(): void {
  unregisterLdisc(N_ROT13);
}
