// What a failed module system call means, in words.
//
// The kernel's errno alone says little to a user ("No such file or directory" for a missing
// symbol), so the tools translate the module-specific ones as busybox's moderror() does:
//
//   ENOEXEC  invalid module format                              (not ELF, truncated, wrong arch)
//   ENOENT   unknown symbol in module, or unknown parameter     (the kernel log names which)
//   ESRCH    module has wrong symbol version
//   ENOSYS   kernel does not support requested operation
//
// and anything else with strerror(). A *negative* value is an error of the tool itself (the
// file could not be read), always said with strerror: busybox's insmod exits with it, which is
// why `insmod nonexistent.ko` exits 254 (-2) while a missing symbol exits 2.

import { strerror, ENOEXEC, ENOENT, ESRCH, ENOSYS } from "../errno";

export function moduleErrorText(err: i32): usize {
  switch (err) {
    case ENOEXEC: return changetype<usize>("invalid module format");
    case ENOENT: return changetype<usize>("unknown symbol in module, or unknown parameter");
    case ESRCH: return changetype<usize>("module has wrong symbol version");
    case ENOSYS: return changetype<usize>("kernel does not support requested operation");
  }
  return changetype<usize>(strerror(err < 0 ? -err : err));
}
