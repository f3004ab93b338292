# bare.s — the bare runtime: just enough of a machine for a freestanding test program.
#
# A bare program is linked as a multiboot kernel at physical 0x100000 (no paging, no higher
# half). v86 (or QEMU, or GRUB) loads it and jumps to _start in 32-bit protected mode with
# interrupts off, but with no usable stack and, under v86, GDTR = IDTR = 0 (docs/v86.md).
# So _start, in order:
#   1. takes a 64 KiB stack from .bss;
#   2. loads a flat GDT (null, code 0x08, data 0x10) and reloads every segment register;
#   3. builds and loads an IDT whose 32 exception vectors print
#        bare: exception N at EIP=xxxxxxxx
#      on COM1 and exit with status 128+N (like a shell reporting a signal);
#   4. maps VGA text memory at 0xB8000 and sets up COM1;
#   5. calls main() and hands its return value (EAX) to the host as the exit status.
#
# The exit status goes to I/O port 0x501, which the emulator glue (emulator/machine.ts) owns:
# a 32-bit `out dx, eax` there ends the run. After that we halt forever.
#
# Exported helpers follow the cdecl ABI (arguments on the stack, result in EAX, EBX/ESI/EDI/EBP
# preserved):  putchar(c) -> c,  bare_exit(code) -> never returns.
# Exported data: bare_multiboot_info, the physical address of the multiboot information block
# (under v86: cmdline, module 1 = the initrd, and a memory map, which we ask for in the header).
#
# Written in the GNU `as` Intel-syntax dialect of docs/toolchain.md, so both GNU as --32 and
# Lokum's assembler accept it.

        .intel_syntax noprefix

# ---- multiboot header (must be in the first 8 KiB of the file, 4-byte aligned) ----------------
        .section .multiboot,"a",@progbits
        .align 4
        .long 0x1BADB002                # magic
        .long 0x00000002                # flags: bit 1 = give us a memory map (v86 only fills
                                        # mbi.mmap when this bit is set). No a.out kludge (bit 16):
                                        # our ELF has program headers.
        .long 0xE4524FFC                # checksum: -(magic + flags) mod 2^32

# ---- constants ---------------------------------------------------------------------------------
        .set COM1, 0x3F8
        .set EXIT_PORT, 0x501
        .set KERNEL_DATA, 0x10

        .text
        .globl _start
        .type _start, @function
_start:
        mov dword ptr [bare_multiboot_info], ebx   # the loader's info block, for main to read
        mov esp, offset stack_top
        cld                             # the C ABI expects DF = 0

        lgdt [gdt_descriptor]
        jmp 0x08:.Lreload_cs            # a far jump is the only way to load CS
.Lreload_cs:
        mov ax, KERNEL_DATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax

        call build_idt
        lidt [idt_descriptor]

        # VGA Graphics Controller register 6 = 0x0E: text memory at 0xB8000 (v86 starts with 0).
        mov dx, 0x3CE
        mov al, 6
        out dx, al
        mov dx, 0x3CF
        mov al, 0x0E
        out dx, al

        call serial_init

        call main
        push eax
        call bare_exit                  # does not return
        .size _start, . - _start

# bare_exit(code): report `code` to the host and stop this CPU for good.
        .globl bare_exit
        .type bare_exit, @function
bare_exit:
        mov eax, dword ptr [esp + 4]
        mov dx, EXIT_PORT
        out dx, eax
.Lhalt_forever:
        cli
        hlt
        jmp .Lhalt_forever
        .size bare_exit, . - bare_exit

# putchar(c): send one byte to COM1, waiting until the transmitter is free. Returns c.
        .globl putchar
        .type putchar, @function
putchar:
        mov dx, COM1 + 5                # line status register
.Lwait_transmitter:
        in al, dx
        test al, 0x20                   # bit 5: transmit holding register empty
        jz .Lwait_transmitter
        mov eax, dword ptr [esp + 4]
        mov dx, COM1
        out dx, al
        movzx eax, al
        ret
        .size putchar, . - putchar

# serial_init: COM1 at 115200 baud, 8 data bits, no parity, 1 stop bit, FIFO on, no interrupts.
        .type serial_init, @function
serial_init:
        mov dx, COM1 + 1                # interrupt enable: none
        mov al, 0
        out dx, al
        mov dx, COM1 + 3                # line control: DLAB = 1 to set the divisor
        mov al, 0x80
        out dx, al
        mov dx, COM1                    # divisor low byte: 115200 / 1
        mov al, 1
        out dx, al
        mov dx, COM1 + 1                # divisor high byte
        mov al, 0
        out dx, al
        mov dx, COM1 + 3                # 8N1, DLAB = 0
        mov al, 0x03
        out dx, al
        mov dx, COM1 + 2                # FIFO: enable, clear both, 14-byte threshold
        mov al, 0xC7
        out dx, al
        mov dx, COM1 + 4                # modem control: DTR + RTS
        mov al, 0x03
        out dx, al
        ret
        .size serial_init, . - serial_init

# build_idt: fill the 32 exception gates from exception_stubs[]. Each gate is a 32-bit interrupt
# gate (type 0x8E: present, ring 0) in code segment 0x08:
#   low dword  = selector << 16 | handler[15:0]
#   high dword = handler[31:16] << 16 | 0x8E00
        .type build_idt, @function
build_idt:
        xor ecx, ecx
.Lnext_gate:
        mov eax, dword ptr [exception_stubs + ecx*4]
        mov edx, eax
        and eax, 0x0000FFFF
        or eax, 0x00080000              # code selector 0x08 << 16
        and edx, 0xFFFF0000
        or edx, 0x00008E00
        mov dword ptr [idt + ecx*8], eax
        mov dword ptr [idt + ecx*8 + 4], edx
        inc ecx
        cmp ecx, 32
        jb .Lnext_gate
        ret
        .size build_idt, . - build_idt

# ---- exception stubs ---------------------------------------------------------------------------
# The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30 only. The other stubs push
# a 0 in its place, so that exception_common always sees:
#   [esp] = vector, [esp+4] = error code, [esp+8] = faulting EIP, [esp+12] = CS, [esp+16] = EFLAGS
exc0:   push 0
        push 0
        jmp exception_common
exc1:   push 0
        push 1
        jmp exception_common
exc2:   push 0
        push 2
        jmp exception_common
exc3:   push 0
        push 3
        jmp exception_common
exc4:   push 0
        push 4
        jmp exception_common
exc5:   push 0
        push 5
        jmp exception_common
exc6:   push 0
        push 6
        jmp exception_common
exc7:   push 0
        push 7
        jmp exception_common
exc8:   push 8                          # double fault (error code 0 pushed by the CPU)
        jmp exception_common
exc9:   push 0
        push 9
        jmp exception_common
exc10:  push 10                         # invalid TSS
        jmp exception_common
exc11:  push 11                         # segment not present
        jmp exception_common
exc12:  push 12                         # stack-segment fault
        jmp exception_common
exc13:  push 13                         # general protection
        jmp exception_common
exc14:  push 14                         # page fault
        jmp exception_common
exc15:  push 0
        push 15
        jmp exception_common
exc16:  push 0
        push 16
        jmp exception_common
exc17:  push 17                         # alignment check
        jmp exception_common
exc18:  push 0
        push 18
        jmp exception_common
exc19:  push 0
        push 19
        jmp exception_common
exc20:  push 0
        push 20
        jmp exception_common
exc21:  push 21                         # control protection
        jmp exception_common
exc22:  push 0
        push 22
        jmp exception_common
exc23:  push 0
        push 23
        jmp exception_common
exc24:  push 0
        push 24
        jmp exception_common
exc25:  push 0
        push 25
        jmp exception_common
exc26:  push 0
        push 26
        jmp exception_common
exc27:  push 0
        push 27
        jmp exception_common
exc28:  push 0
        push 28
        jmp exception_common
exc29:  push 29                         # VMM communication
        jmp exception_common
exc30:  push 30                         # security exception
        jmp exception_common
exc31:  push 0
        push 31
        jmp exception_common

# exception_common: print "bare: exception N at EIP=xxxxxxxx\n", then exit with 128 + N.
# Nothing returns from here, so no registers need saving.
        .type exception_common, @function
exception_common:
        mov esi, offset exception_text
        call print_string
        mov eax, dword ptr [esp]        # vector
        call print_decimal
        mov esi, offset at_eip_text
        call print_string
        mov eax, dword ptr [esp + 8]    # faulting EIP
        call print_hex8
        push 10                         # '\n'
        call putchar
        add esp, 4
        mov eax, dword ptr [esp]
        add eax, 128
        push eax
        call bare_exit
        .size exception_common, . - exception_common

# print_string: ESI = NUL-terminated string. Clobbers EAX, EDX, ESI.
        .type print_string, @function
print_string:
        movzx eax, byte ptr [esi]
        test eax, eax
        jz .Lstring_done
        push eax
        call putchar
        add esp, 4
        inc esi
        jmp print_string
.Lstring_done:
        ret
        .size print_string, . - print_string

# print_decimal: EAX = unsigned number. Digits are pushed least significant first, then popped
# and printed. Clobbers EAX, ECX, EDX.
        .type print_decimal, @function
print_decimal:
        xor ecx, ecx                    # digit count
.Lsplit_digit:
        xor edx, edx
        push ebx
        mov ebx, 10
        div ebx                         # EAX = EAX / 10, EDX = digit
        pop ebx
        add edx, '0'
        push edx
        inc ecx
        test eax, eax
        jnz .Lsplit_digit
.Lprint_digit:
        push ecx
        push dword ptr [esp + 4]        # the digit (saved count sits above it)
        call putchar
        add esp, 4
        pop ecx
        add esp, 4                      # drop the digit
        dec ecx
        jnz .Lprint_digit
        ret
        .size print_decimal, . - print_decimal

# print_hex8: EAX = number, printed as 8 lowercase hex digits. Clobbers EAX, ECX, EDX.
        .type print_hex8, @function
print_hex8:
        push ebx
        mov ebx, eax
        mov ecx, 8
.Lhex_digit:
        rol ebx, 4                      # bring the top nibble to the bottom
        mov eax, ebx
        and eax, 0x0F
        movzx eax, byte ptr [hex_digits + eax]
        push ecx
        push eax
        call putchar
        add esp, 4
        pop ecx
        dec ecx
        jnz .Lhex_digit
        pop ebx
        ret
        .size print_hex8, . - print_hex8

# ---- data --------------------------------------------------------------------------------------
        .section .rodata
exception_text:
        .asciz "bare: exception "
at_eip_text:
        .asciz " at EIP="
hex_digits:
        .ascii "0123456789abcdef"

        .data
        .align 4
        .globl bare_multiboot_info
        .type bare_multiboot_info, @object
bare_multiboot_info:
        .long 0
        .size bare_multiboot_info, 4

        .align 8
# Flat segments over all 4 GiB: base 0, limit 0xFFFFF pages, 32-bit, ring 0.
gdt:
        .long 0, 0                      # 0x00: the null descriptor
        .long 0x0000FFFF, 0x00CF9A00    # 0x08: code, execute/read
        .long 0x0000FFFF, 0x00CF9200    # 0x10: data, read/write
gdt_descriptor:
        .short 23                       # limit = 3 descriptors * 8 - 1
        .long gdt

        .align 4
idt_descriptor:
        .short 255                      # limit = 32 gates * 8 - 1
        .long idt

exception_stubs:
        .long exc0, exc1, exc2, exc3, exc4, exc5, exc6, exc7
        .long exc8, exc9, exc10, exc11, exc12, exc13, exc14, exc15
        .long exc16, exc17, exc18, exc19, exc20, exc21, exc22, exc23
        .long exc24, exc25, exc26, exc27, exc28, exc29, exc30, exc31

        .bss
        .align 8
idt:
        .skip 256                       # 32 gates, filled in by build_idt
        .align 16
stack_bottom:
        .skip 65536
stack_top:
