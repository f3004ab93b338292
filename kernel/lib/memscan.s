# memscan.s — memscan32: where the next nonzero word is, in one string instruction.
#
# Design note
# -----------
# A page table has 1024 entries and a process uses a handful of them: fork (vmCopy), exec and
# exit (vmFree) walk every table a process has, and an entry-by-entry loop costs about 5
# instructions an entry, 5,000 a table. `repe scasd` compares the words with EAX (0) until one
# differs; the CPU (and v86, which runs it as one instruction per page) does the walk.
#
#   memscan32(p, count)   the index of the first nonzero u32 of p[0..count), or count if all
#                         are zero. cdecl: EDI is saved, EAX/ECX/EDX are ours; DF is clear
#                         in the kernel (nothing sets it).
        .intel_syntax noprefix
        .text
        .globl memscan32
        .type memscan32, @function
memscan32:
        push edi
        mov edi, dword ptr [esp+8]              # p
        mov ecx, dword ptr [esp+12]             # count
        xor eax, eax
        test ecx, ecx
        jz .Lmemscan32_none
        repe scasd                              # stops after the first nonzero word (ZF = 0)
        jz .Lmemscan32_none                       # every word was zero
        mov eax, edi                            # one word past the nonzero one
        sub eax, dword ptr [esp+8]
        shr eax, 2
        dec eax
        pop edi
        ret
.Lmemscan32_none:
        mov eax, dword ptr [esp+12]
        pop edi
        ret
