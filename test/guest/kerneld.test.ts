// kerneld beside kmod, in v86: System V message queues as a module (modules/ipc/sysvipc.ts: the
// "system call" kind — 117 and 399-402 are -ENOSYS until it loads), the kerneld daemon
// (initrd/sbin/kerneld.ts) speaking Linux 2.0's protocol, and the kernel choosing kerneld when
// kmod is off (/proc/sys/kernel/modprobe empty): `mount -t samplefs` loads samplefs through the
// queue, a stopped kerneld makes the kernel give up after 1 s ("Ouch, no kerneld for message
// N"), a dead one is forgotten, and kerneld's periodic `rmmod -a` takes unused modules out.
// One boot (samples + sysvipc only, no drivers: nothing else autoloads) shared through a snapshot.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { createNodeMachine } from "../../emulator/node.js";
import { readInitrdFiles } from "../../toolchain/cli/initrd-files.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import { readKernelRelease, readTree } from "../../toolchain/cli/sources.js";
import { writeCpio } from "../../toolchain/src/cpio.js";
import { buildKernelCached as buildKernel, buildUserlandCached as buildUserland } from "../support/build-cache.js";
import { type ModuleBuildInput, buildModules, moduleInitrdEntries, modulesInTree } from "../../toolchain/src/modbuild.js";
import { runAtFreshShell } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PROMPT = /# $/;

let machine: Machine;
let booted: ArrayBuffer;

beforeAll(async () => {
  const lib = readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8");
  const kernel = buildKernel(readKernelSources(root), lib);
  const userFiles = readInitrdFiles(root);
  userFiles["initrd/bin/msgtest.ts"] = readFileSync(resolve(root, "test/guest/programs/msgtest.ts"), "utf8");
  const userland = buildUserland(userFiles, lib);
  const release = readKernelRelease();
  const tree = { ...readTree("modules/samples", (n) => n.endsWith(".ts")), ...readTree("modules/ipc", (n) => n.endsWith(".ts")) };
  const files: Record<string, string> = {};
  for (const [p, text] of Object.entries(tree)) files["/" + p] = text;
  const input = { files, modules: modulesInTree(tree), lib, kernelApi: kernel.api, kernelExports: new Set(kernel.exports), release, intree: true };
  const built = buildModules(input as ModuleBuildInput);
  const initrd = writeCpio([...userland.entries, ...moduleInitrdEntries(built, release)]);
  machine = createNodeMachine({ kernel: kernel.elf, initrd, cmdline: "console=ttyS0 quiet" });
  await machine.start();
  await machine.waitFor(PROMPT, { timeoutMs: 60_000 });
  await machine.write("mkdir -p /mnt\n");
  await machine.waitFor(PROMPT, { timeoutMs: 10_000 });
  booted = await machine.saveState();
}, 300_000);

afterAll(async () => {
  await machine?.destroy();
});

/** Types `commands` at a fresh shell; what they printed, up to "rc=N" (without the shell's
 *  "[pid]" notice for a command started with &). */
async function run(commands: string, timeoutMs = 60_000): Promise<string> {
  return (await runAtFreshShell(machine, booted, commands, timeoutMs)).replace(/^\[\d+\]\n/m, "");
}

describe("System V message queues, a module that adds system calls", () => {
  test("-ENOSYS until sysvipc is loaded; the calls behave as Linux's; -ENOSYS again after rmmod", async () => {
    const out = await run("msgtest enosys; modprobe sysvipc; msgtest; cat /proc/sysvipc/msg | grep -c .; lsmod | grep sysvipc; rmmod sysvipc; echo rm=$?; msgtest enosys");
    expect(out).toBe([
      "msgget = ENOSYS",
      "private valid = 1",
      "get 1234 without IPC_CREAT = ENOENT",
      "keyed again same = 1",
      "IPC_CREAT|IPC_EXCL on 1234 = EEXIST",
      "stat qnum=4 cbytes=14 qbytes=16384 mode=644",
      "rcv 0 = 3:three",
      "rcv 1 = 1:one",
      "rcv -2 = 1:uno",
      "rcv except 2 = ENOMSG", // only a type-2 message is left
      "rcv 2 = 2:two",
      "rcv empty nowait = ENOMSG",
      "rcv small = E2BIG",
      "rcv small noerror = 5:a lo",
      "snd mtype 0 = EINVAL",
      "snd bad id = EINVAL",
      "snd bad pointer = EFAULT",
      "ipc MSGSND = 0",
      "ipc MSGRCV v0 = 2 type 9",
      "ipc MSGRCV v1 = 2 type 8",
      "ipc SEMGET = ENOSYS",
      "set qbytes 10 = 0",
      "snd 8 bytes = 0",
      "snd full nowait = EAGAIN",
      "drain = 1:12345678",
      "child waited for 7 = 7:seven",
      "child waits, queue removed = EIDRM",
      "rmid = 0",
      "stat removed = EINVAL",
      "rmid private = 0",
      "1", // /proc/sysvipc/msg: the header only, every queue removed
      "sysvipc                12288  0 ",
      "rm=0",
      "msgget = ENOSYS",
      "rc=0", "",
    ].join("\n"));
  });

  test("a queue holds the module: rmmod is refused until the queue is removed", async () => {
    const out = await run("modprobe sysvipc; kerneld; lsmod | grep sysvipc; rmmod sysvipc; echo rm=$?");
    expect(out).toBe("sysvipc                12288  2 \nrmmod: can't unload module 'sysvipc': Resource temporarily unavailable\nrm=1\nrc=0\n");
  });
});

describe("kerneld: the kernel's module requests through a message queue", () => {
  test("kmod off and no kerneld: no autoload; with kerneld: mount loads samplefs through the queue", async () => {
    const out = await run([
      "echo > /proc/sys/kernel/modprobe",
      "mount -t samplefs none /mnt; echo mount=$?",
      "kerneld debug > /tmp/kd.log & sleep 1",
      "mount -t samplefs none /mnt; echo mount=$?",
      "grep -v pid /tmp/kd.log",
      "lsmod | grep samplefs; lsmod | grep sysvipc",
      "cat /run/modprobe.autoclean",
      "grep -c ' 700 ' /proc/sysvipc/msg",
    ].join("; "));
    expect(out).toBe([
      "mount: mounting none on /mnt failed: No such device", "mount=1",
      "mount=0",
      "kerneld: request type 2 id 7fff0000 'fs-samplefs'", // KERNELD_REQUEST_MODULE, the first reply id
      "kerneld: reply 7fff0000 = 0", //                       modprobe -k -s fs-samplefs succeeded
      "samplefs                4096  1 ",
      "sysvipc                12288  2 ", // the queue, and kerneld asleep in msgrcv
      "samplefs", //                          modprobe -k marked it for autoclean
      "1", "rc=0", "",
    ].join("\n"));
  });

  test("kmod on: the kernel runs modprobe itself even while kerneld waits (kerneld sees nothing)", async () => {
    const out = await run("kerneld debug > /tmp/kd.log & sleep 1; mount -t samplefs none /mnt; echo mount=$?; cat /tmp/kd.log | grep -c request");
    expect(out).toBe("mount=0\n0\nrc=1\n");
  });

  test("a stopped kerneld: the kernel waits 1 s, says Ouch and fails; a dead one is forgotten with its queue", async () => {
    const out = await run([
      "echo > /proc/sys/kernel/modprobe",
      "kerneld debug > /tmp/kd.log & sleep 1",
      "kill -STOP $!",
      "mount -t samplefs none /mnt; echo mount=$?",
      "dmesg | grep -c 'Ouch, no kerneld for message 2147418112'",
      "kill -9 $!",
      "mount -t samplefs none /mnt; echo mount=$?",
      "grep -c . /proc/sysvipc/msg",
      "rmmod sysvipc; echo rm=$?",
    ].join("; "));
    expect(out).toBe([
      "mount: mounting none on /mnt failed: No such device", "mount=1", "1",
      "mount: mounting none on /mnt failed: No such device", "mount=1",
      "1", // the header only: the queue went with the last kerneld
      "rm=0", "rc=0", "",
    ].join("\n"));
  });

  test("kerneld's autoclean: every `delay` seconds, rmmod -a removes what it loaded and nobody uses", async () => {
    const out = await run([
      "echo > /proc/sys/kernel/modprobe",
      "kerneld delay=1",
      "mount -t samplefs none /mnt; echo mount=$?",
      "sleep 2; lsmod | grep -c samplefs",
      "umount /mnt; sleep 3; lsmod | grep -c samplefs",
    ].join("; "), 90_000);
    expect(out).toBe("mount=0\n1\n0\nrc=1\n");
  });

  test("kerneld keep: no autoclean", async () => {
    const out = await run("echo > /proc/sys/kernel/modprobe; kerneld keep delay=1; mount -t samplefs none /mnt; umount /mnt; sleep 3; lsmod | grep -c samplefs");
    expect(out).toBe("1\nrc=0\n");
  });
});
