// multiboot.ts — what the boot loader tells us: command line, physical memory map, initrd.
//
// The loader leaves a multiboot information block in low memory and passes its *physical*
// address in EBX (entry.s hands it to kmain). Under v86 it sits at 0x7C00 and carries only the
// command line (flags bit 2), the module list (bit 3; module 1 = the initrd) and the memory map
// (bit 6) — no mem_lower/mem_upper, no loader name (docs/v86.md).
//
// That memory is not ours: it lies in RAM the memory manager will hand out. So multibootInit()
// copies what the kernel keeps — the command line into bootCommandLine, the memory map into
// memoryRegions, the initrd's bounds — and nothing reads the block afterwards. Physical
// memory below 256 MiB is reachable at physical + KERNEL_VIRTUAL_BASE (entry.s).
//
// Layouts (Multiboot Specification 0.6.96, section 3.3):
//   info    flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr,
//           syms[4], mmap_length, mmap_addr, …
//   module  mod_start, mod_end (exclusive), string, reserved
//   mmap    size (of the rest of the entry), base (u64), length (u64), type (1 = usable);
//           the next entry is at entry + 4 + size.

import { KERN_INFO, printk } from "./printk";
import { strlcpy } from "./lib/string";

export const MULTIBOOT_BOOTLOADER_MAGIC: u32 = 0x2badb002;
export const KERNEL_VIRTUAL_BASE: u32 = 0xc0000000;
export const COMMAND_LINE_SIZE: i32 = 1024;
export const MAX_MEMORY_REGIONS: i32 = 32;

const MULTIBOOT_INFO_CMDLINE: u32 = 1 << 2;
const MULTIBOOT_INFO_MODS: u32 = 1 << 3;
const MULTIBOOT_INFO_MEM_MAP: u32 = 1 << 6;

export const E820_USABLE: u32 = 1;

@unmanaged
class MultibootInfo {
  flags: u32;
  memLower: u32;
  memUpper: u32;
  bootDevice: u32;
  cmdline: u32;
  modsCount: u32;
  modsAddr: u32;
  syms0: u32;
  syms1: u32;
  syms2: u32;
  syms3: u32;
  mmapLength: u32;
  mmapAddr: u32;
}

@unmanaged
class MultibootModule {
  modStart: u32;
  modEnd: u32;
  string: u32;
  reserved: u32;
}

@unmanaged
class MultibootMmapEntry {
  size: u32;
  baseLow: u32;
  baseHigh: u32;
  lengthLow: u32;
  lengthHigh: u32;
  type: u32;
}

/** The kernel command line (NUL-terminated; empty if the loader gave none). */
export const bootCommandLine = new StaticArray<u8>(COMMAND_LINE_SIZE);

/** The physical memory map below 4 GiB: regions [base, base + length) of a given type. */
export const memoryRegionBase = new StaticArray<u32>(MAX_MEMORY_REGIONS);
export const memoryRegionLength = new StaticArray<u32>(MAX_MEMORY_REGIONS);
export const memoryRegionType = new StaticArray<u32>(MAX_MEMORY_REGIONS);
export let memoryRegionCount: i32 = 0;

/** The initrd (multiboot module 1) as physical [initrdStart, initrdEnd); both 0 if none. */
export let initrdStart: u32 = 0;
export let initrdEnd: u32 = 0;

export let bootedByMultiboot: bool = false;

function physicalToVirtual(physical: u32): usize {
  return physical + KERNEL_VIRTUAL_BASE;
}

/** Copies what the kernel needs out of the multiboot information block at physical `info`. */
export function multibootInit(magic: u32, info: u32): void {
  bootCommandLine[0] = 0;
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) return;
  bootedByMultiboot = true;
  const mbi = changetype<MultibootInfo>(physicalToVirtual(info));

  if ((mbi.flags & MULTIBOOT_INFO_CMDLINE) != 0 && mbi.cmdline != 0) {
    strlcpy(changetype<usize>(bootCommandLine), changetype<string>(physicalToVirtual(mbi.cmdline)), <usize>COMMAND_LINE_SIZE);
  }

  if ((mbi.flags & MULTIBOOT_INFO_MODS) != 0 && mbi.modsCount > 0) {
    const initrd = changetype<MultibootModule>(physicalToVirtual(mbi.modsAddr));
    initrdStart = initrd.modStart;
    initrdEnd = initrd.modEnd;
  }

  if ((mbi.flags & MULTIBOOT_INFO_MEM_MAP) != 0) {
    let at = mbi.mmapAddr;
    const end = mbi.mmapAddr + mbi.mmapLength;
    while (at < end && memoryRegionCount < MAX_MEMORY_REGIONS) {
      const entry = changetype<MultibootMmapEntry>(physicalToVirtual(at));
      if (entry.baseHigh == 0 && entry.lengthLow != 0) {
        // Clip a region that runs past 4 GiB to end at 4 GiB - 1 byte.
        let length = entry.lengthLow;
        if (entry.lengthHigh != 0 || entry.baseLow + length < entry.baseLow) length = 0 - entry.baseLow;
        memoryRegionBase[memoryRegionCount] = entry.baseLow;
        memoryRegionLength[memoryRegionCount] = length;
        memoryRegionType[memoryRegionCount] = entry.type;
        memoryRegionCount++;
      }
      at += entry.size + 4;
    }
  }
}

function regionTypeName(type: u32): string {
  switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI data";
    case 4: return "ACPI NVS";
    case 5: return "unusable";
    default: return "type unknown";
  }
}

/** Prints the memory map like Linux's e820 table ("BIOS-e820: [mem …] usable"). */
export function multibootPrintMemoryMap(): void {
  printk(KERN_INFO + "BIOS-provided physical RAM map:\n");
  if (memoryRegionCount == 0) printk(KERN_INFO + "multiboot: no memory map\n");
  for (let i = 0; i < memoryRegionCount; i++) {
    const last = memoryRegionBase[i] + memoryRegionLength[i] - 1;
    printk(KERN_INFO + "multiboot: [mem 0x%08x%08x-0x%08x%08x] %s\n", 0, memoryRegionBase[i], 0, last, regionTypeName(memoryRegionType[i]));
  }
}

/** Bytes of usable RAM in the memory map. */
export function usableMemoryBytes(): u32 {
  let total: u32 = 0;
  for (let i = 0; i < memoryRegionCount; i++) {
    if (memoryRegionType[i] == E820_USABLE) total += memoryRegionLength[i];
  }
  return total;
}
