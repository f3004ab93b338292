// execfile.ts — how exec reads an executable: open it, read bytes at an offset, close it.
//
// Design note
// -----------
// exec.ts needs three operations on the program file, done here through the file side's VFS:
// execOpen resolves the path (vfsOpen, read-only) and checks that it is a regular file with an
// execute bit (else EACCES, as Linux; a directory is EACCES too); execRead is kernelRead at an
// offset into a kernel buffer; execClose drops the File (filePut). One executable is open at
// a time: exec runs to completion without sleeping, and the kernel is not preemptible.

import { File, isRegMode, O_RDONLY } from "./fs/vfs";
import { filePut, kernelRead, vfsOpen } from "./fs/file";
import { isErr, ptrErr } from "./lib/errno";

const EACCES: i32 = 13;

let file: File = null;

/** Opens the executable at `path` (kernel string). 0 or -errno (ENOENT, EACCES, …). */
export function execOpen(path: usize): i32 {
  const f = vfsOpen(path, O_RDONLY, 0);
  if (isErr(changetype<usize>(f))) return ptrErr(changetype<usize>(f));
  if (f.inode == null || !isRegMode(f.inode.mode) || (f.inode.mode & 0o111) == 0) {
    filePut(f);
    return -EACCES;
  }
  file = f;
  return 0;
}

/** Reads up to n bytes at offset pos into kernel memory at buf. Returns the bytes read. */
export function execRead(pos: u32, buf: usize, n: u32): i32 {
  return kernelRead(file, pos, buf, n);
}

export function execClose(): void {
  if (file != null) filePut(file);
  file = null;
}
