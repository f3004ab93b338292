// oops.ts — a module that crashes on purpose, to see what a fault inside module code does:
//
//   insmod oops.ko when=init     init_module writes through a NULL pointer: an oops naming
//                                oops_crash+0x…/0x… [oops], its TypeScript line and the
//                                modules linked in; insmod dies (SIGSEGV), the kernel goes on,
//                                and the half-loaded module leaves the module list
//   insmod oops.ko               loads; then either of
//     /bin/echo 1 > /proc/oops   faults in the /proc write handler (the writer dies)
//     /bin/echo 1 > /dev/oops    faults in the character device's write
//                                the module stays loaded and unloads normally afterwards
//
// While /dev/oops is open the module is in use (refcount 1): rmmod says "Resource temporarily
// unavailable" (`rmmod oops < /dev/oops`).

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Faults on purpose: in init, or when /proc/oops or /dev/oops is written");

let when: string = "later";
module_param(when, "charp", 0o444);
MODULE_PARM_DESC(when, "init: fault in init_module; anything else: fault when written to");

let major: i32 = 0;

/** Writes through address `where`: with 0, a kernel NULL pointer dereference. */
function oops_crash(where: usize): void {
  store<u32>(where, 0x0badf00d);
}

function oopsProcShow(m: SeqBuf): void {
  seqPrintf(m, "write anything here to crash the writer in module code\n");
}

function oopsProcWrite(buf: usize, n: u32): i32 {
  oops_crash(0);
  return <i32>n;
}

function oopsDevWrite(file: File, buf: usize, n: u32): i32 {
  oops_crash(0);
  return <i32>n;
}

function oopsDevRead(file: File, buf: usize, n: u32): i32 {
  return 0;
}

const oopsFops: FileOps = { read: oopsDevRead, write: oopsDevWrite };

export function init_module(): i32 {
  if (streq(when, "init")) {
    printk(KERN_INFO + "oops: faulting in init_module\n");
    oops_crash(0);
  }
  major = registerChrdev(0, "oops", oopsFops);
  if (major < 0) return major;
  devfsCreateNode("oops", 0o20600, (<u32>major << 20) | 0);
  procCreateWritable("oops", oopsProcShow, oopsProcWrite);
  printk(KERN_INFO + "oops: /dev/oops (major %d) and /proc/oops are ready\n", major);
  return 0;
}

export function cleanup_module(): void {
  procRemove("oops");
  devfsRemoveNode("oops");
  unregisterChrdev(<u32>major, "oops");
  printk(KERN_INFO + "oops: gone\n");
}
