// lab-binfmt.ts — exercise 14: a binary format for "#@" files.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 14: #@ files run /bin/echo");

const arg = new StaticArray<u8>(128);

function loadHashAt(bprm: LinuxBinprm): i32 {
  // TODO: is it a "#@" file? Then copy the rest of the first line into arg and run /bin/echo
  return -ENOEXEC; // not ours
}

const hashAtFormat: LinuxBinfmt = { name: "hash-at", loadBinary: loadHashAt };

export function init_module(): i32 {
  registerBinfmt(hashAtFormat);
  return 0;
}

export function cleanup_module(): void {
  unregisterBinfmt(hashAtFormat);
}
