// The parts of v86 the Machine (machine.ts) uses below v86's public API, in one place: their
// types, and the two things done with them that v86 does not offer — restoring into a PC that has
// just been built without touching its untouched RAM, and setting up the multiboot loader after
// the PC was built.
//
// Internals used that are not in v86's d.ts (they survive in v86's minified release build;
// docs/v86.md, "The emulator's internals"): `emulator.v86` (the scheduler, whose `do_tick` runs
// one emulation slice) and `emulator.v86.cpu.io.register_write` (port handlers), the CPU's
// `unpack_memory` (with `mem8`, `memory_size`, `is_memory_zeroed`, `zero_memory`) and
// `load_multiboot_option_rom`. They are checked where they are used, so a v86 upgrade that renames
// them fails loudly (or, for the faster unpack, falls back to v86's own).
//
// Restoring a state: v86 zeroes all of RAM and then copies the state's non-zero pages in. On a
// new machine (the lab restores into a PC it has just built) RAM is untouched memory, and writing
// zeros into 64 MiB of it makes the host commit every page: 45-60 ms of a 100 ms restore. So
// v86's unpack_memory is replaced (on v86's CPU prototype, by the first machine that starts) by one
// that copies the state's pages and zeroes only the other pages that are not zero already — the
// same RAM afterwards, whatever the machine held before (installFastUnpackMemory). For that
// the machine restores `initialState` itself once v86 has built the PC and before anything runs,
// rather than handing it to v86's `initial_state` (which restores before we could step in).

import type { V86 } from "v86";

/** The parts of v86 we reach below its public API (checked at start, so a v86 upgrade that renames
 *  them fails loudly instead of silently losing the crash guard). */
export interface V86Internals {
  v86: {
    do_tick(): void;
    next_tick(sleepMs: number): void;
    running: boolean;
    stopping: boolean;
    cpu: {
      /** v86's JIT switches (jit.rs): index 0 is "JIT disabled". */
      set_jit_config(index: number, value: number): void;
      io: {
        register_write(
          port: number,
          device: object,
          write8: (value: number) => void,
          write16?: (value: number) => void,
          write32?: (value: number) => void,
        ): void;
      };
      devices: {
        ide?: { primary?: { master?: { buffer?: { buffer?: ArrayBuffer } }; slave?: { buffer?: { buffer?: ArrayBuffer } } } };
        /** COM1's and COM2's receive queues (v86's UART keeps what the host sent in a plain array). */
        uart0?: { input?: unknown[] };
        uart1?: { input?: unknown[] };
      };
    };
  };
  /** The host's end of v86's two-ended message bus: what we send here reaches the devices. */
  bus: { send(name: string, value?: unknown): void };
  /** The CPU's end of the same bus: what we send here reaches the host-side listeners. */
  emulator_bus: { send(name: string, value?: unknown): void };
  screen_adapter?: { get_text_screen?(): string[] };
}

/** What fastUnpackMemory uses of v86's CPU (names that survive v86's minified build). */
interface CpuMemory {
  mem8: Uint8Array;
  memory_size: Uint32Array;
  is_memory_zeroed(address: number, length: number): number | boolean;
  zero_memory(address: number, length: number): void;
  unpack_memory(bitmap: { get(page: number): number }, packed: Uint8Array): void;
  /** Ours: RAM from this address up has not been touched since v86 built the PC (so it is zero
   *  and need not even be read). Set by Machine.start for the one restore before the first slice. */
  lokumUntouchedFrom?: number;
}

/** The multiboot info v86's loader writes (at 0x7C00): the end of module 1, the initrd, which it
 *  places above the kernel — so the top of everything the loader wrote. Undefined without one. */
function multibootLoadedTop(cpu: CpuMemory): number | undefined {
  const read32 = (address: number): number =>
    (cpu.mem8[address]! | cpu.mem8[address + 1]! << 8 | cpu.mem8[address + 2]! << 16 | cpu.mem8[address + 3]! << 24) >>> 0;
  const info = 0x7c00;
  if ((read32(info) & 0x8) === 0 || read32(info + 20) === 0) return undefined; // MULTIBOOT_INFO_MODS, mods_count
  const top = read32(read32(info + 24) + 4); // mods_addr → mod_end
  return top > 0 && top <= cpu.memory_size[0]! ? top : undefined;
}

/** The end of the highest segment an ELF kernel loads (its PT_LOAD p_paddr + p_memsz): the top of
 *  what v86's loader writes when there is no initrd (the multiboot info, memory map and command
 *  line are below 32 KiB). Undefined if `kernel` is not a 32-bit ELF. */
function elfLoadedTop(kernel: Uint8Array): number | undefined {
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  if (kernel.length < 52 || view.getUint32(0) !== 0x7f454c46 || kernel[4] !== 1) return undefined; // "\x7fELF", ELFCLASS32
  const phoff = view.getUint32(28, true), phentsize = view.getUint16(42, true), phnum = view.getUint16(44, true);
  let top = 0;
  for (let i = 0; i < phnum; i++) {
    const header = phoff + i * phentsize;
    if (header + 32 > kernel.length) return undefined;
    if (view.getUint32(header, true) === 1) top = Math.max(top, view.getUint32(header + 12, true) + view.getUint32(header + 20, true)); // PT_LOAD
  }
  return top > 0 ? top : undefined;
}

let fastUnpackInstalled = false;

/** Replace v86's CPU.prototype.unpack_memory (the prototype of `cpu`) by one that does not touch
 *  RAM that is zero already (see the file's note). Once; a v86 without these names keeps its own. */
export function installFastUnpackMemory(cpuInstance: object): void {
  if (fastUnpackInstalled) return;
  fastUnpackInstalled = true;
  const instance = cpuInstance as CpuMemory; // is_memory_zeroed and zero_memory are per instance (wasm exports)
  const cpu = Object.getPrototypeOf(cpuInstance) as CpuMemory;
  if (typeof cpu.unpack_memory !== "function" || typeof instance.is_memory_zeroed !== "function" || typeof instance.zero_memory !== "function" ||
      typeof instance.mem8?.set !== "function" || typeof instance.memory_size?.[0] !== "number") return; // (v86's own views of wasm memory, not plain typed arrays)
  cpu.unpack_memory = function fastUnpackMemory(this: CpuMemory, bitmap, packed) {
    const pages = this.memory_size[0]! >>> 12;
    const untouchedFrom = this.lokumUntouchedFrom ?? Infinity;
    this.lokumUntouchedFrom = undefined;
    let packedPage = 0;
    for (let page = 0; page < pages; page++) {
      const address = page << 12;
      if (bitmap.get(page)) {
        this.mem8.set(packed.subarray(packedPage << 12, (packedPage + 1) << 12), address);
        packedPage++;
      } else if (address < untouchedFrom && !this.is_memory_zeroed(address, 4096)) {
        this.zero_memory(address, 4096);
      }
    }
  };
}

/** Restore `state` into a PC v86 has just built, before its first slice (see the note above):
 *  only the loader has written to RAM — the kernel, and the initrd above it if there is one
 *  (without a kernel, nothing) — so RAM above that is not even read. */
export async function restoreIntoNewPC(emulator: V86 & V86Internals, state: ArrayBuffer, kernel: Uint8Array | undefined, initrd: Uint8Array | undefined): Promise<void> {
  installFastUnpackMemory(emulator.v86.cpu);
  const cpu = emulator.v86.cpu as unknown as CpuMemory;
  cpu.lokumUntouchedFrom = !kernel ? 0 : multibootLoadedTop(cpu) ?? (initrd ? undefined : elfLoadedTop(kernel));
  try {
    await emulator.restore_state(state);
  } finally {
    cpu.lokumUntouchedFrom = undefined;
  }
}

/** Set v86's multiboot loader up with these boot files on a PC built without them: a reboot
 *  (port 0xF4, read by the loader) then loads them. RAM is not touched. */
export function setUpMultibootLoader(emulator: V86 & V86Internals, kernel: ArrayBuffer, initrd: ArrayBuffer | undefined, cmdline: string | undefined): void {
  const cpu = emulator.v86.cpu as unknown as { load_multiboot_option_rom?(kernel: ArrayBuffer, initrd: ArrayBuffer | undefined, cmdline?: string): unknown };
  if (typeof cpu.load_multiboot_option_rom !== "function") throw new Error("Machine.provideBootFiles: this v86 has no load_multiboot_option_rom");
  cpu.load_multiboot_option_rom(kernel, initrd, cmdline);
}
