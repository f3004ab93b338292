// lab-proc.ts — exercise 10: a module seen in /proc/modules, /proc/devices and /proc/interrupts.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 10: /proc files");

let major: i32 = 0;
let ticks: u32 = 0;
const DEV: usize = 1; // identifies our handler on the shared line

function procRead(file: File, buf: usize, n: u32): i32 {
  return 0;
}

const procFops: FileOps = { read: procRead };

function tick(irq: i32, dev: usize): void {
  ticks++;
}

function show(m: SeqBuf): void {
  seqPrintf(m, "major %d ticks %u\n", major, ticks);
}

export function init_module(): i32 {
  major = registerChrdev(0, "labproc", procFops);
  if (major < 0) return major;
  const r = requestIrq(0, tick, "lab_proc", DEV);
  if (r < 0) {
    unregisterChrdev(<u32>major, "labproc");
    return r;
  }
  procCreateFile("lab_proc", show);
  return 0;
}

export function cleanup_module(): void {
  procRemove("lab_proc");
  freeIrq(0, DEV);
  unregisterChrdev(<u32>major, "labproc");
}
