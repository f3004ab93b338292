// exec.ts — execve: replace the current program by a static ELF32 i386 executable.
//
// Design note
// -----------
// In stages, like Linux's do_execve, with one point of no return:
//   1. copy the path, argv and envp out of the old address space (they live there!) into a
//      kernel buffer, ExecArgs (E2BIG past ARG_MAX, EFAULT on bad pointers);
//   2. open the file and check the ELF header: ELFCLASS32, little-endian, ET_EXEC (or ET_DYN:
//      a static PIE, placed at 0x400000 as Linux i386 does, which relocates itself from
//      AT_PHDR), EM_386, no PT_INTERP (static only) — else ENOEXEC;
//   3. build the new address space beside the old one: every PT_LOAD segment's pages
//      (writable only if PF_W). When the file lives in memory (ramfs, tmpfs, rootfs: its pages
//      are its page cache) and a read-only segment (text, rodata) is page-aligned in the file
//      as in memory, its file pages are mapped read-only, not copied (mapFilePages: every
//      process running /bin/sh uses one physical copy of its code, and v86 keeps the code it
//      compiled for those pages). Writable segments (data) and files elsewhere (ext2,
//      FAT) get private pages, the file bytes copied in, the rest of their last page zero.
//      The pages past the file part (.bss) are demand-zero (mm/vm.ts): reserved, and given a
//      zeroed page only when first touched (Linux's do_anonymous_page), so a program pays
//      for the .bss it uses, not for all it declares. Then the stack, as
//      Linux lays it out, top down:
//          strings (argv, envp), 16 random bytes for AT_RANDOM
//          auxv (AT_PHDR … AT_NULL), 0, envp[], 0, argv[], argc   ← ESP (16-byte aligned)
//      so crt0's `_start` finds argc at [esp], argv at esp+4, envp after argv's 0;
//   4. the point of no return: switch to the new directory, free the old one, reset signal
//      handlers, close close-on-exec files, set the registers (EIP = e_entry, ESP, all
//      general registers 0, as Linux's ELF_PLAT_INIT does).
// Any error before 4 frees the new directory and leaves the caller's program untouched.
//
// "#!" scripts are built in too (loadScript, Linux's binfmt_script). Other formats come from
// modules (registerBinfmt, below execLoaded): any file a registered format recognises runs
// through the interpreter it names; an unknown binary file makes exec ask for the module
// "binfmt-XXXX" first (kmod.ts).
//
// The executable is read through the file side's VFS (execOpen/execRead below); the programs
// of our own toolchain and `gcc -m32 -static -nostdlib` ones both load this way. The user
// stack starts with the pages the arguments need and grows down on demand (uaccess.ts).

import { currentProc, Proc, procSetupUserRegisters, setProcName } from "./proc";
import { physToVirt, freePageCount } from "./mm/pmm";
import { kfree, kmalloc } from "./mm/kmalloc";
import { PTE_COW, PTE_PRESENT, PTE_USER, PTE_WRITE, USER_TOP, vmAllocUserPage, vmBreakCow, vmCreate, vmFree, vmLookup, vmMap, vmMapShared, vmPageExclusive, vmProtect, vmReserveZero, vmSwitch, vmTablesNeeded, kernelPageDirectory } from "./mm/vm";
import { strncpyFromUser, getUser32, USER_STACK_TOP, USER_RESERVE_PAGES } from "./uaccess";
import { userPagesAvailable } from "./mm/oom";
import { signalsResetOnExec } from "./signal";
import { execApplyCreds, execClose, execDetach, execEgid, execEuid, execFilePage, execOpen, execRead, exeFileRelease, setExeFile } from "./open_exec";
import { filesCloseOnExec } from "./fs/fdtable";
import { request_module } from "./kmod";
import { tlsClear } from "./arch/x86/tls";
import { inodePath } from "./fs/namei";
import { currentFsCwd } from "./fs/fdtable";
import { E2BIG, EBUSY, EFAULT, ELOOP, ENAMETOOLONG, ENOEXEC, ENOMEM } from "./lib/errno";

const SLASH = "/".charCodeAt(0);

const PATH_MAX: i32 = 4096;
const ARG_MAX: u32 = 32768;
const MAX_ARGS: i32 = 1024;

const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3; //  a static PIE (gcc -static-pie): loaded at ET_DYN_BASE, relocates itself
const ET_DYN_BASE: u32 = 0x00400000; // Linux i386's ELF_ET_DYN_BASE
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PF_W: u32 = 2;

/** The arguments in kernel memory: argc + envc NUL-terminated strings, back to back. */
@unmanaged
class ExecArgs {
  argc: i32;
  envc: i32;
  used: u32; // bytes of `strings` in use
  strings: usize; // ARG_MAX bytes
}

@unmanaged
class ElfHeader {
  ident0: u32; // 0x7F 'E' 'L' 'F'
  ident4: u32; // class, data, version, osabi
  ident8: u32;
  ident12: u32;
  type: u16;
  machine: u16;
  version: u32;
  entry: u32;
  phoff: u32;
  shoff: u32;
  flags: u32;
  ehsize: u16;
  phentsize: u16;
  phnum: u16;
  shentsize: u16;
  shnum: u16;
  shstrndx: u16;
}

@unmanaged
class ProgramHeader {
  type: u32;
  offset: u32;
  vaddr: u32;
  paddr: u32;
  filesz: u32;
  memsz: u32;
  flags: u32;
  align: u32;
}

/** Appends one string (from user space if `user`, else kernel) to args. */
function addArg(args: ExecArgs, s: u32, user: bool): i32 {
  const room = <i32>(ARG_MAX - args.used);
  let n = 0;
  if (user) {
    n = strncpyFromUser(args.strings + args.used, s, room);
    if (n < 0) return n;
  } else {
    while (n < room && load<u8>(s + <u32>n) != 0) {
      store<u8>(args.strings + args.used + <u32>n, load<u8>(s + <u32>n));
      n++;
    }
    if (n < room) store<u8>(args.strings + args.used + <u32>n, 0);
  }
  if (n >= room) return -E2BIG;
  args.used += <u32>n + 1;
  return 0;
}

/** Copies a NULL-terminated array of string pointers (user or kernel). Returns the count. */
function addArgVector(args: ExecArgs, vector: u32, user: bool): i32 {
  if (vector == 0) return 0;
  let count = 0;
  while (true) {
    let s: u32 = 0;
    if (user) {
      if (getUser32(vector + <u32>count * 4, changetype<usize>(wordBuffer)) < 0) return -EFAULT;
      s = wordBuffer[0];
    } else {
      s = load<u32>(vector + <u32>count * 4);
    }
    if (s == 0) return count;
    if (count >= MAX_ARGS) return -E2BIG;
    const r = addArg(args, s, user);
    if (r < 0) return r;
    count++;
  }
  return count;
}

const wordBuffer = new StaticArray<u32>(1);
const headerBuffer = new StaticArray<u8>(52);
const phBuffer = new StaticArray<u8>(1024);

/** Copies n bytes from kernel `src` to `va` in address space `pd` (pages must be mapped). */
function copyIntoSpace(pd: usize, va: u32, src: usize, n: u32): void {
  while (n > 0) {
    const chunk = 4096 - (va & 4095) < n ? 4096 - (va & 4095) : n;
    const pte = vmLookup(pd, va);
    memory_copy(physToVirt(pte & ~4095) + (va & 4095), src, chunk);
    va += chunk;
    src += chunk;
    n -= chunk;
  }
}

/** Maps the pages of [start, end) in pd (writable if asked). 0 or -ENOMEM. */
function mapRange(pd: usize, start: u32, end: u32, writable: bool): i32 {
  for (let page = start & ~4095; page < end; page += 4096) {
    const pte = vmLookup(pd, page);
    if ((pte & PTE_PRESENT) != 0) {
      if (writable && (pte & PTE_WRITE) == 0) vmMap(pd, page, physToVirt(pte & ~4095), PTE_WRITE);
      continue;
    }
    if (!userPagesAvailable(1, true)) return -ENOMEM; // may run the OOM killer (mm/oom.ts)
    if (vmAllocUserPage(pd, page, writable ? PTE_WRITE : 0) == 0) return -ENOMEM;
  }
  return 0;
}

/** Makes the present page `page` of pd (an earlier segment's) private, so that exec may copy
 *  file bytes into it: a page shared with the file is replaced by a copy. */
function privatePage(pd: usize, page: u32, writable: bool): i32 {
  if (!vmPageExclusive(vmLookup(pd, page))) {
    if (!userPagesAvailable(1, true)) return -ENOMEM;
    vmProtect(pd, page, PTE_USER | PTE_WRITE); // a shared page: copy-on-write…
    if (vmBreakCow(pd, page) < 0) return -ENOMEM; // …and the copy made now
  }
  vmProtect(pd, page, PTE_USER | (writable ? PTE_WRITE : 0));
  return 0;
}

/**
 * Maps the file pages of a segment straight from the file's page cache (execFilePage): every
 * page that lies wholly within the file part [vaddr, vaddr + filesz) of the segment, or that
 * holds its end when the segment has no .bss, is one more mapping of the file's own page,
 * read-only. Writable segments (data) are not mapped so. The first page may begin with file bytes
 * before vaddr (the ELF headers, before .text), as on Linux. Returns the address up to which
 * the segment is mapped that way (vaddr's page if none: then the caller copies everything).
 */
function mapFilePages(pd: usize, h: ProgramHeader, vaddr: u32): u32 {
  const first = vaddr & ~4095;
  if ((vaddr & 4095) != (h.offset & 4095)) return first; // not mappable: read it in
  // Data stays private, copied at exec: it is small next to the text, and most of it is
  // written (a write would copy a shared page anyway).
  if ((h.flags & PF_W) != 0) return first;
  const fileEnd = vaddr + h.filesz;
  const pageBase = (h.offset - (vaddr & 4095)) >> 12; // the file page at `first`
  let page = first;
  while (page < fileEnd) {
    const whole = page + 4096 <= fileEnd || h.memsz == h.filesz;
    if (!whole) break;
    if ((vmLookup(pd, page) & PTE_PRESENT) != 0) break; // another segment's page: copy from here
    const cached = execFilePage(pageBase + ((page - first) >> 12));
    if (cached == 0) break;
    if (vmMapShared(pd, page, cached, (h.flags & PF_W) != 0) < 0) break;
    page += 4096;
  }
  return page;
}

/** Loads the segments of the open executable into pd. Returns e_entry, or -errno. */
function loadSegments(p: Proc, pd: usize, eh: ElfHeader, bias: u32): i32 {
  const phSize = <u32>eh.phnum * 32;
  if (eh.phentsize != 32 || phSize > 1024 || phSize == 0) return -ENOEXEC;
  const ph = changetype<usize>(phBuffer);
  if (execRead(eh.phoff, ph, phSize) != <i32>phSize) return -ENOEXEC;
  let low: u32 = 0xffffffff;
  let high: u32 = 0;
  for (let i: u32 = 0; i < eh.phnum; i++) {
    const h = changetype<ProgramHeader>(ph + i * 32);
    if (h.type == PT_INTERP) return -ENOEXEC; // dynamically linked: not supported
    if (h.type != PT_LOAD || h.memsz == 0) continue;
    const vaddr = h.vaddr + bias;
    const end = vaddr + h.memsz;
    if (h.filesz > h.memsz || vaddr < h.vaddr || end < vaddr || end > USER_STACK_TOP - 0x01000000 || vaddr < 0x1000) return -ENOEXEC;
    const writable = (h.flags & PF_W) != 0;
    // shared pages from the file first, then private pages for the rest of the file part (its
    // tail, the file bytes copied in, the page holding the start of .bss zeroed past them, as
    // Linux's padzero), then .bss: demand-zero, no page until it is touched (mm/vm.ts)
    const shared = mapFilePages(pd, h, vaddr);
    let copyFrom = vaddr > shared ? vaddr : shared;
    const zeroFrom = (vaddr + h.filesz + 4095) & ~4095; // the first page without file bytes
    for (let page = shared; page < end; page += 4096) {
      if ((vmLookup(pd, page) & PTE_PRESENT) != 0) {
        const r = privatePage(pd, page, writable || (vmLookup(pd, page) & (PTE_WRITE | PTE_COW)) != 0);
        if (r < 0) return r;
        continue;
      }
      if (page >= zeroFrom) continue; // .bss: reserved below
      if (!userPagesAvailable(1, true)) return -ENOMEM; // may run the OOM killer (mm/oom.ts)
      if (vmAllocUserPage(pd, page, writable ? PTE_WRITE : 0) == 0) return -ENOMEM;
    }
    if (zeroFrom < end) { // the page tables are the only memory .bss takes now
      if (!userPagesAvailable(vmTablesNeeded(pd, zeroFrom, end), true)) return -ENOMEM;
      if (vmReserveZero(pd, zeroFrom, end, PTE_USER | (writable ? PTE_WRITE : 0)) < 0) return -ENOMEM;
    }
    let done: u32 = copyFrom - vaddr;
    while (done < h.filesz) {
      const va = vaddr + done;
      const chunk = 4096 - (va & 4095) < h.filesz - done ? 4096 - (va & 4095) : h.filesz - done;
      const kaddr = physToVirt(vmLookup(pd, va) & ~4095) + (va & 4095);
      if (execRead(h.offset + done, kaddr, chunk) != <i32>chunk) return -ENOEXEC;
      done += chunk;
    }
    if ((vaddr & ~4095) < low) low = vaddr & ~4095;
    if (end > high) high = end;
  }
  if (high == 0) return -ENOEXEC;
  p.imageStart = low;
  p.imageEnd = (high + 4095) & ~4095;
  return <i32>(eh.entry + bias);
}

/** Lays out argc, argv, envp, auxv and the strings at the top of pd's stack. Returns ESP. */
function setupStack(pd: usize, args: ExecArgs, eh: ElfHeader, p: Proc, entry: u32): u32 {
  const top = USER_STACK_TOP - 16;
  const randomAt = top - 16;
  const stringsAt = (randomAt - args.used) & ~3;
  const words = 1 + (args.argc + 1) + (args.envc + 1) + 2 * 11;
  const sp = (stringsAt - <u32>words * 4) & ~15;
  const size = USER_STACK_TOP - sp;
  const image = kmalloc(size);
  if (image == 0) return 0;
  memory_fill(image, 0, size);
  memory_copy(image + (stringsAt - sp), args.strings, args.used);
  for (let i: u32 = 0; i < 16; i++) store<u8>(image + (randomAt - sp) + i, <u8>((rdtsc() >> (i & 7)) ^ (i * 37)));
  let w = image;
  store<u32>(w, <u32>args.argc);
  w += 4;
  let s = stringsAt;
  p.argStart = stringsAt;
  p.argEnd = stringsAt;
  for (let i = 0; i < args.argc + args.envc; i++) {
    if (i == args.argc) w += 4; // argv's terminating 0
    store<u32>(w, s);
    w += 4;
    while (load<u8>(image + (s - sp)) != 0) s++;
    s++;
    if (i < args.argc) p.argEnd = s; // for /proc/<pid>/cmdline
  }
  p.envEnd = s; // for /proc/<pid>/environ
  w += 4; // envp's terminating 0
  const aux = changetype<StaticArray<u32>>(w);
  aux[0] = 3; aux[1] = p.imageStart + eh.phoff; // AT_PHDR (valid when the first segment maps the headers)
  aux[2] = 4; aux[3] = 32; // AT_PHENT
  aux[4] = 5; aux[5] = eh.phnum; // AT_PHNUM
  aux[6] = 6; aux[7] = 4096; // AT_PAGESZ
  aux[8] = 9; aux[9] = entry; // AT_ENTRY
  aux[10] = 11; aux[11] = p.uid; // AT_UID
  aux[12] = 12; aux[13] = execEuid(p); // AT_EUID: the set-user-ID owner, if any
  aux[14] = 13; aux[15] = p.gid; // AT_GID
  aux[16] = 14; aux[17] = execEgid(p); // AT_EGID
  aux[18] = 25; aux[19] = randomAt; // AT_RANDOM
  aux[20] = 0; aux[21] = 0; // AT_NULL
  let result = sp;
  if (mapRange(pd, sp, USER_STACK_TOP, true) < 0) result = 0;
  else copyIntoSpace(pd, sp, image, size);
  kfree(image);
  return result;
}

/** Records the program's path for /proc/<pid>/exe: absolute (the working directory in front
 *  of a relative one, "./" dropped), cut to the 127 bytes Proc.exe holds. */
function setExePath(p: Proc, path: usize): void {
  const exe = changetype<usize>(p.exe);
  let n: u32 = 0;
  if (load<u8>(path) != SLASH) {
    const r = inodePath(currentFsCwd(), exe, 128);
    n = r > 0 ? <u32>r : 0;
    if (n == 1) n = 0; // "/" itself
    while (load<u8>(path) == ".".charCodeAt(0) && load<u8>(path + 1) == SLASH) path += 2;
    if (n < 127) store<u8>(exe + n++, SLASH);
  }
  for (let q = path; load<u8>(q) != 0 && n < 127; q++) store<u8>(exe + n++, load<u8>(q));
  store<u8>(exe + n, 0);
}

/** Loads the ELF executable `path` (binfmt_elf, built in). -ENOEXEC with bprm.unknown set when
 *  the file is not ELF at all: then the other formats get their turn (execBinprm). */
function execLoaded(path: usize, args: ExecArgs, bprm: LinuxBinprm): i32 {
  const p = currentProc();
  let r = execOpen(path);
  if (r < 0) return r;
  const eh = changetype<ElfHeader>(changetype<usize>(headerBuffer));
  memory_fill(changetype<usize>(bprm.buf), 0, BINPRM_BUF_SIZE);
  const got = execRead(0, changetype<usize>(bprm.buf), BINPRM_BUF_SIZE);
  bprm.size = got < 0 ? 0 : got;
  bprm.filename = path;
  bprm.unknown = got >= 4 && load<u32>(changetype<usize>(bprm.buf)) != 0x464c457f;
  memory_copy(changetype<usize>(eh), changetype<usize>(bprm.buf), 52);
  if (got < 52 || eh.ident0 != 0x464c457f || (eh.ident4 & 0xffffff) != 0x010101 || (eh.type != ET_EXEC && eh.type != ET_DYN) || eh.machine != 3) {
    execClose();
    return -ENOEXEC;
  }
  const pd = vmCreate();
  if (pd == 0) {
    execClose();
    return -ENOMEM;
  }
  const oldStart = p.imageStart;
  const oldEnd = p.imageEnd;
  r = loadSegments(p, pd, eh, eh.type == ET_DYN ? ET_DYN_BASE : 0);
  const exeFile = execDetach(); // the process keeps it (ETXTBSY while it runs)
  let sp: u32 = 0;
  if (r >= 0) {
    sp = setupStack(pd, args, eh, p, <u32>r);
    if (sp == 0) r = -ENOMEM;
  }
  if (r < 0) {
    p.imageStart = oldStart;
    p.imageEnd = oldEnd;
    vmFree(pd);
    exeFileRelease(exeFile);
    return r;
  }
  // The point of no return.
  const old = p.pd;
  p.pd = pd;
  vmSwitch(pd);
  if (old != kernelPageDirectory()) vmFree(old);
  p.brkStart = p.imageEnd;
  p.brk = p.imageEnd;
  p.stackLow = sp & ~4095;
  setExePath(p, path);
  setExeFile(p, exeFile);
  tlsClear(p); // no TLS segment in the new program (arch/x86/tls.ts)
  p.clearChildTid = 0;
  let base = path;
  for (let q = path; load<u8>(q) != 0; q++) if (load<u8>(q) == SLASH) base = q + 1;
  setProcName(p, changetype<string>(base));
  execApplyCreds(p); // set-user-ID / set-group-ID (open_exec.ts)
  signalsResetOnExec(p);
  filesCloseOnExec(p);
  procSetupUserRegisters(p, <u32>r, sp);
  return 0;
}


// ---- Other binary formats (Linux's struct linux_binfmt): modules add them ---------------------
//
// ELF is built in (execLoaded). A file that is not ELF is offered to each registered format in
// turn; a format that recognises it (from bprm.buf, the file's first 128 bytes) names an
// interpreter with binprmSetInterpreter() and returns 0 — "#!" scripts are the classic case —
// and exec starts again with that program, its arguments in front:
//     interp [arg1] [arg2] FILE argv[1] …            (at most BINPRM_MAX_DEPTH times)
// A format that does not know the file returns -ENOEXEC. When no format takes it and its first
// four bytes are not all printable (so it is not text), exec asks for a module once, as Linux:
// request_module("binfmt-%04x", the 16-bit word at bytes 2-3), and tries the formats again.

export const BINPRM_BUF_SIZE: u32 = 128;
const BINPRM_MAX_DEPTH: i32 = 4;

/** What a format sees of the file being executed, and where it puts its answer. */
@unmanaged
export class LinuxBinprm {
  buf = new StaticArray<u8>(128); //  the first BINPRM_BUF_SIZE bytes of the file (zero-padded)
  size: i32; //                       how many of them the file has
  filename: usize; //                 the path being executed (kernel string)
  unknown: bool; //                   read fine, but not ELF
  interp = new StaticArray<u8>(128); // set by binprmSetInterpreter
  arg1 = new StaticArray<u8>(128);
  arg2 = new StaticArray<u8>(128);
}

/** A binary format (a module's static struct): loadBinary returns 0 after
 *  binprmSetInterpreter, or -ENOEXEC when the file is not its kind (or another -errno). */
@unmanaged
export class LinuxBinfmt {
  next: LinuxBinfmt;
  name: string;
  loadBinary: (bprm: LinuxBinprm) => i32;
}

let formats: LinuxBinfmt = null;

/** Adds a format (tried before the ones registered earlier, as Linux's insert at the head). */
export function registerBinfmt(fmt: LinuxBinfmt): i32 {
  for (let f = formats; f != null; f = f.next) if (f == fmt) return -EBUSY;
  fmt.next = formats;
  formats = fmt;
  return 0;
}

export function unregisterBinfmt(fmt: LinuxBinfmt): void {
  if (formats == fmt) {
    formats = fmt.next;
    return;
  }
  for (let f = formats; f != null; f = f.next) {
    if (f.next == fmt) {
      f.next = fmt.next;
      return;
    }
  }
}

function copyString(dst: usize, src: string): bool {
  if (changetype<usize>(src) == 0) {
    store<u8>(dst, 0);
    return true;
  }
  let n: u32 = 0;
  while (load<u8>(changetype<usize>(src) + n) != 0) {
    if (n >= BINPRM_BUF_SIZE - 1) return false;
    store<u8>(dst + n, load<u8>(changetype<usize>(src) + n));
    n++;
  }
  store<u8>(dst + n, 0);
  return true;
}

/** Run `interp [arg1] [arg2] FILE …` instead (arg1/arg2 may be null). 0, or -ENAMETOOLONG. */
export function binprmSetInterpreter(bprm: LinuxBinprm, interp: string, arg1: string, arg2: string): i32 {
  if (!copyString(changetype<usize>(bprm.interp), interp) || !copyString(changetype<usize>(bprm.arg1), arg1) ||
    !copyString(changetype<usize>(bprm.arg2), arg2)) return -ENAMETOOLONG;
  return 0;
}

function printable(c: u8): bool {
  return c == "\t".charCodeAt(0) || c == "\n".charCodeAt(0) || (c >= " ".charCodeAt(0) && c <= "~".charCodeAt(0));
}

// ---- "#!" scripts (Linux's binfmt_script, built in) ------------------------------------------
//
// "#!INTERP [ARG]" on the first line: run INTERP [ARG] FILE argv[1] …. Blanks around INTERP and
// after ARG are dropped; ARG is the whole rest of the line, inner blanks and all (one argument,
// as Linux). No interpreter named, or a first line so long that the interpreter's name does not
// fit in the BINPRM_BUF_SIZE bytes read: ENOEXEC. A script whose interpreter is a script again
// counts towards BINPRM_MAX_DEPTH (then ELOOP).

function isBlank(c: u8): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0);
}

let scriptInterp = new StaticArray<u8>(128);
let scriptArg = new StaticArray<u8>(128);

function loadScript(bprm: LinuxBinprm): i32 {
  if (bprm.size < 2 || bprm.buf[0] != "#".charCodeAt(0) || bprm.buf[1] != "!".charCodeAt(0)) return -ENOEXEC;
  let end = 2;
  while (end < bprm.size && bprm.buf[end] != "\n".charCodeAt(0) && bprm.buf[end] != 0) end++;
  const truncated = end == <i32>BINPRM_BUF_SIZE; // no end of line among the bytes read
  let i = 2;
  while (i < end && isBlank(bprm.buf[i])) i++;
  let j = i;
  while (j < end && !isBlank(bprm.buf[j])) j++;
  if (j == i) return -ENOEXEC; // no interpreter named
  if (truncated && j == end) return -ENOEXEC; // the interpreter's name may be cut short
  let k = end;
  while (k > j && isBlank(bprm.buf[k - 1])) k--;
  let a = j;
  while (a < k && isBlank(bprm.buf[a])) a++;
  const interp = changetype<usize>(scriptInterp);
  const arg = changetype<usize>(scriptArg);
  memory_copy(interp, changetype<usize>(bprm.buf) + i, <u32>(j - i));
  store<u8>(interp + (j - i), 0);
  memory_copy(arg, changetype<usize>(bprm.buf) + a, <u32>(k - a));
  store<u8>(arg + (k - a), 0);
  return binprmSetInterpreter(bprm, changetype<string>(interp), k > a ? changetype<string>(arg) : changetype<string>(0), changetype<string>(0));
}

/** Puts interp [arg1] [arg2] FILE in front of argv[1] … (argv[0] is dropped, as Linux). */
function prependArgs(args: ExecArgs, bprm: LinuxBinprm, file: usize): i32 {
  const old = kmalloc(ARG_MAX);
  if (old == 0) return -ENOMEM;
  memory_copy(old, args.strings, args.used);
  const oldUsed = args.used;
  const oldArgc = args.argc;
  args.used = 0;
  args.argc = 0;
  let r = addArg(args, changetype<usize>(bprm.interp), false);
  args.argc++;
  if (r == 0 && bprm.arg1[0] != 0) { r = addArg(args, changetype<usize>(bprm.arg1), false); args.argc++; }
  if (r == 0 && bprm.arg2[0] != 0) { r = addArg(args, changetype<usize>(bprm.arg2), false); args.argc++; }
  if (r == 0) { r = addArg(args, file, false); args.argc++; }
  let skip: u32 = 0;
  if (oldArgc > 0) {
    while (load<u8>(old + skip) != 0) skip++;
    skip++;
    args.argc += oldArgc - 1;
  }
  if (r == 0 && args.used + (oldUsed - skip) > ARG_MAX) r = -E2BIG;
  if (r == 0) {
    memory_copy(args.strings + args.used, old + skip, oldUsed - skip);
    args.used += oldUsed - skip;
  }
  kfree(old);
  return r;
}

/** exec with every format: ELF, then the registered ones (see above). */
function execBinprm(path: usize, args: ExecArgs): i32 {
  const bprm = changetype<LinuxBinprm>(kmalloc(sizeof<LinuxBinprm>()));
  let pathCopy: usize = 0; // taken when a script's interpreter replaces the path (most execs: never)
  let r = -ENOMEM;
  if (bprm != null) {
    let requested = false;
    let depth = 0;
    while (true) {
      r = execLoaded(path, args, bprm);
      if (r != -ENOEXEC || !bprm.unknown) break;
      bprm.interp[0] = 0;
      r = loadScript(bprm);
      for (let f = formats; f != null && r == -ENOEXEC; f = f.next) {
        bprm.interp[0] = 0;
        const loadBinary = f.loadBinary;
        r = loadBinary(bprm);
      }
      if (r == -ENOEXEC && !requested && !(printable(bprm.buf[0]) && printable(bprm.buf[1]) && printable(bprm.buf[2]) && printable(bprm.buf[3]))) {
        requested = true;
        request_module("binfmt-%04x", <u32>load<u16>(changetype<usize>(bprm.buf) + 2));
        continue; // the same file again, with whatever format the module added
      }
      if (r < 0) break;
      if (bprm.interp[0] == 0) { r = -ENOEXEC; break; }
      if (++depth > BINPRM_MAX_DEPTH) { r = -ELOOP; break; }
      r = prependArgs(args, bprm, path);
      if (r < 0) break;
      if (pathCopy == 0) pathCopy = kmalloc(<u32>PATH_MAX);
      if (pathCopy == 0) { r = -ENOMEM; break; }
      copyString(pathCopy, changetype<string>(changetype<usize>(bprm.interp)));
      path = pathCopy;
    }
  }
  if (bprm != null) kfree(changetype<usize>(bprm));
  if (pathCopy != 0) kfree(pathCopy);
  return r;
}

function newArgs(): ExecArgs {
  const args = changetype<ExecArgs>(kmalloc(sizeof<ExecArgs>()));
  if (args == null) return args;
  args.argc = 0;
  args.envc = 0;
  args.used = 0;
  args.strings = kmalloc(ARG_MAX);
  if (args.strings == 0) {
    kfree(changetype<usize>(args));
    return changetype<ExecArgs>(0);
  }
  return args;
}

function freeArgs(args: ExecArgs): void {
  kfree(args.strings);
  kfree(changetype<usize>(args));
}

/** execve(path, argv, envp): on success the new program starts when the call returns. */
export function sys_execve(pathname: u32, argv: u32, envp: u32): i32 {
  const path = kmalloc(<u32>PATH_MAX);
  if (path == 0) return -ENOMEM;
  let r = strncpyFromUser(path, pathname, PATH_MAX);
  if (r >= PATH_MAX) r = -ENAMETOOLONG;
  const args = r < 0 ? changetype<ExecArgs>(0) : newArgs();
  if (r >= 0 && args == null) r = -ENOMEM;
  if (r >= 0) {
    r = addArgVector(args, argv, true);
    if (r >= 0) {
      args.argc = r;
      r = addArgVector(args, envp, true);
      if (r >= 0) {
        args.envc = r;
        r = execBinprm(path, args);
      }
    }
  }
  if (args != null) freeArgs(args);
  kfree(path);
  return r;
}

/** Runs `path` in the current process (a kernel thread becoming the first user process),
 *  with kernel-space argv and envp arrays. 0 or -errno. */
export function kernelExecve(path: string, argv: usize, envp: usize): i32 {
  const args = newArgs();
  if (args == null) return -ENOMEM;
  let r = addArgVector(args, argv, false);
  if (r >= 0) {
    args.argc = r;
    r = addArgVector(args, envp, false);
    if (r >= 0) {
      args.envc = r;
      r = execBinprm(changetype<usize>(path), args);
    }
  }
  freeArgs(args);
  return r;
}

// Exported to modules (the binfmt kind of module).
EXPORT_SYMBOL(registerBinfmt);
EXPORT_SYMBOL(unregisterBinfmt);
EXPORT_SYMBOL(binprmSetInterpreter);
