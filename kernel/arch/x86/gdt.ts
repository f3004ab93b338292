// gdt.ts — the Global Descriptor Table: flat segments for the kernel and for user space.
//
// Paging does the real memory protection; segments only say "ring 0 or ring 3" and "code or
// data", each over all 4 GiB (base 0, limit 4 GiB, 4 KiB granularity, 32-bit). The boot loader's
// GDT cannot be trusted (under v86 GDTR is even 0: docs/v86.md), so gdtInit()
// runs first in kmain, before anything can reload a segment register.
//
// The slots are Linux i386's, so that oopses and debuggers show the familiar selectors:
//
//   index  selector  segment
//     12    0x60     kernel code   (ring 0, execute/read)
//     13    0x68     kernel data   (ring 0, read/write)       DS, ES, SS in the kernel
//     14    0x73     user code     (ring 3; selector = 14·8 | RPL 3)
//     15    0x7B     user data     (ring 3)
//     16    0x80     the TSS       (filled in later by the process code: tssInstall())
//   all other slots are null descriptors.
//
// A descriptor is 8 bytes; for a flat segment:
//   low word   limit[15:0] | base[15:0] << 16                       = 0x0000FFFF
//   high word  base[23:16] | access << 8 | limit[19:16] << 16 | flags << 20 | base[31:24] << 24
// with flags 0xC (4 KiB granularity, 32-bit) and access = present | DPL << 5 | type.

export const GDT_ENTRIES: i32 = 32;
export const GDT_ENTRY_KERNEL_CS: i32 = 12;
export const GDT_ENTRY_KERNEL_DS: i32 = 13;
export const GDT_ENTRY_USER_CS: i32 = 14;
export const GDT_ENTRY_USER_DS: i32 = 15;
export const GDT_ENTRY_TSS: i32 = 16;

export const KERNEL_CS: u16 = 0x60;
export const KERNEL_DS: u16 = 0x68;
export const USER_CS: u16 = 0x73;
export const USER_DS: u16 = 0x7b;
export const TSS_SELECTOR: u16 = 0x80;

const ACCESS_KERNEL_CODE: u32 = 0x9a; // present, ring 0, code, execute/read
const ACCESS_KERNEL_DATA: u32 = 0x92; // present, ring 0, data, read/write
const ACCESS_USER_CODE: u32 = 0xfa; // present, ring 3, code, execute/read
const ACCESS_USER_DATA: u32 = 0xf2; // present, ring 3, data, read/write
const FLAGS_4K_32BIT: u32 = 0xc;

/** The table itself: two 32-bit words per descriptor. */
export const gdtTable = new StaticArray<u32>(GDT_ENTRIES * 2);
/** The operand of `lgdt`: a 16-bit limit, then the 32-bit linear base address. */
export const gdtPointer = new StaticArray<u16>(3);

/** Writes descriptor `index` (limit in units of 4 KiB when FLAGS_4K_32BIT is set). */
export function gdtSetEntry(index: i32, base: u32, limit: u32, access: u32, flags: u32): void {
  gdtTable[index * 2] = (limit & 0xffff) | ((base & 0xffff) << 16);
  gdtTable[index * 2 + 1] = ((base >> 16) & 0xff) | (access << 8) | (((limit >> 16) & 0xf) << 16) | (flags << 20) | (base & 0xff000000);
}

/** Builds the table, loads it and reloads every segment register. */
export function gdtInit(): void {
  gdtSetEntry(GDT_ENTRY_KERNEL_CS, 0, 0xfffff, ACCESS_KERNEL_CODE, FLAGS_4K_32BIT);
  gdtSetEntry(GDT_ENTRY_KERNEL_DS, 0, 0xfffff, ACCESS_KERNEL_DATA, FLAGS_4K_32BIT);
  gdtSetEntry(GDT_ENTRY_USER_CS, 0, 0xfffff, ACCESS_USER_CODE, FLAGS_4K_32BIT);
  gdtSetEntry(GDT_ENTRY_USER_DS, 0, 0xfffff, ACCESS_USER_DATA, FLAGS_4K_32BIT);

  const pointer = changetype<usize>(gdtPointer);
  store<u16>(pointer, <u16>(GDT_ENTRIES * 8 - 1));
  store<u32>(pointer, changetype<usize>(gdtTable), 2);
  asm("lgdt [gdtPointer]");
  // A far jump is the only way to load CS; then the data segment registers. FS and GS are
  // not used by the kernel: the null selector is fine for them in ring 0.
  asm("jmp 0x60:1f\n1:");
  asm("mov ax, 0x68\nmov ds, ax\nmov es, ax\nmov ss, ax\nxor eax, eax\nmov fs, ax\nmov gs, ax");
}
