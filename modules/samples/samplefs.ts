// samplefs.ts — the smallest filesystem module: a ramfs registered under the name "samplefs".
//
// It shows the filesystem kind of module and the kernel loading it on demand. Nobody has to
// insmod it: `mount -t samplefs none /mnt` finds no type "samplefs", so the kernel runs
// request_module("fs-samplefs") (kernel/fs/super.ts doMount → kernel/kmod.ts), modprobe finds
// the alias below in modules.alias (depmod copied it from this module's .modinfo), loads
// samplefs.ko, and the mount goes on. While it is mounted the module is in use (rmmod: EAGAIN).
//
//   # mount -t samplefs none /mnt && echo hi > /mnt/f && cat /mnt/f
//   samplefs: registered
//   hi

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A ramfs under the name samplefs, autoloaded by mount -t samplefs");
MODULE_ALIAS("fs-samplefs");

const samplefsType: FileSystemType = { name: "samplefs", mount: ramfsMount, killSb: ramfsKillSb };

export function init_module(): i32 {
  const r = registerFilesystem(samplefsType);
  if (r == 0) printk(KERN_INFO + "samplefs: registered\n");
  return r;
}

export function cleanup_module(): void {
  unregisterFilesystem(samplefsType);
  printk(KERN_INFO + "samplefs: unregistered\n");
}
