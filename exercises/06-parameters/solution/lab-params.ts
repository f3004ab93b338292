// lab-params.ts — exercise 6: module parameters.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 6: module parameters");

let str: string = "sleepy";
module_param(str, "charp", 0o644);
MODULE_PARM_DESC(str, "What I am");

let count: i32 = 1;
module_param(count, "int", 0o644);
MODULE_PARM_DESC(count, "How many times to say it");

export function init_module(): i32 {
  for (let i = 1; i <= count; i++) printk(KERN_INFO + "lab_params: I am %s (%d of %d)\n", str, i, count);
  return 0;
}

export function cleanup_module(): void {}
