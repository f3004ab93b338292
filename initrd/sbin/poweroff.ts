// poweroff: power the machine off. Flushes the file systems (sync) and calls reboot(2) with Linux's
// magic numbers (0xfee1dead, 672274793) and LINUX_REBOOT_CMD_POWER_OFF. -f is accepted (we always act at
// once: there is no init protocol to go through). Only root may: others get
// "poweroff: Operation not permitted".

import { fprintf } from "../lib/stdio";
import { sync, reboot, LINUX_REBOOT_CMD_POWER_OFF } from "../lib/unistd";
import { errorText } from "../lib/errno";

export function main(argc: i32, argv: usize, envp: usize): i32 {
  sync();
  if (reboot(LINUX_REBOOT_CMD_POWER_OFF) < 0) {
    fprintf(2, "poweroff: %s\n", errorText());
    return 1;
  }
  return 0;
}
