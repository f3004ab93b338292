// hello.ts — the first module: says hello when loaded and goodbye when unloaded, with one
// parameter of every type module_param() knows.
//
//   # insmod /lib/modules/0.1.0/kernel/samples/hello.ko whom=Lokum times=2
//   hello: Hello, Lokum! (1 of 2)
//   hello: Hello, Lokum! (2 of 2)
//   # cat /sys/module/hello/parameters/whom
//   Lokum
//   # rmmod hello
//   hello: Goodbye, Lokum
//
// A negative `fail` makes init_module return it (`insmod hello.ko fail=-19` → "No such device"):
// the load fails and nothing of the module stays behind.

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lokum <lokum@example.org>");
MODULE_DESCRIPTION("Says hello and goodbye; one parameter of each type");
MODULE_VERSION("1.0");

let whom: string = "world";
module_param(whom, "charp", 0o644);
MODULE_PARM_DESC(whom, "Who to greet");

let times: i32 = 1;
module_param(times, "int", 0o644);
MODULE_PARM_DESC(times, "How many times to greet");

let mask: u32 = 0;
module_param(mask, "uint", 0o444);
let delta: i16 = 0;
module_param(delta, "short", 0o444);
let port: u16 = 0;
module_param(port, "ushort", 0o444);
let level: u8 = 0;
module_param(level, "byte", 0o444);
let loud: bool = false;
module_param(loud, "bool", 0o644);
let big: i32 = 0;
module_param(big, "long", 0o444);
let size: u32 = 0;
module_param(size, "ulong", 0o444);

let fail: i32 = 0;
module_param(fail, "int", 0);
MODULE_PARM_DESC(fail, "A negative errno for init_module to return");

export function init_module(): i32 {
  if (fail < 0) {
    printk(KERN_INFO + "hello: init_module returns %d\n", fail);
    return fail;
  }
  for (let i = 1; i <= times; i++) {
    printk(KERN_INFO + "hello: Hello, %s%s (%d of %d)\n", whom, loud ? "!!!" : "!", i, times);
  }
  printk(KERN_INFO + "hello: mask=%u delta=%d port=%u level=%u big=%d size=%u\n", mask, delta, port, level, big, size);
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "hello: Goodbye, %s\n", whom);
}
