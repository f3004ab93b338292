// lab-syscall.ts — exercise 15: system call 223, lab_mul(a, b) = a * b.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 15: a system call");

const NR_LAB_MUL: u32 = 223;

function sys_lab_mul(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32): i32 {
  return 0; // TODO
}

export function init_module(): i32 {
  // TODO: put sys_lab_mul in slot NR_LAB_MUL
  return 0;
}

export function cleanup_module(): void {
  // TODO: give the slot back
}
