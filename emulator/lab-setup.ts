// The machine the browser lab boots, in one place: the page (web/lab.ts) starts it, the build
// (vite.config.ts → boot-snapshot.ts) snapshots it. A page asked for a different machine (say
// another network) boots cold, since the build's snapshot is of this one.

export interface LabMachineSetup {
  /** The kernel command line. ip=dhcp: /etc/init.d/network configures eth0 by DHCP from v86's
   *  router, in the background (docs/network.md). */
  cmdline: string;
  /** The NE2000's cable (emulator/machine.ts, MachineOptions.net). */
  net: "none" | "fetch" | "inbrowser";
  /** RAM in MiB (v86 gives at least 64 with an initrd). */
  memoryMB: number;
}

export const LAB_SETUP: LabMachineSetup = { cmdline: "console=ttyS0 ip=dhcp", net: "fetch", memoryMB: 64 };

/** boot/manifest.json: what the build published next to the page. */
export interface BootManifest {
  /** Hash of kernel + initrd + setup + v86 version (boot-snapshot.ts). */
  key: string;
  setup: LabMachineSetup;
  v86: string;
  files: Record<string, { bytes: number }>;
  /** The snapshot's file name under boot/, or null when there is none for this key yet. */
  snapshot: string | null;
  /** The console's last line when the snapshot was saved — the shell's prompt, where the shell
   *  waits for input — or null (unknown: the page asks the shell for a fresh prompt). */
  prompt?: string | null;
}

export function sameSetup(a: LabMachineSetup, b: LabMachineSetup): boolean {
  return a.cmdline === b.cmdline && a.net === b.net && a.memoryMB === b.memoryMB;
}
