# swtch.s — the context switch, and where new processes and kernel threads start running.
#
# Design note
# -----------
# swtch(oldEsp, newEsp) saves the callee-saved registers of the running kernel code on its own
# stack, stores its ESP in *oldEsp, loads newEsp and pops the same registers from there: the
# cdecl ABI lets a call clobber EAX, ECX and EDX, so EBX, ESI, EDI, EBP and the return address
# are the whole "context" (xv6's swtch.S). The switch returns into whatever code called swtch
# on the other stack — usually schedule() in another process.
#
# A process that never ran has a stack built by proc.ts (procSetupKernelStack) so that the
# first swtch into it "returns" to:
#   trap_return   (vectors.s) with a TrapFrame above it: the new process leaves the kernel by
#                 iretd, as if it were returning from a system call (fork's child, init);
#   kthread_start with fn and arg above it: a kernel thread calls fn(arg), then kthreadExit
#                 with fn's result.
#
#   new stack, lowest address first:   edi esi ebx ebp | eip | …
        .intel_syntax noprefix
        .text

        .globl swtch
        .type swtch, @function
swtch:
        mov eax, dword ptr [esp+4]              # &old->context
        mov edx, dword ptr [esp+8]              # new->context
        push ebp
        push ebx
        push esi
        push edi
        mov dword ptr [eax], esp
        mov esp, edx
        mov ecx, dword ptr [lokum_next_stack_limit]     # the new stack's limit (stackguard.ts)
        mov dword ptr [lokum_stack_limit], ecx
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret
        .size swtch, . - swtch

        .globl kthread_start
        .type kthread_start, @function
kthread_start:
        pop eax                                 # fn; arg is now at [esp]
        call eax
        push eax
        call kthreadExit                        # does not return
        .size kthread_start, . - kthread_start

# ret_to_user(frame): leave the kernel through trap_return with `frame` as the TrapFrame (a
# kernel thread that has just exec'ed the first user program). Does not return.
        .globl ret_to_user
        .type ret_to_user, @function
ret_to_user:
        mov eax, dword ptr [esp+4]
        lea esp, [eax-4]                        # trap_return drops trap()'s argument slot
        jmp trap_return
        .size ret_to_user, . - ret_to_user
