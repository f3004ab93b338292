// lab-oops.ts — exercise 5: this module oopses when loaded. Find the line and fix it.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 5: find the line of an oops");

const COUNT: i32 = 10;
let table: usize = 0; // COUNT i32 values

function fill(): void {
  for (let i = 0; i < COUNT; i++) store<i32>(table + <usize>(i * 4), i);
}

function sum(): i32 {
  let s = 0;
  for (let i = 0; i < COUNT; i++) s += load<i32>(table + <usize>(i * 4));
  return s;
}

export function init_module(): i32 {
  table = kmalloc(<u32>COUNT * 4); // the bug: the table was never allocated
  if (table == 0) return -ENOMEM;
  fill();
  printk(KERN_INFO + "lab_oops: sum %d\n", sum());
  return 0;
}

export function cleanup_module(): void {
  kfree(table);
}
