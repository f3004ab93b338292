// lsmod: list the loaded modules, as busybox prints /proc/modules.
//
//   Module                  Size  Used by    Not tainted
//   ne2k_pci               20480  0 
//   8390                   24576  1 ne2k_pci
//
// Each line is "%-19s %8s %2s %s": name, size, use count, and the modules using it, comma
// separated (the kernel's trailing comma dropped; nothing, so the line ends in a space, when
// no module uses it). The header's end comes from /proc/sys/kernel/tainted: "Not tainted",
// or busybox's three flags "Tainted: PFS" — P a proprietary module (else G), F a forced
// load, S unsafe SMP — even when the kernel's own taint letters say more.

import { printf } from "../lib/stdio";
import { atoi } from "../lib/string";
import { readFile } from "../lib/kmod/util";
import { loadedModules, Loaded } from "../lib/kmod/module";

const TAINT_PROPRIETARY_MODULE = 1, TAINT_FORCED_MODULE = 2, TAINT_UNSAFE_SMP = 4;

export function main(argc: i32, argv: usize, envp: usize): i32 {
  printf("%-24sSize  Used by", "Module");
  const text = readFile(changetype<usize>("/proc/sys/kernel/tainted"));
  const tainted = text != 0 ? atoi(text) : 0;
  if (tainted != 0) {
    printf("    Tainted: %c%c%c\n", (tainted & TAINT_PROPRIETARY_MODULE) != 0 ? 80 : 71,
      (tainted & TAINT_FORCED_MODULE) != 0 ? 70 : 32, (tainted & TAINT_UNSAFE_SMP) != 0 ? 83 : 32);
  } else {
    printf("    Not tainted\n");
  }
  for (let m: Loaded = loadedModules(); m != null; m = m.next) {
    let holders = m.holders;
    if (load<u8>(holders) == "-".charCodeAt(0) && load<u8>(holders, 1) == 0) holders = changetype<usize>("");
    let n = 0;
    while (load<u8>(holders + n) != 0) n++;
    if (n > 0 && load<u8>(holders + n - 1) == ",".charCodeAt(0)) store<u8>(holders + n - 1, 0); // trailing ','
    printf("%-19s %8s %2s %s\n", m.name, m.size, m.count, holders);
  }
  return 0;
}
