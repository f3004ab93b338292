// lab-binfmt.ts — exercise 14: a binary format for "#@" files.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 14: #@ files run /bin/echo");

const arg = new StaticArray<u8>(128);

function loadHashAt(bprm: LinuxBinprm): i32 {
  if (bprm.size < 2 || bprm.buf[0] != 0x23 || bprm.buf[1] != 0x40) return -8; // "#@"
  let n = 0;
  for (let i = 2; i < bprm.size && i < 127 && bprm.buf[i] != 0x0a; i++) arg[n++] = bprm.buf[i];
  arg[n] = 0;
  return binprmSetInterpreter(bprm, "/bin/echo", changetype<string>(changetype<usize>(arg)), null);
}

const hashAtFormat: LinuxBinfmt = { name: "hash-at", loadBinary: loadHashAt };

export function init_module(): i32 {
  registerBinfmt(hashAtFormat);
  return 0;
}

export function cleanup_module(): void {
  unregisterBinfmt(hashAtFormat);
}
