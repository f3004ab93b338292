// pivot_root: make the mount at NEW_ROOT the root, and move the old root to PUT_OLD
// (busybox's pivot_root; pivot_root(2)). PUT_OLD must be at or below NEW_ROOT. From the
// initramfs (rootfs) it fails with EINVAL, as on Linux: use switch_root there.
// Failure, as busybox says it: "pivot_root: pivot_root: Invalid argument", status 1.

import { fprintf } from "../lib/stdio";
import { syscallResult, errorText } from "../lib/errno";
import { sys_pivot_root } from "../lib/syscall";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc != 3) {
    fprintf(2, "Usage: pivot_root NEW_ROOT PUT_OLD\n\nMove the current root file system to PUT_OLD and make NEW_ROOT\nthe new root file system\n");
    return 1;
  }
  if (syscallResult(sys_pivot_root(load<usize>(argv + 4), load<usize>(argv + 8))) < 0) {
    fprintf(2, "pivot_root: pivot_root: %s\n", errorText());
    return 1;
  }
  return 0;
}
