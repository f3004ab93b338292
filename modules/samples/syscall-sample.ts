// syscall-sample.ts — a module that adds a system call.
//
// System call 223 is a hole in Linux's i386 table (it was never used), so in Lokum it reaches
// sys_ni_syscall (-ENOSYS) — until this module fills it with registerSyscall (kernel/syscall.ts,
// which only lets modules take free slots). The call, `lokum_sample(a, b)`, returns a * 1000 + b
// and counts its calls in /sys/module/syscall_sample/parameters/calls:
//
//   # modsyscall 223 4 2        → "syscall 223(4, 2) = -38" (ENOSYS) before insmod
//   # modprobe syscall-sample
//   # modsyscall 223 4 2        → "syscall 223(4, 2) = 4002"
//
// (modsyscall: initrd/bin/modsyscall.ts.)

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Adds system call 223: lokum_sample(a, b) = a * 1000 + b");

const NR_LOKUM_SAMPLE: u32 = 223;
let calls: i32 = 0;
module_param(calls, "int", 0o444);
MODULE_PARM_DESC(calls, "How many times the call was made");

function sys_lokum_sample(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32): i32 {
  calls++;
  return <i32>(a * 1000 + b);
}

export function init_module(): i32 {
  const r = registerSyscall(NR_LOKUM_SAMPLE, sys_lokum_sample);
  if (r == 0) printk(KERN_INFO + "syscall_sample: system call %d added\n", <i32>NR_LOKUM_SAMPLE);
  return r;
}

export function cleanup_module(): void {
  unregisterSyscall(NR_LOKUM_SAMPLE);
}
