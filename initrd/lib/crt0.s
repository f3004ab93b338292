# crt0: where every user program starts (the ELF entry point `_start`).
#
# The kernel enters with an empty register state and the stack Linux's execve builds:
#   [esp]      argc
#   [esp+4]    argv[0] … argv[argc-1], then a 0 word
#   then       envp[0] … , then a 0 word (then the auxiliary vector, unused here)
# We pass argc, argv and envp to __libc_start (initrd/lib/start.ts), which records the
# environment, calls main(argc, argv, envp) and exits with its result; it never returns.
.intel_syntax noprefix
.text
.globl _start
.type _start,@function
_start:
  xor ebp, ebp                       # the outermost frame: backtraces stop here
  mov eax, dword ptr [esp]           # argc
  lea ecx, [esp+4]                   # argv
  lea edx, [ecx+eax*4+4]             # envp: just past argv's terminating 0
  and esp, -16                       # align the stack as the i386 System V ABI expects
  sub esp, 4
  push edx
  push ecx
  push eax
  call __libc_start
  hlt                                # not reached (a fault if it were)
.size _start, . - _start

# The signal restorer (see signal.ts): a handler returns here, and rt_sigreturn restores the
# registers the kernel saved on the user stack when it delivered the signal.
.globl __restore_rt
.type __restore_rt,@function
__restore_rt:
  mov eax, 173                       # rt_sigreturn
  int 0x80
.size __restore_rt, . - __restore_rt
