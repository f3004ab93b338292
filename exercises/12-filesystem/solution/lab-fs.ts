// lab-fs.ts — exercise 12: a filesystem type in a module.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 12: the labfs filesystem");

const labfsType: FileSystemType = { name: "labfs", mount: ramfsMount, killSb: ramfsKillSb };

export function init_module(): i32 {
  return registerFilesystem(labfsType);
}

export function cleanup_module(): void {
  unregisterFilesystem(labfsType);
}
