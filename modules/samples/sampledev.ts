// sampledev.ts — a character device driver that the kernel loads when its device is opened.
//
// Major 42 is Linux's "demo/sample use" major (Documentation/admin-guide/devices.txt). Nobody
// has to insmod this module: make the node by hand and open it,
//
//   # mknod /dev/sampledev c 42 0
//   # cat /dev/sampledev
//   Hello from sampledev (minor 0), read number 1
//
// chrdevOpen (kernel/fs/char_dev.ts) finds no driver for 42:0 and runs
// request_module("char-major-42-0"); modprobe matches the alias pattern below in
// modules.alias, loads sampledev.ko, whose init registers major 42, and the open goes on. While
// the file is open the module is in use (rmmod: EAGAIN).

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A character device (major 42) autoloaded when /dev/sampledev is opened");
MODULE_ALIAS("char-major-42-*");

const SAMPLE_MAJOR: u32 = 42;
let reads: i32 = 0;
const text = new StaticArray<u8>(80);

function sampleRead(file: File, buf: usize, n: u32): i32 {
  if (file.pos != 0) return 0; // one message per open: then end of file
  reads++;
  const length = snprintf(changetype<usize>(text), 80, "Hello from sampledev (minor %d), read number %d\n", <i32>(file.inode.rdev & 0xfffff), reads);
  const count = <u32>length < n ? <u32>length : n;
  memory_copy(buf, changetype<usize>(text), count);
  file.pos += count;
  return <i32>count;
}

function sampleWrite(file: File, buf: usize, n: u32): i32 {
  return <i32>n; // swallows everything, like /dev/null
}

const sampleFops: FileOps = { read: sampleRead, write: sampleWrite };

export function init_module(): i32 {
  const r = registerChrdev(SAMPLE_MAJOR, "sampledev", sampleFops);
  if (r < 0) return r;
  printk(KERN_INFO + "sampledev: registered major %d\n", r);
  return 0;
}

export function cleanup_module(): void {
  unregisterChrdev(SAMPLE_MAJOR, "sampledev");
  printk(KERN_INFO + "sampledev: unregistered\n");
}
