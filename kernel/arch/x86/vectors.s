# vectors.s — the interrupt entry stubs: one per IDT vector, then one common path into trap().
#
# Design note
# -----------
# When the CPU takes an interrupt or exception in ring 0 it pushes EFLAGS, CS and EIP (from
# ring 3 also the user SS and ESP, read from the TSS) and, for some exceptions only, an error
# code. To give trap() one frame layout for every vector, each stub pushes a dummy error code 0
# where the CPU pushes none (all but vectors 8, 10-14, 17, 21, 29, 30), then its vector number,
# and jumps to trap_common, which saves the rest (xv6's vectors.S + trapasm.S):
#
#   trap_common:  push ds, es, fs, gs; pushad; load the kernel data segments;
#                 call trap(frame) with frame = ESP; then undo it all and iretd.
#
# So, from the lowest address up, the frame is (kernel/arch/x86/trap.ts: TrapFrame):
#   edi esi ebp esp(ignored) ebx edx ecx eax   (pushad)
#   gs fs es ds                                 (one 32-bit slot each)
#   vector errorCode                            (the stub)
#   eip cs eflags [esp ss]                      (the CPU; esp/ss only when coming from ring 3)
#
# Stubs exist for the 32 CPU exceptions, the 16 PIC IRQs (remapped to 32-47) and the system
# call vector 0x80; idt.ts installs the ones listed in `interrupt_vectors` (0 = no stub). The
# stubs are written out one by one (xv6 generates them with a script; here there are few).

        .intel_syntax noprefix
        .set KERNEL_DS, 0x68

        .text

        .globl vector0
vector0:
        push 0
        push 0
        jmp trap_common
        .globl vector1
vector1:
        push 0
        push 1
        jmp trap_common
        .globl vector2
vector2:
        push 0
        push 2
        jmp trap_common
        .globl vector3
vector3:
        push 0
        push 3
        jmp trap_common
        .globl vector4
vector4:
        push 0
        push 4
        jmp trap_common
        .globl vector5
vector5:
        push 0
        push 5
        jmp trap_common
        .globl vector6
vector6:
        push 0
        push 6
        jmp trap_common
        .globl vector7
vector7:
        push 0
        push 7
        jmp trap_common
        .globl vector8
vector8:
        # the CPU pushed an error code
        push 8
        jmp trap_common
        .globl vector9
vector9:
        push 0
        push 9
        jmp trap_common
        .globl vector10
vector10:
        # the CPU pushed an error code
        push 10
        jmp trap_common
        .globl vector11
vector11:
        # the CPU pushed an error code
        push 11
        jmp trap_common
        .globl vector12
vector12:
        # the CPU pushed an error code
        push 12
        jmp trap_common
        .globl vector13
vector13:
        # the CPU pushed an error code
        push 13
        jmp trap_common
        .globl vector14
vector14:
        # the CPU pushed an error code
        push 14
        jmp trap_common
        .globl vector15
vector15:
        push 0
        push 15
        jmp trap_common
        .globl vector16
vector16:
        push 0
        push 16
        jmp trap_common
        .globl vector17
vector17:
        # the CPU pushed an error code
        push 17
        jmp trap_common
        .globl vector18
vector18:
        push 0
        push 18
        jmp trap_common
        .globl vector19
vector19:
        push 0
        push 19
        jmp trap_common
        .globl vector20
vector20:
        push 0
        push 20
        jmp trap_common
        .globl vector21
vector21:
        # the CPU pushed an error code
        push 21
        jmp trap_common
        .globl vector22
vector22:
        push 0
        push 22
        jmp trap_common
        .globl vector23
vector23:
        push 0
        push 23
        jmp trap_common
        .globl vector24
vector24:
        push 0
        push 24
        jmp trap_common
        .globl vector25
vector25:
        push 0
        push 25
        jmp trap_common
        .globl vector26
vector26:
        push 0
        push 26
        jmp trap_common
        .globl vector27
vector27:
        push 0
        push 27
        jmp trap_common
        .globl vector28
vector28:
        push 0
        push 28
        jmp trap_common
        .globl vector29
vector29:
        # the CPU pushed an error code
        push 29
        jmp trap_common
        .globl vector30
vector30:
        # the CPU pushed an error code
        push 30
        jmp trap_common
        .globl vector31
vector31:
        push 0
        push 31
        jmp trap_common
        .globl vector32
vector32:
        push 0
        push 32
        jmp trap_common
        .globl vector33
vector33:
        push 0
        push 33
        jmp trap_common
        .globl vector34
vector34:
        push 0
        push 34
        jmp trap_common
        .globl vector35
vector35:
        push 0
        push 35
        jmp trap_common
        .globl vector36
vector36:
        push 0
        push 36
        jmp trap_common
        .globl vector37
vector37:
        push 0
        push 37
        jmp trap_common
        .globl vector38
vector38:
        push 0
        push 38
        jmp trap_common
        .globl vector39
vector39:
        push 0
        push 39
        jmp trap_common
        .globl vector40
vector40:
        push 0
        push 40
        jmp trap_common
        .globl vector41
vector41:
        push 0
        push 41
        jmp trap_common
        .globl vector42
vector42:
        push 0
        push 42
        jmp trap_common
        .globl vector43
vector43:
        push 0
        push 43
        jmp trap_common
        .globl vector44
vector44:
        push 0
        push 44
        jmp trap_common
        .globl vector45
vector45:
        push 0
        push 45
        jmp trap_common
        .globl vector46
vector46:
        push 0
        push 46
        jmp trap_common
        .globl vector47
vector47:
        push 0
        push 47
        jmp trap_common
        .globl vector128
vector128:
        push 0
        push 128
        jmp trap_common

        .globl trap_common
        .type trap_common, @function
trap_common:
        push ds
        push es
        push fs
        push gs
        pushad
        mov ax, KERNEL_DS                       # the kernel's own data segment, whatever the
        mov ds, ax                              # interrupted code had loaded
        mov es, ax
        xor eax, eax                            # FS and GS: null in the kernel. The user's may
        mov fs, ax                              # select its TLS slot (arch/x86/tls.ts), which
        mov gs, ax                              # another task's switch can empty meanwhile
        cld                                     # the C ABI expects DF = 0
        push esp                                # trap(frame)
        call trap
        .globl trap_return                      # trap() returns here (the call trace looks
trap_return:                                    # for this address to cross an exception)
        add esp, 4
        popad
        pop gs
        pop fs
        pop es
        pop ds
        add esp, 8                              # drop the vector number and error code
        iretd
        .size trap_common, . - trap_common

# The address of each stub by vector number, for idt.ts (0: no stub, the gate stays absent).
        .section .rodata
        .align 4
        .globl interrupt_vectors
        .type interrupt_vectors, @object
interrupt_vectors:
        .long vector0, vector1, vector2, vector3, vector4, vector5, vector6, vector7
        .long vector8, vector9, vector10, vector11, vector12, vector13, vector14, vector15
        .long vector16, vector17, vector18, vector19, vector20, vector21, vector22, vector23
        .long vector24, vector25, vector26, vector27, vector28, vector29, vector30, vector31
        .long vector32, vector33, vector34, vector35, vector36, vector37, vector38, vector39
        .long vector40, vector41, vector42, vector43, vector44, vector45, vector46, vector47
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long vector128, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .long 0, 0, 0, 0, 0, 0, 0, 0
        .size interrupt_vectors, 256 * 4
