// open_exec.ts — how exec reads an executable: open it with exec's checks (Linux's open_exec in
// fs/exec.c), read bytes at an offset, close it; and the set-user-ID ids it brings (bprm_fill_uid).
//
// Design note
// -----------
// exec.ts needs three operations on the program file, done here through the file side's VFS:
// execOpen resolves the path and checks, as Linux's do_open_execat, that it is a regular file
// (else EACCES; a directory is EACCES too), on a mount without noexec, that the caller may
// execute (permission.ts: an x bit for its class; root needs at least one x bit) — read
// permission is not needed — and opens it read-only; execRead is kernelRead at an offset into
// a kernel buffer; execFilePage gives a page of the file itself, when the file system keeps
// it in memory (ramfs, tmpfs, rootfs), for exec to map it shared; execClose drops the File. One executable is open at a time: exec
// runs to completion without sleeping, and the kernel is not preemptible.
//
// execOpen also remembers the file's owner, group and mode: if exec gets past its point of no
// return with this file, execApplyCreds gives the process the set-user-ID / set-group-ID ids
// (cred.ts credsExec; not on a nosuid mount). Only the file actually loaded counts: for a
// "#!" script that is its interpreter, so a script's own set-user-ID bit is ignored, as Linux.
//
// A running program's file cannot be written (ETXTBSY, "Text file busy"): its text pages may be
// the file's own pages, mapped into the process (exec.ts), so a write would change the code
// under a running program. As Linux's deny_write_access, execOpen refuses a file open for
// writing and takes one "denial" (Inode.writecount below 0); exec that gets past its point of no
// return hands the File to the process (Proc.exeFile, Linux's mm->exe_file), fork gives the child
// its own reference and denial, and exit or the next exec gives both back (exeFileRelease).

import { File, iput, isRegMode, O_RDONLY } from "./fs/vfs";
import { fileGet, filePut, kernelRead, vfsOpenInode } from "./fs/file";
import { isErrInode, namei } from "./fs/namei";
import { inode_permission, MAY_EXEC } from "./fs/permission";
import { mountOfSuper, MS_NOEXEC, MS_NOSUID } from "./fs/super";
import { credsExec } from "./cred";
import { ramfsFilePage, ramfsIsInode } from "./fs/ramfs";
import { Proc } from "./proc";
import { isErr, ptrErr, EACCES, ETXTBSY } from "./lib/errno";

let file: File = null;
let fileMode: u32 = 0;
let fileUid: u32 = 0;
let fileGid: u32 = 0;
let suidAllowed = true;

/** Opens the executable at `path` (kernel string). 0 or -errno (ENOENT, EACCES, …). */
export function execOpen(path: usize): i32 {
  const inode = namei(path);
  if (isErrInode(inode)) return ptrErr(changetype<usize>(inode));
  const m = mountOfSuper(inode.sb);
  let r = 0;
  if (!isRegMode(inode.mode) || (m != null && (m.flags & MS_NOEXEC) != 0)) r = -EACCES;
  else r = inode_permission(inode, MAY_EXEC);
  if (r == 0 && inode.writecount > 0) r = -ETXTBSY; // open for writing somewhere
  if (r < 0) {
    iput(inode);
    return r;
  }
  const f = vfsOpenInode(inode, O_RDONLY);
  if (isErr(changetype<usize>(f))) {
    iput(inode);
    return ptrErr(changetype<usize>(f));
  }
  inode.writecount--; // deny_write_access
  file = f;
  fileMode = inode.mode;
  fileUid = inode.uid;
  fileGid = inode.gid;
  suidAllowed = m == null || (m.flags & MS_NOSUID) == 0;
  return 0;
}

/** Reads up to n bytes at offset pos into kernel memory at buf. Returns the bytes read. */
export function execRead(pos: u32, buf: usize, n: u32): i32 {
  return kernelRead(file, pos, buf, n);
}

/** The executable's page-cache page for file page `index`, to be mapped instead of copied
 *  (exec.ts): its ramfs page (ramfs files live in whole pages, which are their page cache);
 *  0 when the file is elsewhere (ext2, FAT: read into private pages) or has a hole there. */
export function execFilePage(index: u32): usize {
  if (file == null || file.inode == null || !ramfsIsInode(file.inode)) return 0;
  return ramfsFilePage(file.inode, index);
}

/** Closes the executable (exec failed before its point of no return). */
export function execClose(): void {
  exeFileRelease(execDetach());
}

/** The open executable, for exec to keep: it becomes the process's exeFile (setExeFile) or is
 *  given back (exeFileRelease). Detached, so another exec may open its own meanwhile. */
export function execDetach(): usize {
  const f = changetype<usize>(file);
  file = null;
  return f;
}

/** Gives back a File from execDetach: its write denial, then the reference. */
export function exeFileRelease(f: usize): void {
  if (f == 0) return;
  const exe = changetype<File>(f);
  exe.inode.writecount++;
  filePut(exe);
}

/** Past exec's point of no return: p runs the program of `f` (from execDetach). */
export function setExeFile(p: Proc, f: usize): void {
  exeFileRelease(p.exeFile);
  p.exeFile = f;
}

/** fork: the child runs the same program, so it holds the file, and denies writes, as well. */
export function exeFileFork(parent: Proc, child: Proc): void {
  if (parent.exeFile == 0) return;
  const exe = fileGet(changetype<File>(parent.exeFile));
  exe.inode.writecount--;
  child.exeFile = changetype<usize>(exe);
}

/** The euid the program last opened by execOpen will run with (AT_EUID). */
export function execEuid(p: Proc): u32 {
  return suidAllowed && (fileMode & 0o4000) != 0 ? fileUid : p.euid;
}

/** The egid it will run with (AT_EGID): set-group-ID needs group execute too. */
export function execEgid(p: Proc): u32 {
  return suidAllowed && (fileMode & 0o2010) == 0o2010 ? fileGid : p.egid;
}

/** Past exec's point of no return: the process takes the program's set-user/group-ID ids. */
export function execApplyCreds(p: Proc): void {
  credsExec(p, fileMode, fileUid, fileGid, suidAllowed);
}
