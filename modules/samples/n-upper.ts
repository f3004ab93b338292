// n-upper.ts — a TTY line discipline in a module: N_TTY, but everything written comes out in
// capitals.
//
// Line discipline 29 is Linux's N_DEVELOPMENT ("manual out-of-tree testing"). A program asks
// for it with ioctl(fd, TIOCSETD, &29); the tty layer (kernel/tty/tty.ts setLdisc) has no
// discipline 29, so it runs request_module("tty-ldisc-29"), modprobe loads this module through
// the alias below, and the switch goes on:
//
//   # setldisc 29 hello
//   HELLO
//
// (setldisc: initrd/bin/setldisc.ts — switch stdin's terminal to N, write the text,
// switch back to N_TTY.) All the real work is N_TTY's: the module copies N_TTY's operations
// and puts its own write in front.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Line discipline 29: N_TTY, upper-case output");
MODULE_ALIAS("tty-ldisc-29");

const N_UPPER: i32 = 29;
const upperOps: TtyLdiscOps = { name: "n_upper" };
let nttyWrite: (tty: Tty, buf: usize, n: u32) => i32 = null;
const chunk = new StaticArray<u8>(256);

function upperWrite(tty: Tty, buf: usize, n: u32): i32 {
  let done: u32 = 0;
  while (done < n) {
    const part = n - done < 256 ? n - done : 256;
    for (let i: u32 = 0; i < part; i++) {
      const c = load<u8>(buf + done + i);
      chunk[i] = c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0) ? c - "a".charCodeAt(0) + "A".charCodeAt(0) : c;
    }
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
  upperOps.open = ntty.open;
  upperOps.close = ntty.close;
  upperOps.read = ntty.read;
  upperOps.ioctl = ntty.ioctl;
  upperOps.poll = ntty.poll;
  upperOps.receiveBuf = ntty.receiveBuf;
  upperOps.receiveRoom = ntty.receiveRoom;
  upperOps.charsInBuffer = ntty.charsInBuffer;
  upperOps.flushBuffer = ntty.flushBuffer;
  nttyWrite = ntty.write;
  upperOps.write = upperWrite;
  const r = registerLdisc(N_UPPER, upperOps);
  if (r == 0) printk(KERN_INFO + "n_upper: line discipline %d\n", N_UPPER);
  return r;
}

export function cleanup_module(): void {
  unregisterLdisc(N_UPPER);
}
