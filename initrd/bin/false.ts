// false: do nothing, unsuccessfully (status 1).
export function main(argc: i32, argv: usize, envp: usize): i32 {
  return 1;
}
