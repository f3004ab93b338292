// hostname: show or set the host name (uname's nodename; sethostname(2)).
//   hostname            print it
//   hostname NAME       set it
//   hostname -F FILE    set it from the first line of FILE (what /etc/rc does with /etc/hostname)

import { printf, fprintf, readLine } from "../lib/stdio";
import { uname, sethostname, open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getopt, optind, optarg } from "../lib/getopt";
import { strlen } from "../lib/string";

let uts = new StaticArray<u8>(6 * 65);
let line = new StaticArray<u8>(65);

function setName(name: usize): i32 {
  let n = strlen(name);
  while (n > 0 && (load<u8>(name + n - 1) == "\n".charCodeAt(0) || load<u8>(name + n - 1) == " ".charCodeAt(0))) n--;
  if (sethostname(name, n) < 0) {
    fprintf(2, "hostname: sethostname: %s\n", errorText());
    return 1;
  }
  return 0;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let file: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "F:");
    if (c < 0) break;
    if (c == "F".charCodeAt(0)) file = optarg;
    else return 1;
  }
  if (file != 0) {
    const fd = open(file, O_RDONLY, 0);
    if (fd < 0) {
      fprintf(2, "hostname: can't open '%s': %s\n", file, errorText());
      return 1;
    }
    const n = readLine(fd, changetype<usize>(line), 65);
    close(fd);
    if (n <= 0) return 0;
    return setName(changetype<usize>(line));
  }
  if (optind < argc) return setName(load<usize>(argv + 4 * optind));
  if (uname(changetype<usize>(uts)) < 0) {
    fprintf(2, "hostname: %s\n", errorText());
    return 1;
  }
  printf("%s\n", changetype<usize>(uts) + 65);
  return 0;
}
