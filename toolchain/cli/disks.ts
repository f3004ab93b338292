// Disks and the kernel command line for `lokum boot` and `lokum run`.
//
//   --hda IMG / --hdb IMG   the primary IDE master / slave. The image file is read whole into
//                           memory; v86 writes the guest's disk writes into that memory, and
//                           when the command ends writeBackDisks() puts the bytes into the file
//                           again (only if they changed), so `echo hi > /dev/hda` lands in IMG.
//   --cmdline S             the whole command line (default "console=ttyS0")
//   --append ARGS           added after it, as QEMU's -append: `--append root=/dev/hda1`

import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { Machine } from "../../emulator/machine.js";

export interface DiskFiles {
  hda?: { path: string; bytes: Uint8Array };
  hdb?: { path: string; bytes: Uint8Array };
}

/** Read the images named by --hda/--hdb. v86 needs whole sectors: other sizes are refused. */
export function readDisks(hda: string | undefined, hdb: string | undefined): DiskFiles {
  const read = (path: string | undefined, option: string): { path: string; bytes: Uint8Array } | undefined => {
    if (path === undefined) return undefined;
    if (!existsSync(path)) throw new Error(`${option} ${path}: No such file or directory`);
    const size = statSync(path).size;
    if (size === 0 || size % 512 !== 0) throw new Error(`${option} ${path}: the image must be a non-empty multiple of 512 bytes (it has ${size})`);
    const file = readFileSync(path);
    // A private ArrayBuffer of exactly the image's size, so that v86 writes into it directly.
    const bytes = new Uint8Array(new ArrayBuffer(file.length));
    bytes.set(file);
    return { path, bytes };
  };
  return { hda: read(hda, "--hda"), hdb: read(hdb, "--hdb") };
}

/** Put what the guest wrote back into the image files (call before machine.destroy()). */
export function writeBackDisks(machine: Machine, disks: DiskFiles): void {
  for (const which of ["hda", "hdb"] as const) {
    const disk = disks[which];
    if (!disk) continue;
    let now = disk.bytes; // the guest's writes land here unless a snapshot was restored …
    try {
      now = machine.diskBytes(which); // … and here in every case, once the machine has started
    } catch {
      // not started: nothing was written
    }
    const original = readFileSync(disk.path);
    if (Buffer.compare(original, now) !== 0) writeFileSync(disk.path, now);
  }
}

/** --cmdline, then --append's arguments. */
export function kernelCommandLine(cmdline: string, append: string | undefined): string {
  return append === undefined || append.trim() === "" ? cmdline : `${cmdline} ${append.trim()}`;
}
