// free: memory use in KiB from /proc/meminfo, in busybox's layout:
//               total        used        free      shared  buff/cache   available
// Mem:          97708        5716       81580        4536       10412       83652
// Swap:             0           0           0
// buff/cache = Buffers + Cached + SReclaimable; used = total - free - buff/cache.

import { printf, fprintf, readLine } from "../lib/stdio";
import { open, close, O_RDONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { startsWith, atoi, cstr } from "../lib/string";

let line = new StaticArray<u8>(256);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const fd = open(cstr("/proc/meminfo"), O_RDONLY, 0);
  if (fd < 0) {
    fprintf(2, "free: can't open '/proc/meminfo': %s\n", errorText());
    return 1;
  }
  let total = 0, free = 0, available = -1, buffers = 0, cached = 0, reclaimable = 0, shared = 0, swapTotal = 0, swapFree = 0;
  const buf = changetype<usize>(line);
  while (readLine(fd, buf, 256) > 0) {
    let p = buf;
    while (load<u8>(p) != 0 && load<u8>(p) != ":".charCodeAt(0)) p++;
    if (load<u8>(p) == 0) continue;
    const value = atoi(p + 1);
    if (startsWith(buf, "MemTotal:")) total = value;
    else if (startsWith(buf, "MemFree:")) free = value;
    else if (startsWith(buf, "MemAvailable:")) available = value;
    else if (startsWith(buf, "Buffers:")) buffers = value;
    else if (startsWith(buf, "Cached:")) cached = value;
    else if (startsWith(buf, "SReclaimable:")) reclaimable = value;
    else if (startsWith(buf, "Shmem:")) shared = value;
    else if (startsWith(buf, "SwapTotal:")) swapTotal = value;
    else if (startsWith(buf, "SwapFree:")) swapFree = value;
  }
  close(fd);
  const cache = buffers + cached + reclaimable;
  if (available < 0) available = free + cache;
  printf("              total        used        free      shared  buff/cache   available\n");
  printf("Mem:   %12u%12u%12u%12u%12u%12u\n", total, total - free - cache, free, shared, cache, available);
  printf("Swap:  %12u%12u%12u\n", swapTotal, swapTotal - swapFree, swapFree);
  return 0;
}
