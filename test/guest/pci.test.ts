// PCI in v86 (kernel/drivers/pci.ts): the boot lines for each device of bus 0, and the
// interrupt routing the kernel programs into the PIIX3 — checked in v86's own device state, so
// the test sees where the NE2000's INTA would really land (v86 src/pci.js raise_irq: ISA IRQ =
// PIIX3 config byte 0x60 + ((pin - 1) + (slot - 1)) & 3). Unrouted, that is IRQ 0, the timer.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import type { Machine } from "../../emulator/machine.js";
import { readKernelSources } from "../../toolchain/cli/kernel-files.js";
import type { KernelBuild } from "../../toolchain/src/kbuild.js";
import { buildKernelCached as buildKernel } from "../support/build-cache.js";
import { withMachine } from "./harness.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let kernel: KernelBuild;
beforeAll(() => {
  kernel = buildKernel(readKernelSources(root), readFileSync(resolve(root, "toolchain/lib/lokum.d.ts"), "utf8"));
});

/** v86's PCI model, reached below the public API (as emulator/machine.ts does for ports). */
interface V86Pci {
  device_spaces: (Int32Array | undefined)[];
  isa_bridge_space8: Uint8Array;
}
function v86Pci(machine: Machine): V86Pci {
  return (machine as unknown as { emulator: { v86: { cpu: { devices: { pci: V86Pci } } } } }).emulator.v86.cpu.devices.pci;
}

/** The byte at `offset` of the configuration space of bus 0, device `slot`, function 0. */
function configByte(pci: V86Pci, slot: number, offset: number): number {
  const space = pci.device_spaces[slot << 3];
  if (!space) throw new Error(`no PCI device in slot ${slot}`);
  return new Uint8Array(space.buffer)[offset];
}

/** The ISA IRQ v86 raises for a PCI device's interrupt (src/pci.js raise_irq). */
function v86IrqOf(pci: V86Pci, slot: number): number {
  const pin = configByte(pci, slot, 0x3d);
  return pci.isa_bridge_space8[0x60 + (((pin - 1) + (slot - 1)) & 3)];
}

describe("PCI", () => {
  test("bus 0 is listed like Linux; the NE2000's INTA is routed to IRQ 10, not the timer's line", async () => {
    await withMachine({ kernel: kernel.elf, cmdline: "console=ttyS0 printk.time=0" }, async (machine) => {
      await machine.waitFor(/PCI: \d+ devices on bus 0000:00\r?\n/, { timeoutMs: 15_000 });
      const out = machine.output.replace(/\r\n/g, "\n");
      expect(out).toContain("PCI: Using configuration type 1 for base access\n");
      expect(out).toContain("pci 0000:00:00.0: [8086:1237] type 00 class 0x060000\n");
      expect(out).toContain("pci 0000:00:01.0: [8086:7000] type 00 class 0x060100\n");
      expect(out).toContain("pci 0000:00:05.0: [10ec:8029] type 00 class 0x020000\npci 0000:00:05.0: BAR 0 [io  0x0300-0x031f]\n");
      expect(out).toContain("pci 0000:00:12.0: [1234:1111] type 00 class 0x030000\n");
      expect(out).toContain(
        "pci 0000:00:1e.0: [8086:7010] type 00 class 0x010180\n" +
          "pci 0000:00:1e.0: BAR 0 [io  0x01f0-0x01f7]: legacy IDE quirk\n" +
          "pci 0000:00:1e.0: BAR 1 [io  0x03f6]: legacy IDE quirk\n" +
          "pci 0000:00:1e.0: BAR 2 [io  0x0170-0x0177]: legacy IDE quirk\n" +
          "pci 0000:00:1e.0: BAR 3 [io  0x0376]: legacy IDE quirk\n" +
          "pci 0000:00:1e.0: BAR 4 [io  0xb400-0xb40f]\n",
      );
      expect(out).toContain("pci 0000:00:01.0: PIIX/ICH IRQ router [8086:7000]\n");
      expect(out).toContain("PCI: setting IRQ 10 as level-triggered\n");
      expect(out).toContain("pci 0000:00:05.0: PCI INT A -> PIRQA -> IRQ 10\n");
      expect(out).not.toMatch(/0000:00:1e\.0: PCI INT/); // legacy IDE keeps IRQ 14/15

      const pci = v86Pci(machine);
      expect([...pci.isa_bridge_space8.slice(0x60, 0x64)]).toEqual([10, 11, 9, 5]);
      expect(configByte(pci, 5, 0x3c)).toBe(10); // the NE2000's interrupt line register
      expect(v86IrqOf(pci, 5)).toBe(10); // where v86 now delivers its interrupt
      expect(machine.crash).toBeUndefined();
    });
  });
});
