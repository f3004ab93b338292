// sleep: wait N seconds (nanosleep(2)); busybox also accepts the suffixes s, m, h, d.
import { fprintf } from "../lib/stdio";
import { sleep } from "../lib/unistd";
import { strtol, parseEndPointer } from "../lib/string";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  if (argc < 2) {
    fprintf(2, "Usage: sleep [N]...\n");
    return 1;
  }
  let total = 0;
  for (let i = 1; i < argc; i++) {
    const arg = load<usize>(argv + 4 * i);
    let n = strtol(arg, 10);
    const end = parseEndPointer();
    const suffix = load<u8>(end);
    if (end == arg || (suffix != 0 && load<u8>(end, 1) != 0)) {
      fprintf(2, "sleep: invalid number '%s'\n", arg);
      return 1;
    }
    if (suffix == "m".charCodeAt(0)) n *= 60;
    else if (suffix == "h".charCodeAt(0)) n *= 3600;
    else if (suffix == "d".charCodeAt(0)) n *= 86400;
    else if (suffix != 0 && suffix != "s".charCodeAt(0)) {
      fprintf(2, "sleep: invalid number '%s'\n", arg);
      return 1;
    }
    total += n;
  }
  sleep(total);
  return 0;
}
