// fstest.ts — `fstest` on the kernel command line: a boot-time self-test of the file side that
// needs no user space (the guest tests use it before a shell exists, and it is handy when the
// VFS is being changed). It prints, through printk, what a few everyday operations give:
// the root's entries, /proc files read through a temporary proc mount, a file written and
// read back, and the errors of a few bad paths. Each line starts with "fstest: ".

import { printk } from "../printk";
import { cmdlineHasFlag } from "../cmdline";
import { kmalloc, kfree, kzalloc } from "../mm/kmalloc";
import { isErr, ptrErr } from "../lib/errno";
import { DirContext, File, O_CREAT, O_RDONLY, O_RDWR, iput } from "./vfs";
import { filePut, vfsOpen, vfsRead, vfsWrite } from "./file";
import { isErrInode, namei } from "./namei";
import { doMount, doUmount } from "./super";

function cat(path: string): void {
  const f = vfsOpen(changetype<usize>(path), O_RDONLY, 0);
  if (isErr(changetype<usize>(f))) {
    printk("fstest: cat %s: error %d\n", path, ptrErr(changetype<usize>(f)));
    return;
  }
  const buf = kmalloc(4097);
  printk("fstest: cat %s:\n", path);
  while (true) {
    const n = vfsRead(f, buf, 4096);
    if (n <= 0) break;
    store<u8>(buf + <usize>n, 0);
    printk("%s", <i32>buf);
  }
  printk("fstest: (end)\n");
  kfree(buf);
  filePut(f);
}

function listOne(ctx: DirContext, name: usize, len: i32, ino: u32, type: u8): bool {
  const k = kmalloc(<u32>len + 1);
  memory_copy(k, name, <usize>len);
  store<u8>(k + <usize>len, 0);
  printk(" %s", <i32>k);
  kfree(k);
  return true;
}

function ls(path: string): void {
  const f = vfsOpen(changetype<usize>(path), O_RDONLY, 0);
  if (isErr(changetype<usize>(f))) {
    printk("fstest: ls %s: error %d\n", path, ptrErr(changetype<usize>(f)));
    return;
  }
  const ctx = changetype<DirContext>(kzalloc(sizeof<DirContext>()));
  ctx.fill = listOne;
  printk("fstest: ls %s:", path);
  f.ops.readdir(f, ctx);
  printk("\n");
  kfree(changetype<usize>(ctx));
  filePut(f);
}

function lookup(path: string): void {
  const inode = namei(changetype<usize>(path));
  if (isErrInode(inode)) printk("fstest: namei %s: error %d\n", path, ptrErr(changetype<usize>(inode)));
  else {
    printk("fstest: namei %s: ino %u mode %x size %u nlink %u\n", path, inode.ino, inode.mode, inode.size, inode.nlink);
    iput(inode);
  }
}

export function fstestRun(): void {
  if (!cmdlineHasFlag("fstest")) return;
  ls("/");
  ls("/sub/deep");
  cat("/etc/motd");
  cat("/bin/link"); // a symlink to ../etc/motd
  lookup("/bin/link");
  cat("/etc/hard"); // a hard link to /etc/motd (GNU cpio stores the data with the last link)
  lookup("/etc/motd");
  const procDir = namei(changetype<usize>("/proc"));
  if (!isErrInode(procDir)) {
    printk("fstest: mount proc: %d\n", doMount(changetype<usize>("proc"), procDir, changetype<usize>("proc"), 0, 0));
    iput(procDir);
  }
  cat("/proc/mounts");
  cat("/proc/filesystems");
  cat("/proc/devices");
  cat("/proc/version");
  ls("/proc");
  ls("/proc/sys/kernel");
  cat("/proc/sys/kernel/hostname");
  const h = vfsOpen(changetype<usize>("/proc/sys/kernel/hostname"), O_RDWR, 0);
  if (!isErr(changetype<usize>(h))) {
    printk("fstest: write hostname: %d\n", vfsWrite(h, changetype<usize>("box\n"), 4));
    filePut(h);
  }
  cat("/proc/sys/kernel/hostname");
  const f = vfsOpen(changetype<usize>("/tmpfile"), O_CREAT | O_RDWR, 0o644);
  if (!isErr(changetype<usize>(f))) {
    printk("fstest: write: %d\n", vfsWrite(f, changetype<usize>("hello, ramfs\n"), 13));
    filePut(f);
  }
  cat("/tmpfile");
  lookup("/proc/self/../proc/..");
  lookup("/nonexistent");
  lookup("/tmpfile/x");
  lookup("/proc/sys/kernel/osrelease");
  const root = namei(changetype<usize>("/proc"));
  iput(root);
  printk("fstest: umount /proc: %d\n", doUmount(root, 0));
  cat("/proc/version");
}
