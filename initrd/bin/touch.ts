// touch: set files' access and modification times to now, creating the files that do not
// exist (busybox's touch).
//   touch [-c] [-r REF] FILE...
//     -c      do not create missing files
//     -r REF  use REF's times instead of now
// As busybox: utimes(FILE) first; if the file is missing, open(O_RDWR|O_CREAT, 0666) makes it.
// Errors name the file: "touch: /ro/f: Read-only file system"; exit status 1 if any failed.

import { fprintf } from "../lib/stdio";
import { close, open, utimes, O_RDWR } from "../lib/unistd";
import { errno, errorText, ENOENT } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { stat, Stat } from "../lib/stat";

const O_CREAT = 0o100;
const st = new StaticArray<u8>(64);
const tv = new StaticArray<u32>(4); // struct timeval[2]

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let noCreate = false;
  let reference: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "cr:");
    if (c < 0) break;
    if (c == "c".charCodeAt(0)) noCreate = true;
    else if (c == "r".charCodeAt(0)) reference = optarg;
    else return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: touch [-c] [-r FILE] FILE...\n");
    return 1;
  }
  let times: usize = 0;
  if (reference != 0) {
    const s = changetype<Stat>(st);
    if (stat(reference, s) < 0) {
      fprintf(2, "touch: %s: %s\n", reference, errorText());
      return 1;
    }
    tv[0] = s.atime;
    tv[2] = s.mtime;
    times = changetype<usize>(tv);
  }
  let status = 0;
  for (let i = optind; i < argc; i++) {
    const name = load<usize>(argv + 4 * i);
    if (utimes(name, times) == 0) continue;
    if (errno == ENOENT) {
      if (noCreate) continue;
      const fd = open(name, O_RDWR | O_CREAT, 0o666);
      if (fd >= 0) {
        close(fd);
        if (times != 0) utimes(name, times);
        continue;
      }
    }
    fprintf(2, "touch: %s: %s\n", name, errorText());
    status = 1;
  }
  return status;
}
