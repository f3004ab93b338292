# entry.s — the first instructions of the kernel: multiboot header, boot page directory, the
# jump to the higher half, and the call of kmain().
#
# Design note
# -----------
# The kernel is linked at virtual 0xC0100000 but the boot loader (v86, QEMU, GRUB) loads it at
# physical 0x100000 and jumps to the *physical* address of _start with paging off (the ELF
# entry is physical, see toolchain/src/link/linker.ts). So until paging is on, every symbol
# must be used as `symbol - KERNEL_BASE`: that is its physical address.
#
# State at entry (multiboot; under v86 see docs/v86.md): 32-bit protected mode,
# paging off, IF = 0, EAX = 0x2BADB002, EBX = physical address of the multiboot info, and no
# usable stack (v86: ESP = 0x100) nor GDT/IDT (GDTR = IDTR = 0). We touch no segment register
# here — gdtInit() loads the kernel's own GDT first thing in kmain — and we must not fault
# before idtInit(), because there is nowhere to deliver a fault.
#
# The boot page directory maps physical 0 .. BOOT_MAPPED_MB with 4 MiB pages (CR4.PSE) twice:
#   at 0            (identity) so the instructions right after `mov cr0` still run, and
#   at KERNEL_BASE  (0xC0000000 + phys), where the kernel lives from then on ("lowmem", as on
#                   Linux i386: kernel virtual = physical + 0xC0000000).
# Once we run high, the identity half is removed again, so that a NULL pointer (or any low
# address) faults in the kernel instead of silently reading physical memory.
#
# kmain(magic, info) is called with the multiboot magic and the *physical* address of the
# multiboot info (the kernel reads it at info + KERNEL_BASE), on a 16 KiB stack in .bss, with
# EBP = 0 so that stack walkers (the oops call trace) know where the chain ends.

        .intel_syntax noprefix

        .set KERNEL_BASE, 0xC0000000
        .set BOOT_MAPPED_MB, 256                # must be a multiple of 4
        .set PDE_PRESENT_WRITE_4M, 0x83         # present | writable | page size (4 MiB)
        .set CR4_PSE, 0x10
        .set CR0_PG_WP, 0x80010000              # paging | write protect (also in ring 0)
        .set BOOT_STACK_SIZE, 16384

# ---- multiboot header: 4-aligned, in the first 8 KiB of the file -------------------------------
        .section .multiboot,"a",@progbits
        .align 4
        .long 0x1BADB002                        # magic
        .long 0x00000002                        # flags: bit 1 = pass a memory map
        .long 0xE4524FFC                        # checksum: -(magic + flags)

        .text
        .globl _start
        .type _start, @function
_start:
        cld
        mov esi, eax                            # keep the multiboot magic (EBX, the info pointer, stays)

        # Zero .bss (multiboot loaders should, but the kernel does not rely on it).
        mov edi, offset __bss_start - KERNEL_BASE
        mov ecx, offset __bss_end - KERNEL_BASE
        sub ecx, edi
        shr ecx, 2
        xor eax, eax
        rep stosd

        # Fill the boot page directory: entry i and entry 768 + i both map physical i * 4 MiB.
        mov ecx, 0
.Lmap_next:
        mov eax, ecx
        shl eax, 22                             # physical address of this 4 MiB page
        or eax, PDE_PRESENT_WRITE_4M
        mov dword ptr [boot_page_directory - KERNEL_BASE + ecx*4], eax
        mov dword ptr [boot_page_directory - KERNEL_BASE + 768*4 + ecx*4], eax
        inc ecx
        cmp ecx, BOOT_MAPPED_MB / 4
        jb .Lmap_next

        mov eax, cr4
        or eax, CR4_PSE
        mov cr4, eax
        mov eax, offset boot_page_directory - KERNEL_BASE
        mov cr3, eax
        mov eax, cr0
        or eax, CR0_PG_WP
        mov cr0, eax

        # Paging is on; we still run at low (identity-mapped) addresses. Jump to the high copy.
        mov eax, offset .Lhigher_half
        jmp eax
.Lhigher_half:
        mov esp, offset boot_stack_top

        # Drop the identity mapping and flush the TLB by reloading CR3.
        mov ecx, 0
.Lunmap_next:
        mov dword ptr [boot_page_directory + ecx*4], 0
        inc ecx
        cmp ecx, BOOT_MAPPED_MB / 4
        jb .Lunmap_next
        mov eax, cr3
        mov cr3, eax

        mov ebp, 0                              # the end of the frame-pointer chain
        push ebx                                # kmain(magic, info)
        push esi
        call kmain

        # kmain never returns; if it does, stop here for good.
.Lhalt_forever:
        cli
        hlt
        jmp .Lhalt_forever
        .size _start, . - _start

# ---- data --------------------------------------------------------------------------------------
        .data
        .align 4096
        .globl boot_page_directory
        .type boot_page_directory, @object
boot_page_directory:
        .zero 4096                              # filled in by _start
        .size boot_page_directory, 4096

        .bss
        .align 16
        .globl boot_stack_bottom
boot_stack_bottom:
        .skip BOOT_STACK_SIZE
        .globl boot_stack_top
boot_stack_top:
