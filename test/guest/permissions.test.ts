// Users and permissions in v86 (issue 11, docs/permissions.md): the escapes a student found, tried
// as uid 1000, must get Linux's errno; what a user may do must still work; the user tools (id, su,
// whoami, chmod, chown, chgrp, ls -l) speak busybox; set-user-ID programs run as their owner and
// scripts do not; ext2 keeps owners on disk and FAT takes uid=/gid=/umask=; and a syscall fuzzer
// (random calls over the whole table, bad and kernel pointers, fixed seeds, as root and as uid
// 1000) leaves the kernel answering and the files uid 1000 must not touch unchanged.
//
// The two C programs (test/guest/programs/permcheck.c, sysfuzz.c) are built with
// `gcc -m32 -static -nostdlib` and talk to the kernel with int 0x80 only. One boot, with an ext2
// disk (hda) and a FAT one (hdb), prepared as root (ide-disk and the hello module loaded), is
// shared through a snapshot: every test starts from it.

import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { buildKernelCached as buildKernel, buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const programs = resolve(root, "test/guest/programs");

let work: string;
let machine: Machine;
let prepared: ArrayBuffer;

/** A C program of test/guest/programs, built static for i386 without a libc. */
function buildC(name: string): Uint8Array {
  const out = join(work, name);
  execFileSync("gcc", ["-m32", "-static", "-nostdlib", "-fno-pie", "-no-pie", "-O1", "-fno-stack-protector", `-I${programs}`,
    "-o", out, join(programs, `${name}.c`)]);
  return new Uint8Array(readFileSync(out));
}

/** An ext2 image made by mke2fs -d from a tree with owners: /secret (root, 0600), /pub (root,
 *  1777), /home (uid 1000, 0755) holding notes.txt (uid 1000, 0640). */
function makeExt2(): Buffer {
  const tree = join(work, "ext2tree");
  mkdirSync(join(tree, "pub"), { recursive: true });
  mkdirSync(join(tree, "home"));
  writeFileSync(join(tree, "secret"), "root only\n");
  chmodSync(join(tree, "secret"), 0o600);
  chmodSync(join(tree, "pub"), 0o1777);
  chmodSync(join(tree, "home"), 0o755);
  writeFileSync(join(tree, "home/notes.txt"), "student's notes\n");
  chmodSync(join(tree, "home/notes.txt"), 0o640);
  const img = join(work, "ext2.img");
  execFileSync("mke2fs", ["-q", "-F", "-t", "ext2", "-b", "1024", "-d", tree, "-E", "root_owner=0:0", img, "4096"], { stdio: "pipe" });
  // owners set on the image itself (mke2fs -d copies the host's, which depend on who runs the test)
  const owners: [string, number][] = [["/secret", 0], ["/pub", 0], ["/home", 1000], ["/home/notes.txt", 1000]];
  const script = owners.map(([p, id]) => `sif ${p} uid ${id}\nsif ${p} gid ${id}\n`).join("");
  execFileSync("debugfs", ["-w", "-f", "-", img], { input: script, stdio: ["pipe", "pipe", "pipe"] });
  return readFileSync(img);
}

function makeFat(): Buffer {
  const img = join(work, "fat.img");
  execFileSync("mkfs.fat", ["-C", "-F", "16", "-s", "1", img, "4096"], { stdio: "pipe" });
  return readFileSync(img);
}

/** Runs commands at a fresh shell (the prepared snapshot); returns the output ending in "rc=N\n". */
const run = (commands: string, timeoutMs = 120_000) => runAtFreshShell(machine, prepared, commands, timeoutMs);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "lokum-perms-"));
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userland = buildUserland(readInitrdFiles(root), lib);
  const release = readKernelRelease();
  const tree = readTree("modules", (n) => n.endsWith(".ts"));
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const initrd = writeCpio([
    ...userland.entries,
    ...moduleInitrdEntries(buildModules(input as ModuleBuildInput), release),
    { path: "bin/permcheck", mode: 0o100755, data: buildC("permcheck") },
    { path: "bin/sysfuzz", mode: 0o100755, data: buildC("sysfuzz") },
    { path: "root/secret", mode: 0o100600, data: new TextEncoder().encode("the root password is not here\n") },
    { path: "tmp/rootfile", mode: 0o100644, data: new TextEncoder().encode("root's, in sticky /tmp\n") },
    // an unknown binary format (its first bytes are not text): exec asks for binfmt-0403
    { path: "tmp/unknown", mode: 0o100755, data: new Uint8Array([1, 2, 3, 4, 0x6a, 0x75, 0x6e, 0x6b]) },
  ]);
  machine = createNodeMachine({
    kernel: kernel.elf, initrd, cmdline: "console=ttyS0 quiet nocoldplug", hda: new Uint8Array(makeExt2()), hdb: new Uint8Array(makeFat()),
  });
  await machine.start();
  await machine.waitFor(/\n# $/, { timeoutMs: 60_000 });
  machine.write("modprobe ide-disk; modprobe hello; echo prepared=$?\n");
  await machine.waitFor(/prepared=0\r?\n# $/, { timeoutMs: 60_000 });
  prepared = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the escapes of issue 11, as uid 1000", () => {
  test("each gets Linux's errno, and what a user may do still works (permcheck)", async () => {
    const out = await run("permcheck");
    expect(out.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
    const summary = /permcheck: (\d+) cases, (\d+) escapes refused, (\d+) allowed, (\d+) failed/.exec(out);
    expect(summary).not.toBeNull();
    expect(Number(summary![2])).toBeGreaterThanOrEqual(40);
    expect(Number(summary![3])).toBeGreaterThanOrEqual(20);
    expect(summary![4]).toBe("0");
    for (const escape of ["read /root/secret", "write /etc/passwd", "write /dev/console", "write /proc/sys/kernel/printk",
      "write /sys/module/hello/parameters/whom", "create /etc/evil", "unlink /etc/passwd", "rename /etc/passwd",
      "write /proc/sys/kernel/modprobe", "/tmp/pwned was never written"]) {
      expect(out).toMatch(new RegExp(`^ok ${escape.replace(/[/.]/g, "\\$&")}`, "m"));
    }
    expect(out).toMatch(/rc=0\n$/);
  });

  test("the shell's messages: Permission denied, Operation not permitted", async () => {
    const out = await run("su student -c 'echo x > /etc/passwd; cat /root/secret; echo /tmp/evil > /proc/sys/kernel/modprobe; rm /etc/hostname; chmod 777 /etc; kill 1'");
    expect(out).toContain("sh: can't create /etc/passwd: Permission denied\n");
    expect(out).toContain("cat: can't open '/root/secret': Permission denied\n");
    expect(out).toContain("sh: can't create /proc/sys/kernel/modprobe: Permission denied\n");
    expect(out).toContain("rm: can't remove '/etc/hostname': Permission denied\n");
    expect(out).toContain("chmod: /etc: Operation not permitted\n");
    expect(out).toMatch(/kill: .*1.*Operation not permitted\n/);
  });

  test("root still may: write /etc, read /root, set modprobe", async () => {
    const out = await run("echo ok > /etc/motd && cat /root/secret /etc/motd && echo /sbin/modprobe > /proc/sys/kernel/modprobe && rm /etc/motd");
    expect(out).toBe("the root password is not here\nok\nrc=0\n");
  });
});

describe("users and the tools", () => {
  test("id, whoami and su speak busybox", async () => {
    const out = await run("id; whoami; su student -c 'id; whoami; id -u; id -gn; echo $HOME $USER'; id student; id nosuch; su nosuch");
    expect(out).toBe([
      "uid=0(root) gid=0(root) groups=0(root)",
      "root",
      "uid=1000(student) gid=1000(student) groups=1000(student)",
      "student",
      "1000",
      "student",
      "/home/student student",
      "uid=1000(student) gid=1000(student) groups=1000(student)",
      "id: unknown user nosuch",
      "su: unknown user nosuch",
      "rc=1",
      "",
    ].join("\n"));
  });

  test("su - makes a login shell in the home directory; su back to root needs no password here", async () => {
    const out = await run("su - student -c 'pwd; echo $LOGNAME; su -c id'");
    expect(out).toBe("/home/student\nstudent\nuid=0(root) gid=0(root) groups=0(root)\nrc=0\n");
  });

  test("su asks a user for the target's password (MD5-crypt in /etc/shadow), without echo", async () => {
    await machine.restoreState(prepared);
    const start = machine.output.length;
    // "secret" hashed by `openssl passwd -1 -salt abc secret`
    machine.write("echo 'root:$1$abc$iCQ2D3nhptRYi27fDYv2s1:19000:0:99999:7:::' > /etc/shadow; su student -c 'su -c id; su -c id'; echo rc=$?\n");
    await machine.waitFor(/Password: $/, { timeoutMs: 30_000 });
    machine.write("wrong\n");
    await machine.waitFor(/su: incorrect password\r?\nPassword: $/, { timeoutMs: 60_000 });
    machine.write("secret\n");
    await machine.waitFor(/rc=\d+\r?\n# $/, { timeoutMs: 60_000 });
    const out = machine.output.slice(start).replace(/\r\n/g, "\n");
    expect(out).toMatch(/Password: \nsu: incorrect password\nPassword: \nuid=0\(root\) gid=0\(root\) groups=0\(root\)\nrc=0\n# $/);
    expect(out).not.toMatch(/wrong|secret\n/);
  });

  test("a user's shell prompt ends in '$ ', root's in '# '", async () => {
    await machine.restoreState(prepared);
    const start = machine.output.length;
    machine.write("su student\n");
    await machine.waitFor(/\$ $/, { timeoutMs: 30_000 });
    machine.write("whoami; exit\n");
    await machine.waitFor(/student\r?\n# $/, { timeoutMs: 30_000 });
    expect(machine.output.slice(start)).toMatch(/\$ whoami; exit\r?\nstudent\r?\n# $/);
  });

  test("ls -l names owners from /etc/passwd; /etc/shadow, /root, /tmp and su have Linux's modes", async () => {
    const out = await run("ls -ld /root /tmp /home/student /etc/shadow /bin/su /dev/console /dev/null");
    expect(out).toMatch(/^drwx------ +\d+ root +root .* \/root$/m);
    expect(out).toMatch(/^drwxrwxrwt +\d+ root +root .* \/tmp$/m);
    expect(out).toMatch(/^drwxr-xr-x +\d+ student +student .* \/home\/student$/m);
    expect(out).toMatch(/^-rw------- +\d+ root +root .* \/etc\/shadow$/m);
    expect(out).toMatch(/^-rwsr-xr-x +\d+ root +root .* \/bin\/su$/m);
    expect(out).toMatch(/^crw------- +\d+ root +root .* \/dev\/console$/m);
    expect(out).toMatch(/^crw-rw-rw- +\d+ root +root .* \/dev\/null$/m);
  });

  test("chmod: octal, symbolic, -R, busybox's messages", async () => {
    const out = await run([
      "umask 022; mkdir -p /tmp/t/d; echo x > /tmp/t/d/f; cd /tmp/t",
      "chmod 0 d/f; chmod =rwx d/f; ls -l d/f",
      "chmod 644 d/f; chmod g=u,o-r d/f; ls -l d/f",
      "chmod u+s,+t d/f; ls -l d/f",
      "chmod a-x,a+X d; ls -ld d",
      "chmod -R 700 d; ls -ld d; ls -l d/f",
      "chmod xyz d; chmod 99 d; chmod 644 /nonexist",
    ].join("; "));
    expect(out).toMatch(/^-rwxr-xr-x .* d\/f$/m);
    expect(out).toMatch(/^-rw-rw---- .* d\/f$/m);
    expect(out).toMatch(/^-rwSrw---T .* d\/f$/m);
    expect(out).toMatch(/^drwxr-xr-x .* d$/m);
    expect(out).toMatch(/^drwx------ .* d$/m);
    expect(out).toMatch(/^-rwx------ .* d\/f$/m);
    expect(out).toContain("chmod: invalid mode 'xyz'\nchmod: invalid mode '99'\nchmod: /nonexist: No such file or directory\nrc=1\n");
  });

  test("chmod's symbolic modes give what the host's busybox chmod gives", async () => {
    const modes = ["=rwx", "+w", "u+s,g+s", "+t", "g=u", "o=g", "a-x,u+x", "u=rw,go=", "a+X", "ug+x,o-r", "-w", "0", "4755",
      "u-s", "g+s", "o+t", "a=r,u+w", "u+x,a+X", "go-rwx", "=r,+X"];
    const loop = `umask 022; cd /tmp; for m in ${modes.join(" ")}; do echo > f; chmod 644 f; chmod $m f; ls -l f; done`;
    const host = mkdtempSync(join(tmpdir(), "lokum-chmod-"));
    let expected: string[];
    try {
      expected = execFileSync("sh", ["-c", loop.replace("cd /tmp", `cd ${host}`).replace(/chmod \$m/, "busybox chmod $m")], { encoding: "utf8" })
        .split("\n").filter((l) => l !== "").map((l) => l.slice(0, 10));
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
    const out = await run(loop);
    const got = out.split("\n").filter((l) => /^[-d]/.test(l)).map((l) => l.slice(0, 10));
    expect(expected).toHaveLength(modes.length);
    expect(got).toEqual(expected);
  });

  test("chown and chgrp: root gives files away (-R too); the owner only to its own groups", async () => {
    const out = await run([
      "mkdir -p /tmp/c/d; echo x > /tmp/c/d/f; chown -R student:student /tmp/c; ls -l /tmp/c/d; ls -ld /tmp/c",
      "chgrp root /tmp/c/d/f; ls -l /tmp/c/d/f; chown 1234:4321 /tmp/c/d; ls -ld /tmp/c/d",
      "su student -c 'echo y > /tmp/s; chgrp student /tmp/s; chgrp root /tmp/s; chown root /tmp/s; chown nosuch /tmp/s; chgrp nosuch /tmp/s'",
    ].join("; "));
    expect(out).toMatch(/^-rw-r--r-- +1 student +student .* f$/m);
    expect(out).toMatch(/^drwxr-xr-x +\d+ student +student .* \/tmp\/c$/m);
    expect(out).toMatch(/^-rw-r--r-- +1 student +root .* \/tmp\/c\/d\/f$/m);
    expect(out).toMatch(/^drwxr-xr-x +\d+ 1234 +4321 .* \/tmp\/c\/d$/m);
    expect(out).toContain("chgrp: /tmp/s: Operation not permitted\nchown: /tmp/s: Operation not permitted\nchown: unknown user nosuch\nchgrp: unknown group nosuch\nrc=1\n");
  });
});

describe("set-user-ID and set-group-ID", () => {
  test("a set-user-ID program runs with its owner's euid; a script's bit is ignored, as Linux", async () => {
    const out = await run([
      "cp /bin/id /tmp/rootid; chmod 4755 /tmp/rootid",
      "cp /bin/id /tmp/grpid; chgrp root /tmp/grpid; chmod 2755 /tmp/grpid",
      "echo '#!/bin/sh' > /tmp/s.sh; echo 'id -u' >> /tmp/s.sh; chmod 4755 /tmp/s.sh",
      "su student -c '/tmp/rootid; /tmp/grpid; /tmp/s.sh; id'",
    ].join("; "));
    expect(out).toBe([
      "uid=1000(student) gid=1000(student) euid=0(root) groups=1000(student)",
      "uid=1000(student) gid=1000(student) egid=0(root) groups=1000(student)",
      "1000",
      "uid=1000(student) gid=1000(student) groups=1000(student)",
      "rc=0",
      "",
    ].join("\n"));
  });

  test("chown and a user's write clear set-user-ID and set-group-ID; chmod by a non-member drops set-group-ID", async () => {
    const out = await run([
      "cp /bin/id /tmp/x; chmod 6755 /tmp/x; ls -l /tmp/x; chown student /tmp/x; ls -l /tmp/x",
      "su student -c 'echo > /tmp/y; chmod 2755 /tmp/y; ls -l /tmp/y'",
      "chgrp root /tmp/y; su student -c 'chmod 2755 /tmp/y; ls -l /tmp/y'",
      "cp /bin/id /tmp/w; chmod 6777 /tmp/w; echo >> /tmp/w; ls -l /tmp/w; su student -c 'echo >> /tmp/w'; ls -l /tmp/w",
    ].join("; "));
    expect(out).toMatch(/^-rwsr-sr-x .* \/tmp\/x\n-rwxr-xr-x +1 student +root .* \/tmp\/x$/m);
    expect(out).toMatch(/^-rwxr-sr-x +1 student +student .* \/tmp\/y$/m);
    expect(out).toMatch(/^-rwxr-xr-x +1 student +root .* \/tmp\/y$/m);
    // writing into a set-user-ID program: root's write keeps the bits, a user's clears them
    expect(out).toMatch(/^-rwsrwsrwx +1 root +root .* \/tmp\/w\n-rwxrwxrwx +1 root +root .* \/tmp\/w$/m);
  });
});

describe("every filesystem by its owners and modes", () => {
  test("procfs: /proc/PID belongs to the process's user; /proc/sys is root-writable only", async () => {
    const out = await run("su student -c 'ls -l /proc/self/status; ls -l /proc/1/status; ls -l /proc/sys/kernel/modprobe; ls -l /proc/self/environ; cat /proc/self/environ; echo; cat /proc/1/environ; cat /proc/self/status'");
    expect(out).toMatch(/^-r--r--r-- +1 student +student .* \/proc\/self\/status$/m);
    expect(out).toMatch(/^-r--r--r-- +1 root +root .* \/proc\/1\/status$/m);
    expect(out).toMatch(/^-rw-r--r-- +1 root +root .* \/proc\/sys\/kernel\/modprobe$/m);
    expect(out).toMatch(/^-r-------- +1 student +student .* \/proc\/self\/environ$/m);
    expect(out).toContain("PATH=/bin:/sbin\0");
    expect(out).toContain("cat: can't open '/proc/1/environ': Permission denied\n");
    expect(out).toContain("Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t1000 \n");
  });

  test("tmpfs: a user's files in a sticky tmpfs are its own to remove", async () => {
    const out = await run([
      "mkdir /tmp/tm; mount -t tmpfs -o mode=1777 tmpfs /tmp/tm; echo r > /tmp/tm/rootfile",
      "su student -c 'echo s > /tmp/tm/mine; ls -l /tmp/tm/mine; rm /tmp/tm/mine && echo removed; rm -f /tmp/tm/rootfile'",
    ].join("; "));
    expect(out).toMatch(/^-rw-r--r-- +1 student +student .* \/tmp\/tm\/mine\nremoved\nrm: can't remove '\/tmp\/tm\/rootfile': Operation not permitted\nrc=1\n$/m);
  });

  test("ext2: the owners and modes on disk hold, and a user's new file is its own on disk", async () => {
    const out = await run([
      "mount -t ext2 /dev/hda /mnt",
      "su student -c 'cat /mnt/secret; cat /mnt/home/notes.txt; echo new > /mnt/home/new.txt; echo no > /mnt/nope; echo pub > /mnt/pub/p'",
      "umount /mnt; mount -t ext2 /dev/hda /mnt; ls -l /mnt/home /mnt/secret /mnt/pub; umount /mnt",
    ].join("; "));
    expect(out).toContain("cat: can't open '/mnt/secret': Permission denied\nstudent's notes\nsh: can't create /mnt/nope: Permission denied\n");
    expect(out).toMatch(/^-rw-r--r-- +1 student +student +4 .* new\.txt$/m);
    expect(out).toMatch(/^-rw-r----- +1 student +student .* notes\.txt$/m);
    expect(out).toMatch(/^-rw------- +1 root +root .* \/mnt\/secret$/m);
    expect(out).toMatch(/^-rw-r--r-- +1 student +student .* p$/m);
    // what the guest wrote is on the disk: debugfs reads the owner of /home/new.txt
    const img = join(work, "ext2-after.img");
    writeFileSync(img, machine.diskBytes("hda"));
    const stat = execFileSync("debugfs", ["-R", "stat /home/new.txt", img], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    expect(stat).toMatch(/Mode:\s+0644/);
    expect(stat).toMatch(/User:\s+1000\s+Group:\s+1000/);
  });

  test("FAT: root 0755 by default; uid=, gid=, umask= give it to a user", async () => {
    const out = await run([
      "mkdir /tmp/f; mount -t vfat /dev/hdb /tmp/f; ls -ld /tmp/f; su student -c 'echo x > /tmp/f/a'; umount /tmp/f",
      "mount -t vfat -o uid=1000,gid=1000,umask=077 /dev/hdb /tmp/f; ls -ld /tmp/f; su student -c 'echo x > /tmp/f/b && ls -l /tmp/f/b'",
    ].join("; "));
    expect(out).toMatch(/^drwxr-xr-x +\d+ root +root .* \/tmp\/f\nsh: can't create \/tmp\/f\/a: Permission denied$/m);
    expect(out).toMatch(/^drwx------ +\d+ student +student .* \/tmp\/f$/m);
    expect(out).toMatch(/^-rw.------ +1 student +student .* \/tmp\/f\/b$/m);
  });
});

describe("the syscall fuzzer", () => {
  const PROTECTED = "/etc/passwd /etc/shadow /etc/group /root/secret /proc/sys/kernel/modprobe /proc/sys/kernel/printk " +
    "/sys/module/hello/parameters/whom /bin/sh /bin/su /sbin/modprobe /tmp/rootfile";

  test("≥ 20,000 random calls as uid 1000 and as root, two seeds each: no kernel fault, protected files unchanged", async () => {
    // the protected files' checksums and the listings of their directories, before and after the
    // uid 1000 runs (into files: kernel messages of the root runs may come on the console any time)
    const snapshot = (file: string) => `(md5sum ${PROTECTED}; ls -l /etc /root /bin/su /dev/console) > ${file}`;
    const out = await run(
      `${snapshot("/tmp/before.txt")}; cat /tmp/before.txt; sysfuzz 1 20000 user; sysfuzz 7 20000 user; ${snapshot("/tmp/after.txt")}; ` +
      "md5sum /tmp/before.txt /tmp/after.txt; sysfuzz 3 20000 root; sysfuzz 11 20000 root; echo the kernel still answers; uname -s", 600_000);
    expect(out).toMatch(/^[0-9a-f]{32} {2}\/etc\/shadow$/m);
    expect(out).toMatch(/^-rw------- +1 root +root .* secret$/m);
    const runs = [...out.matchAll(/sysfuzz: seed=(\d+) identity=(\w+) calls=(\d+) batches=(\d+) stuck=(\d+) signalled=(\d+)/g)];
    expect(runs.map((m) => `${m[1]} ${m[2]}`)).toEqual(["1 user", "7 user", "3 root", "11 root"]);
    for (const m of runs) expect(Number(m[3])).toBeGreaterThanOrEqual(20000);
    const total = runs.reduce((n, m) => n + Number(m[3]), 0);
    console.log(`sysfuzz: ${total} calls; ${runs.map((m) => m[0]).join("; ")}`);
    // Oopses, and the complaints of code that found the kernel's own state wrong (a kfree of a
    // pointer kmalloc never gave: openat once freed its path with kfree instead of putname)
    expect(out).not.toMatch(/Oops|BUG:|Kernel panic|general protection|double fault|kfree: bad pointer/);
    expect(out).toContain("the kernel still answers\nLokum\nrc=0\n");
    const before = /^([0-9a-f]{32}) {2}\/tmp\/before\.txt$/m.exec(out);
    const after = /^([0-9a-f]{32}) {2}\/tmp\/after\.txt$/m.exec(out);
    expect(before).not.toBeNull();
    expect(after?.[1]).toBe(before![1]);
  }, 900_000);
});
