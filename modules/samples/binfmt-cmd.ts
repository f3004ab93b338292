// binfmt-cmd.ts — a binary format (Linux's struct linux_binfmt) in a module: "command files".
//
// A command file starts with the four bytes "\x7fLKC" and then holds one shell command line:
//
//   # printf '\177LKCecho hello from $0 with $1' > /root/hi; chmod +x /root/hi; /root/hi there
//   hello from /root/hi with there
//
// exec finds the file is not ELF and no registered format takes it; its first bytes are not
// text, so exec asks for "binfmt-434b" (request_module("binfmt-%04x") of the 16-bit word at
// bytes 2-3, "KC" = 0x434b, kernel/exec.ts). modprobe finds the alias below and loads this
// module, whose format then says: run `/bin/sh -c COMMAND FILE ARGS…` instead — so $0 is the
// file and $1… its arguments. The same module also runs "#!" scripts (binfmt_script's job):
// `#!/bin/sh -x` runs `/bin/sh -x FILE ARGS…`; those are text, so they never autoload it.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Command files (\\x7fLKC + a shell command) and #! scripts");
MODULE_ALIAS("binfmt-434b");

const command = new StaticArray<u8>(128);
const interp = new StaticArray<u8>(128);
const arg = new StaticArray<u8>(128);

/** Copies bytes [from, to) of the buffer to dst as a C string. */
function take(bprm: LinuxBinprm, from: i32, to: i32, dst: usize): void {
  let n = 0;
  for (let i = from; i < to; i++) store<u8>(dst + <u32>n++, bprm.buf[i]);
  store<u8>(dst + <u32>n, 0);
}

function loadCommandFile(bprm: LinuxBinprm): i32 {
  const magic = bprm.size >= 4 && bprm.buf[0] == 0x7f && bprm.buf[1] == "L".charCodeAt(0) && bprm.buf[2] == "K".charCodeAt(0) &&
    bprm.buf[3] == "C".charCodeAt(0);
  if (!magic) return -ENOEXEC;
  let end = 4;
  while (end < bprm.size && end < 127 && bprm.buf[end] != "\n".charCodeAt(0) && bprm.buf[end] != 0) end++;
  take(bprm, 4, end, changetype<usize>(command));
  return binprmSetInterpreter(bprm, "/bin/sh", "-c", changetype<string>(changetype<usize>(command)));
}

function isBlank(c: u8): bool {
  return c == " ".charCodeAt(0) || c == "\t".charCodeAt(0);
}

function loadScript(bprm: LinuxBinprm): i32 {
  if (bprm.size < 3 || bprm.buf[0] != "#".charCodeAt(0) || bprm.buf[1] != "!".charCodeAt(0)) return -ENOEXEC;
  let i = 2;
  let end = 2;
  while (end < bprm.size && end < 127 && bprm.buf[end] != "\n".charCodeAt(0)) end++;
  while (i < end && isBlank(bprm.buf[i])) i++;
  let j = i;
  while (j < end && !isBlank(bprm.buf[j])) j++;
  if (j == i) return -8; // no interpreter named
  take(bprm, i, j, changetype<usize>(interp));
  while (j < end && isBlank(bprm.buf[j])) j++;
  let k = end;
  while (k > j && isBlank(bprm.buf[k - 1])) k--;
  take(bprm, j, k, changetype<usize>(arg)); // the optional argument: the rest of the line
  return binprmSetInterpreter(bprm, changetype<string>(changetype<usize>(interp)), k > j ? changetype<string>(changetype<usize>(arg)) : null, null);
}

const commandFormat: LinuxBinfmt = { name: "lokum-cmd", loadBinary: loadCommandFile };
const scriptFormat: LinuxBinfmt = { name: "script", loadBinary: loadScript };

export function init_module(): i32 {
  registerBinfmt(scriptFormat);
  registerBinfmt(commandFormat);
  printk(KERN_INFO + "binfmt_cmd: command files and #! scripts\n");
  return 0;
}

export function cleanup_module(): void {
  unregisterBinfmt(commandFormat);
  unregisterBinfmt(scriptFormat);
}
