// fdtable.ts — a process's file descriptors: small integers naming its open Files.
//
// Each Proc has NOFILE (32) slots, `files[fd]` (a File or 0), and a bit mask `closeOnExec`
// (bit fd = FD_CLOEXEC). A new descriptor is always the lowest free slot ≥ the minimum asked
// for (POSIX), which is how `close(1); dup(fd)` redirects standard output. The table also
// holds the process's working directory, root and umask, which namei and open use.
//
// Lifetimes: fork copies the table and takes a reference on every File (filesFork), so parent
// and child share positions; exec closes the FD_CLOEXEC ones (filesCloseOnExec); exit closes
// all and drops cwd and root (filesCloseAll). Before the first process (at boot) the "current
// process" is the idle task, whose cwd and root are the root directory. A process with no root
// or cwd of its own (a kernel thread) uses the system root (super.ts systemRoot: rootfs, or what
// switch_root moved onto it).

import { EBADF, EMFILE } from "../lib/errno";
import { Proc, currentProc, NOFILE } from "../proc";
import { File, Inode, iget, iput } from "./vfs";
import { fileGet, filePut } from "./file";
import { systemRoot } from "./super";

export function currentFsRoot(): Inode {
  const p = currentProc();
  if (p == null || p.root == 0) return systemRoot();
  return changetype<Inode>(p.root);
}

export function currentFsCwd(): Inode {
  const p = currentProc();
  if (p == null || p.cwd == 0) return systemRoot();
  return changetype<Inode>(p.cwd);
}

export function currentUmask(): u32 {
  const p = currentProc();
  return p == null ? 0o022 : p.umask;
}

/** Makes `dir` (a referenced inode, the caller's reference moves in) the current directory. */
export function setCurrentCwd(dir: Inode): void {
  const p = currentProc();
  const old = p.cwd;
  p.cwd = changetype<usize>(dir);
  if (old != 0) iput(changetype<Inode>(old));
}

export function setCurrentRoot(dir: Inode): void {
  const p = currentProc();
  const old = p.root;
  p.root = changetype<usize>(dir);
  if (old != 0) iput(changetype<Inode>(old));
}

/** The File behind fd of the current process, or null. */
export function fdGet(fd: i32): File {
  if (fd < 0 || fd >= NOFILE) return null;
  return changetype<File>(currentProc().files[fd]);
}

/** Puts f (whose reference moves into the table) in the lowest free slot ≥ minFd; -EMFILE if full. */
export function fdAlloc(f: File, minFd: i32, cloexec: bool): i32 {
  const p = currentProc();
  for (let fd = minFd < 0 ? 0 : minFd; fd < NOFILE; fd++) {
    if (p.files[fd] == 0) {
      p.files[fd] = changetype<usize>(f);
      setCloseOnExec(p, fd, cloexec);
      return fd;
    }
  }
  return -EMFILE;
}

/** Puts f in slot fd, closing what was there (dup2). */
export function fdInstall(fd: i32, f: File, cloexec: bool): void {
  const p = currentProc();
  const old = p.files[fd];
  p.files[fd] = changetype<usize>(f);
  setCloseOnExec(p, fd, cloexec);
  if (old != 0) filePut(changetype<File>(old));
}

export function fdClose(fd: i32): i32 {
  const p = currentProc();
  if (fd < 0 || fd >= NOFILE || p.files[fd] == 0) return -EBADF;
  const f = changetype<File>(p.files[fd]);
  p.files[fd] = 0;
  setCloseOnExec(p, fd, false);
  filePut(f);
  return 0;
}

export function setCloseOnExec(p: Proc, fd: i32, on: bool): void {
  if (on) p.closeOnExec |= <u32>1 << <u32>fd;
  else p.closeOnExec &= ~(<u32>1 << <u32>fd);
}

export function getCloseOnExec(p: Proc, fd: i32): bool {
  return (p.closeOnExec & (<u32>1 << <u32>fd)) != 0;
}

/** fork: the child shares every open File, the working directory and the root. */
export function filesFork(parent: Proc, child: Proc): void {
  for (let fd = 0; fd < NOFILE; fd++) {
    const f = parent.files[fd];
    child.files[fd] = f;
    if (f != 0) fileGet(changetype<File>(f));
  }
  child.closeOnExec = parent.closeOnExec;
  child.umask = parent.umask;
  child.cwd = changetype<usize>(iget(parent.cwd != 0 ? changetype<Inode>(parent.cwd) : systemRoot()));
  child.root = changetype<usize>(iget(parent.root != 0 ? changetype<Inode>(parent.root) : systemRoot()));
}

/** exec: closes the descriptors marked FD_CLOEXEC. */
export function filesCloseOnExec(p: Proc): void {
  for (let fd = 0; fd < NOFILE; fd++) {
    if (getCloseOnExec(p, fd) && p.files[fd] != 0) {
      const f = changetype<File>(p.files[fd]);
      p.files[fd] = 0;
      filePut(f);
    }
  }
  p.closeOnExec = 0;
}

/** exit: closes every descriptor and lets go of the working directory and root. */
export function filesCloseAll(p: Proc): void {
  for (let fd = 0; fd < NOFILE; fd++) {
    if (p.files[fd] != 0) {
      const f = changetype<File>(p.files[fd]);
      p.files[fd] = 0;
      filePut(f);
    }
  }
  p.closeOnExec = 0;
  if (p.cwd != 0) iput(changetype<Inode>(p.cwd));
  if (p.root != 0) iput(changetype<Inode>(p.root));
  p.cwd = 0;
  p.root = 0;
}
