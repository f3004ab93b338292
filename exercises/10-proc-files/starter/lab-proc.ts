// lab-proc.ts — exercise 10: a module seen in /proc/modules, /proc/devices and /proc/interrupts.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 10: /proc files");

let major: i32 = 0;
let ticks: u32 = 0;

function procRead(file: File, buf: usize, n: u32): i32 {
  return 0;
}

const procFops: FileOps = { read: procRead };

// TODO: a timer (IRQ 0) handler that counts ticks
// TODO: the show function of /proc/lab_proc: "major M ticks T"

export function init_module(): i32 {
  // TODO: register the character driver "labproc" (major 0: the kernel picks one)
  // TODO: request IRQ 0 and create /proc/lab_proc
  return 0;
}

export function cleanup_module(): void {
  // TODO: undo everything init_module did
}
