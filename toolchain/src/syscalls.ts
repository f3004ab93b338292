// The system call table, read once and turned into code for both sides of `int 0x80`
// (xv6's usys.pl idea: one list, generated stubs, so the two sides cannot disagree).
//
// Design note
// -----------
// kernel/syscalls.tbl lists `NUMBER NAME ENTRY` per line, with Linux's i386 numbers. From it:
//
//  - userStubs(table): the user side. One global function `sys_NAME` per call, callable from
//    Lokum TypeScript (or C) with the cdecl ABI. It saves the callee-saved registers it borrows
//    (ebx esi edi ebp), loads up to six arguments from its stack into ebx ecx edx esi edi ebp
//    (Linux's i386 order), puts NUMBER in eax and executes `int 0x80`. It returns the kernel's
//    raw result: a negative errno on failure (libc turns that into -1 and `errno`). Every stub
//    loads all six registers: reading argument slots the caller did not push is harmless (they
//    are the caller's own stack), and it spares the table an argument-count column.
//
//  - kernelDispatchTable(table): the kernel side. `sys_call_table` in .rodata holds `.long ENTRY`
//    for every number from 0 to the largest, with `sys_ni_syscall` (→ -ENOSYS) in the gaps, and
//    `NR_syscalls` is a .rodata word holding the table's length.
//
// Pure TypeScript, no Node: the build reads the file and passes the text in.

export interface SyscallEntry {
  number: number;
  name: string; // user stub: sys_<name>
  entry: string; // kernel function
}

export class SyscallTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyscallTableError";
  }
}

/** Parses syscalls.tbl text. Throws SyscallTableError naming the line on a malformed entry. */
export function parseSyscallTable(text: string): SyscallEntry[] {
  const table: SyscallEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, "").trim();
    if (line === "") continue;
    const fields = line.split(/\s+/);
    const where = `syscalls.tbl:${i + 1}`;
    if (fields.length !== 3) throw new SyscallTableError(`${where}: expected NUMBER NAME ENTRY, got '${line}'`);
    const [num, name, entry] = fields as [string, string, string];
    if (!/^\d+$/.test(num)) throw new SyscallTableError(`${where}: '${num}' is not a number`);
    if (!/^[A-Za-z_]\w*$/.test(name) || !/^[A-Za-z_]\w*$/.test(entry)) throw new SyscallTableError(`${where}: bad name in '${line}'`);
    const number = Number(num);
    const previous = table[table.length - 1];
    if (previous && number <= previous.number) throw new SyscallTableError(`${where}: number ${number} does not ascend (after ${previous.number})`);
    if (table.some((e) => e.name === name)) throw new SyscallTableError(`${where}: '${name}' appears twice`);
    table.push({ number, name, entry });
  }
  return table;
}

/** The user-space stubs: one `sys_<name>` per system call, in our assembly dialect. */
export function userStubs(table: SyscallEntry[]): string {
  const out: string[] = [
    "# Generated from kernel/syscalls.tbl by toolchain/src/syscalls.ts (userStubs). Do not edit.",
    "# int sys_NAME(a1, a2, a3, a4, a5, a6): raw kernel result, negative errno on failure.",
    ".intel_syntax noprefix",
    ".text",
    "",
    "# Shared tail: eax = number; the four saved registers sit above the return address.",
    "__syscall_enter:",
    "  mov ebx, dword ptr [esp+24]   # arguments start after 4 saved registers, the stub's",
    "  mov ecx, dword ptr [esp+28]   # return address and ours (6 words)",
    "  mov edx, dword ptr [esp+32]",
    "  mov esi, dword ptr [esp+36]",
    "  mov edi, dword ptr [esp+40]",
    "  mov ebp, dword ptr [esp+44]",
    "  int 0x80",
    "  ret",
    "",
  ];
  for (const e of table) {
    out.push(
      `.globl sys_${e.name}`,
      `.type sys_${e.name},@function`,
      `sys_${e.name}:`,
      "  push ebx",
      "  push esi",
      "  push edi",
      "  push ebp",
      `  mov eax, ${e.number}`,
      "  call __syscall_enter",
      "  pop ebp",
      "  pop edi",
      "  pop esi",
      "  pop ebx",
      "  ret",
      `.size sys_${e.name}, . - sys_${e.name}`,
      "",
    );
  }
  return out.join("\n");
}

/** The kernel's dispatch table: `sys_call_table` (one entry per number) and `NR_syscalls`. */
export function kernelDispatchTable(table: SyscallEntry[]): string {
  const count = table.length ? table[table.length - 1]!.number + 1 : 0;
  const byNumber = new Map(table.map((e) => [e.number, e]));
  const out: string[] = [
    "# Generated from kernel/syscalls.tbl by toolchain/src/syscalls.ts (kernelDispatchTable). Do not edit.",
    ".intel_syntax noprefix",
    ".section .rodata",
    ".align 4",
    ".globl NR_syscalls",
    ".type NR_syscalls,@object",
    "NR_syscalls:",
    `  .long ${count}`,
    ".size NR_syscalls, 4",
    ".globl sys_call_table",
    ".type sys_call_table,@object",
    "sys_call_table:",
  ];
  for (let n = 0; n < count; n++) {
    const e = byNumber.get(n);
    out.push(e ? `  .long ${e.entry}   # ${n} ${e.name}` : `  .long sys_ni_syscall   # ${n}`);
  }
  out.push(`.size sys_call_table, ${count * 4}`, "");
  return out.join("\n");
}
