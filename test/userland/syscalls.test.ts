// The system call table and what is generated from it: user stubs and the kernel's dispatch
// table, both assembled by our assembler; and the user-land build's output (cpio entries).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { assemble } from "../../toolchain/src/asm/assembler.js";
import { kernelDispatchTable, parseSyscallTable, SyscallTableError, userStubs } from "../../toolchain/src/syscalls.js";
import { buildOnce } from "./native";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const table = parseSyscallTable(readFileSync(resolve(root, "kernel/syscalls.tbl"), "utf8"));
const number = (name: string) => table.find((e) => e.name === name)?.number;

describe("kernel/syscalls.tbl", () => {
  test("uses Linux's i386 numbers", () => {
    const linux: Record<string, number> = {
      exit: 1, fork: 2, read: 3, write: 4, open: 5, close: 6, waitpid: 7, execve: 11, chdir: 12, getpid: 20, mount: 21,
      kill: 37, mkdir: 39, pipe: 42, brk: 45, ioctl: 54, umount2: 52, dup2: 63, sethostname: 74, reboot: 88, syslog: 103,
      stat: 106, lstat: 107, fstat: 108, wait4: 114, sysinfo: 116, uname: 122, init_module: 128, delete_module: 129,
      getdents: 141, nanosleep: 162, rt_sigreturn: 173, rt_sigaction: 174, rt_sigprocmask: 175, getcwd: 183,
      getdents64: 220, exit_group: 252, finit_module: 350,
    };
    for (const [name, n] of Object.entries(linux)) expect(number(name), name).toBe(n);
  });
  test("the parser rejects malformed lines, naming them", () => {
    expect(() => parseSyscallTable("1 exit\n")).toThrow(SyscallTableError);
    expect(() => parseSyscallTable("2 fork sys_fork\n1 exit sys_exit\n")).toThrow(/syscalls.tbl:2: number 1 does not ascend/);
    expect(parseSyscallTable("# comment\n\n3 read sys_read # trailing\n")).toEqual([{ number: 3, name: "read", entry: "sys_read" }]);
  });
});

describe("generated code", () => {
  test("user stubs: one global function per call, int 0x80 with the number in eax", () => {
    const text = userStubs(table);
    const obj = assemble(text, "syscalls.s");
    const globals = obj.symbols.filter((s) => s.bind === "global").map((s) => s.name);
    for (const e of table) expect(globals).toContain(`sys_${e.name}`);
    expect(text).toMatch(/sys_write:\n {2}push ebx\n {2}push esi\n {2}push edi\n {2}push ebp\n {2}mov eax, 4\n/);
  });
  test("the kernel's dispatch table: every number up to the largest, gaps to sys_ni_syscall", () => {
    const text = kernelDispatchTable(table);
    const max = table[table.length - 1]!.number;
    expect(text).toContain(`NR_syscalls:\n  .long ${max + 1}\n`);
    const entries = text.split("\n").filter((l) => /^ {2}\.long \w+ {3}# \d+/.test(l));
    expect(entries.length).toBe(max + 1);
    expect(entries[0]).toBe("  .long sys_ni_syscall   # 0");
    expect(entries[4]).toBe("  .long sys_write   # 4 write");
    const obj = assemble(text, "table.s");
    const rodata = obj.sections.find((s) => s.name === ".rodata")!;
    expect(rodata.size).toBe(4 + 4 * (max + 1));
  });
});

describe("buildUserland", () => {
  test("executables in bin/ and sbin/, /etc, and the empty directories", () => {
    const { dir } = buildOnce();
    const mode = (p: string) => statSync(join(dir, p)).mode & 0o7777;
    for (const name of ["sh", "echo", "cat", "ls", "ps", "mount"]) expect(mode(`bin/${name}`)).toBe(0o755);
    expect(readdirSync(join(dir, "sbin")).sort()).toEqual(["arp", "blkid", "crond", "depmod", "fdisk", "ifconfig", "init", "insmod", "kerneld", "ksyms", "lokumd", "lsmod", "mke2fs", "mkfs.ext2", "modinfo", "modprobe", "pivot_root", "poweroff", "reboot", "rmmod", "route", "switch_root", "udhcpc"]);
    expect(mode("etc/rc")).toBe(0o755);
    expect(mode("etc/passwd")).toBe(0o644);
    expect(readFileSync(join(dir, "etc/hostname"), "utf8")).toBe("lokum\n");
    for (const d of ["proc", "dev", "sys", "tmp", "root", "lib/modules"]) expect(statSync(join(dir, d)).isDirectory()).toBe(true);
    expect(mode("tmp")).toBe(0o1777);
    // a static i386 executable at 0x08048000
    const elf = readFileSync(join(dir, "bin/sh"));
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(elf[4]).toBe(1); // ELFCLASS32
    expect(elf.readUInt16LE(18)).toBe(3); // EM_386
    expect(elf.readUInt32LE(24) >>> 12).toBe(0x08048);
  });
  test("the init script runs under our shell (hostname and mount left out: they need root's machine)", async () => {
    const { run } = await import("./native");
    // its last line and the reads of /proc/sys/kernel it prints (never a write: not the host's hostname)
    const rc = readFileSync(join(buildOnce().dir, "etc/rc"), "utf8").split("\n")
      .filter((l) => /^(echo|read) /.test(l) && !l.includes("> /proc"));
    expect(run("sh", ["-c", rc.join("\n")]).stdout).toMatch(/^Lokum: Linux \S+ on \S+, rc done\n$/);
  });
});
