// pipe.ts — pipes and FIFOs: a one-page ring buffer between writers and readers.
//
// A Pipe holds PIPE_SIZE bytes in a page; `readPos` and `writePos` only grow (u32 counters),
// the byte at counter c sits at buf[c % PIPE_SIZE], and writePos - readPos is how many wait to
// be read. `readers` and `writers` count the Files open on each end.
//
//   read   blocks while the pipe is empty and a writer exists (sleepOn(pipe)); returns what is
//          there (at most n), 0 (end of file) once empty with no writers left, -EAGAIN for
//          O_NONBLOCK, -EINTR when a signal interrupts a read that got nothing yet.
//   write  copies as much as fits, wakes readers, blocks while full; with no readers at all it
//          fails with -EPIPE and sends SIGPIPE to the writer, as POSIX asks.
// Readers and writers sleep on the same channel (the pipe); wakeUp wakes them all and each
// rechecks its condition (xv6's pipe.c works the same way).
//
// pipe(2) makes an anonymous inode (S_IFIFO) on an internal "pipefs" superblock and two Files
// on it, one O_RDONLY and one O_WRONLY. A named FIFO (mknod p) gets its Pipe on first open and
// keeps it while any File is open on it; unlike Linux, opening a FIFO does not wait for the
// other end.

import { allocPage, freePage } from "../mm/pmm";
import { kzalloc, kfree } from "../mm/kmalloc";
import { EAGAIN, EINTR, ENOMEM, EPIPE } from "../lib/errno";
import { sleepOn, wakeUp } from "../sched";
import { currentProc } from "../proc";
import { sendSignal, SIGPIPE } from "../signal";
import {
  File, FileOps, FileSystemType, Inode, InodeOps, O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO, SuperBlock,
  allocSuper, freeInode, iput, newInode,
} from "./vfs";
import { fileAlloc } from "./file";
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./sys_poll";

export const PIPE_SIZE: u32 = 4096;

@unmanaged
export class Pipe {
  buf: usize;
  readPos: u32;
  writePos: u32;
  readers: i32;
  writers: i32;
}

const pipefsType: FileSystemType = { name: "pipefs" };
let pipeSb: SuperBlock = null;

function pipeAlloc(): Pipe {
  const pipe = changetype<Pipe>(kzalloc(sizeof<Pipe>()));
  if (pipe == null) return null;
  pipe.buf = allocPage();
  if (pipe.buf == 0) {
    kfree(changetype<usize>(pipe));
    return null;
  }
  return pipe;
}

function pipeFree(pipe: Pipe): void {
  freePage(pipe.buf);
  kfree(changetype<usize>(pipe));
}

function pipeRead(file: File, buf: usize, n: u32): i32 {
  const pipe = changetype<Pipe>(file.priv);
  while (pipe.writePos == pipe.readPos) {
    if (pipe.writers == 0) return 0;
    if ((file.flags & O_NONBLOCK) != 0) return -EAGAIN;
    if (sleepOn(changetype<usize>(pipe)) < 0) return -EINTR;
  }
  let done: u32 = 0;
  while (done < n && pipe.readPos != pipe.writePos) {
    store<u8>(buf + done, load<u8>(pipe.buf + pipe.readPos % PIPE_SIZE));
    pipe.readPos++;
    done++;
  }
  wakeUp(changetype<usize>(pipe)); // room for the writers
  return <i32>done;
}

function pipeWrite(file: File, buf: usize, n: u32): i32 {
  const pipe = changetype<Pipe>(file.priv);
  let done: u32 = 0;
  while (done < n) {
    if (pipe.readers == 0) {
      sendSignal(currentProc(), SIGPIPE);
      return done > 0 ? <i32>done : -EPIPE;
    }
    if (pipe.writePos - pipe.readPos == PIPE_SIZE) { // full
      wakeUp(changetype<usize>(pipe));
      if ((file.flags & O_NONBLOCK) != 0) return done > 0 ? <i32>done : -EAGAIN;
      if (sleepOn(changetype<usize>(pipe)) < 0) return done > 0 ? <i32>done : -EINTR;
      continue;
    }
    store<u8>(pipe.buf + pipe.writePos % PIPE_SIZE, load<u8>(buf + done));
    pipe.writePos++;
    done++;
  }
  wakeUp(changetype<usize>(pipe));
  return <i32>done;
}

/** Counts a new File on an end of the pipe, by its access mode. */
function pipeAttach(pipe: Pipe, flags: u32): void {
  const mode = flags & O_ACCMODE;
  if (mode == O_RDONLY || mode == O_RDWR) pipe.readers++;
  if (mode == O_WRONLY || mode == O_RDWR) pipe.writers++;
}

function pipeRelease(inode: Inode, file: File): void {
  const pipe = changetype<Pipe>(file.priv);
  const mode = file.flags & O_ACCMODE;
  if (mode == O_RDONLY || mode == O_RDWR) pipe.readers--;
  if (mode == O_WRONLY || mode == O_RDWR) pipe.writers--;
  wakeUp(changetype<usize>(pipe)); // a sleeper may now see end of file or EPIPE
  if (pipe.readers == 0 && pipe.writers == 0) {
    pipeFree(pipe);
    if (inode.priv == changetype<usize>(pipe)) inode.priv = 0; // a named FIFO forgets it
  }
}

/** What a read or a write on this end would do without blocking (poll bits, see sys_poll.ts). */
function pipePoll(file: File): i32 {
  const pipe = changetype<Pipe>(file.priv);
  const mode = file.flags & O_ACCMODE;
  let mask = 0;
  if (mode == O_RDONLY || mode == O_RDWR) {
    if (pipe.writePos != pipe.readPos) mask |= POLLIN | POLLRDNORM;
    if (pipe.writers == 0) mask |= POLLHUP; // end of file
  }
  if (mode == O_WRONLY || mode == O_RDWR) {
    if (pipe.writePos - pipe.readPos < PIPE_SIZE) mask |= POLLOUT | POLLWRNORM;
    if (pipe.readers == 0) mask |= POLLERR; // a write would fail with EPIPE
  }
  return mask;
}

const pipeFops: FileOps = { read: pipeRead, write: pipeWrite, release: pipeRelease, poll: pipePoll };

/** Opening a named FIFO: share the inode's Pipe (making it on first open). */
function fifoOpen(inode: Inode, file: File): i32 {
  if (inode.priv == 0) {
    const pipe = pipeAlloc();
    if (pipe == null) return -ENOMEM;
    inode.priv = changetype<usize>(pipe);
  }
  file.priv = inode.priv;
  file.ops = pipeFops;
  pipeAttach(changetype<Pipe>(file.priv), file.flags);
  return 0;
}

export const fifoFops: FileOps = { open: fifoOpen };

function pipeInodeEvict(inode: Inode): void {
  freeInode(inode);
}

const pipeInodeOps: InodeOps = { evict: pipeInodeEvict };

/**
 * pipe(2): two Files on a new pipe, files[0] for reading and files[1] for writing. Returns 0,
 * or -ENOMEM (nothing is left allocated then).
 */
export function makePipe(files: StaticArray<usize>, flags: u32): i32 {
  if (pipeSb == null) {
    pipeSb = allocSuper(pipefsType);
    if (pipeSb == null) return -ENOMEM;
  }
  const pipe = pipeAlloc();
  if (pipe == null) return -ENOMEM;
  const inode = newInode(pipeSb, S_IFIFO | 0o600, pipeInodeOps, pipeFops);
  const r = fileAlloc();
  const w = fileAlloc();
  if (inode == null || r == null || w == null) {
    if (r != null) kfree(changetype<usize>(r));
    if (w != null) kfree(changetype<usize>(w));
    if (inode != null) iput(inode);
    pipeFree(pipe);
    return -ENOMEM;
  }
  inode.count = 2; // one reference for each File
  pipeSb.active++;
  r.inode = inode;
  r.ops = pipeFops;
  r.priv = changetype<usize>(pipe);
  r.flags = O_RDONLY | (flags & O_NONBLOCK);
  w.inode = inode;
  w.ops = pipeFops;
  w.priv = changetype<usize>(pipe);
  w.flags = O_WRONLY | (flags & O_NONBLOCK);
  pipe.readers = 1;
  pipe.writers = 1;
  files[0] = changetype<usize>(r);
  files[1] = changetype<usize>(w);
  return 0;
}

