// lab-fs.ts — exercise 12: a filesystem type in a module.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 12: the labfs filesystem");

// TODO: a FileSystemType named "labfs" (ramfs's mount and killSb do the work)

export function init_module(): i32 {
  // TODO: register it
  return 0;
}

export function cleanup_module(): void {
  // TODO: unregister it
}
