// empty — the baseline: boot, runtime set-up and exit. Its instruction count is subtracted
// from every other program's so the figures are the program's own work.

export function main(): i32 {
  return 0;
}
