// sync: write everything cached to the disks (busybox's sync).
//   sync            sync(2): every file system's metadata, then every disk's dirty blocks
//   sync [-d|-f] FILE...   fsync(2) each FILE (-d: fdatasync, -f: syncfs, its whole file system)
// busybox's message for a file it cannot open or sync: "sync: can't open 'x': No such file or
// directory"; exit status 1 if any failed.

import { fprintf } from "../lib/stdio";
import { close, fdatasync, fsync, open, sync, syncfs, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind } from "../lib/getopt";

const O_NONBLOCK = 0o4000, O_NOCTTY = 0o400;

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let mode = 0; // 0 fsync, 1 fdatasync, 2 syncfs
  for (;;) {
    const c = getopt(argc, argv, "df");
    if (c < 0) break;
    if (c == "d".charCodeAt(0)) mode = 1;
    else if (c == "f".charCodeAt(0)) mode = 2;
    else return 1;
  }
  if (optind >= argc) {
    sync();
    return 0;
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const name = load<usize>(argv + 4 * i);
    const fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
    if (fd < 0) {
      fprintf(2, "sync: can't open '%s': %s\n", name, errorText());
      status = 1;
      continue;
    }
    const r = mode == 0 ? fsync(fd) : mode == 1 ? fdatasync(fd) : syncfs(fd);
    if (r < 0) {
      fprintf(2, "sync: can't sync '%s': %s\n", name, errorText());
      status = 1;
    }
    close(fd);
  }
  return status;
}
