// mknod: make a device node or FIFO: mknod [-m MODE] NAME TYPE [MAJOR MINOR]
// TYPE is b (block), c or u (character) or p (FIFO, no numbers). The mode defaults to 0666
// (less the umask). busybox's message: "mknod: NAME: File exists".

import { fprintf } from "../lib/stdio";
import { mknod } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { strtol, atoi, streq } from "../lib/string";
import { makedev, S_IFBLK, S_IFCHR, S_IFIFO } from "../lib/stat";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let mode = 0o666;
  for (;;) {
    const c = getopt(argc, argv, "m:");
    if (c < 0) break;
    if (c == "m".charCodeAt(0)) mode = strtol(optarg, 8);
    else return 1;
  }
  const left = argc - optind;
  if (left < 2) {
    fprintf(2, "Usage: mknod [-m MODE] NAME TYPE [MAJOR MINOR]\n");
    return 1;
  }
  const name = load<usize>(argv + 4 * optind);
  const type = load<usize>(argv + 4 * (optind + 1));
  let kind = 0;
  if (streq(type, "b")) kind = S_IFBLK;
  else if (streq(type, "c") || streq(type, "u")) kind = S_IFCHR;
  else if (streq(type, "p")) kind = S_IFIFO;
  if (kind == 0 || (kind == S_IFIFO ? left != 2 : left != 4)) {
    fprintf(2, "Usage: mknod [-m MODE] NAME TYPE [MAJOR MINOR]\n");
    return 1;
  }
  let dev: u32 = 0;
  if (kind != S_IFIFO) dev = makedev(u32(atoi(load<usize>(argv + 4 * (optind + 2)))), u32(atoi(load<usize>(argv + 4 * (optind + 3)))));
  if (mknod(name, kind | (mode & 0o7777), dev) < 0) {
    fprintf(2, "mknod: %s: %s\n", name, errorText());
    return 1;
  }
  return 0;
}
