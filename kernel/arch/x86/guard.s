# guard.s — where the compiler's guards in kernel and module code land (docs/robustness.md).
#
# Design note
# -----------
# Lokum's compiler puts two checks into every kernel and module function it compiles
# (toolchain/src/compiler/function.ts, SourceSet.guards):
#
#   prologue      cmp esp, [lokum_stack_limit]; jae ok; call lokum_stack_overflow
#   every loop    dec dword ptr [lokum_watchdog_count]; jnz ok; call lokum_watchdog_check
#
# Both stubs below build a TrapFrame (trap.ts) as an exception would — EIP is the return
# address, i.e. the function or loop that called — so the reports can reuse the oops code:
# registers, the faulting symbol and its TypeScript line, the call trace.
#
#   lokum_stack_overflow   the stack is nearly gone (under v86 a guard-page fault cannot be
#                          delivered: the emulator would die): switch to a stack of our own,
#                          stop checking (the limit becomes 0) and call stackOverflow(frame),
#                          which reports an oops and kills the process; it does not return.
#   lokum_watchdog_check   every WATCHDOG_PERIOD loop iterations: call watchdogCheck(frame)
#                          (watchdog.ts) and return to the loop with every register intact —
#                          unless the watchdog killed the process.
#
# Nothing here is compiled TypeScript, so none of it is guarded itself. The two variables,
# lokum_stack_limit and lokum_watchdog_count, live in stackguard.ts and watchdog.ts.

        .intel_syntax noprefix
        .set KERNEL_CS, 0x60
        .set KERNEL_DS, 0x68
        .set WATCHDOG_PERIOD, 65536              # loop iterations between two looks at the clock
        .set T_STACK_OVERFLOW, 256               # not a CPU vector: trap.ts names it

        .text
        .globl lokum_stack_overflow
        .type lokum_stack_overflow, @function
lokum_stack_overflow:
        mov dword ptr [lokum_stack_limit], 0    # the report runs unchecked, on its own stack
        mov dword ptr [overflow_scratch], eax
        mov eax, esp                            # [eax] = the return address into the function
        mov esp, offset overflow_stack_top
        push KERNEL_DS                          # ss   } not read for a kernel frame, but
        lea ecx, [eax+4]                        # esp  } kept for the record
        push ecx
        pushfd                                  # eflags
        push KERNEL_CS                          # cs
        push dword ptr [eax]                    # eip: inside the function that overflowed
        push 0                                  # error code
        push T_STACK_OVERFLOW                   # vector
        push ds
        push es
        push fs
        push gs
        mov eax, dword ptr [overflow_scratch]
        pushad
        push esp                                # stackOverflow(frame)
        call stackOverflow
.Loverflow_halt:                                # not reached: stackOverflow never returns
        cli
        hlt
        jmp .Loverflow_halt
        .size lokum_stack_overflow, . - lokum_stack_overflow

        .globl lokum_watchdog_check
        .type lokum_watchdog_check, @function
lokum_watchdog_check:
        mov dword ptr [lokum_watchdog_count], WATCHDOG_PERIOD
        pushfd                                  # eflags
        push KERNEL_CS                          # cs
        push dword ptr [esp+8]                  # eip: the loop (our return address)
        push 0                                  # error code
        push 0                                  # vector (unused)
        push ds
        push es
        push fs
        push gs
        pushad
        push esp                                # watchdogCheck(frame)
        call watchdogCheck
        add esp, 4
        popad
        add esp, 16 + 8 + 12                    # segments, vector and error code, eip cs eflags
        ret
        .size lokum_watchdog_check, . - lokum_watchdog_check

# The double-fault task (tss.ts) starts on a stack of its own: no limit applies there.
        .globl double_fault_entry
        .type double_fault_entry, @function
double_fault_entry:
        mov dword ptr [lokum_stack_limit], 0
        jmp doubleFaultTask
        .size double_fault_entry, . - double_fault_entry

        .data
        .align 4
overflow_scratch:
        .long 0

        .bss
        .align 16
overflow_stack_bottom:
        .skip 8192                              # the report and the exit of the dying process
        .globl overflow_stack_top
overflow_stack_top:
