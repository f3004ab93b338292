// forktest: fork, exit codes and wait, without any output (the exit code tells).
import { fork, waitpid, _exit, getpid, getppid } from "../lib/unistd";

const status = new StaticArray<i32>(1);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  const pid = fork();
  if (pid == 0) _exit(7);
  if (pid < 0) return 1;
  if (waitpid(pid, changetype<usize>(status), 0) != pid) return 2;
  if (status[0] != 0x700) return 3;
  return 42 + argc;
}
