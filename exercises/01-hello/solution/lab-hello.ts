// lab-hello.ts — exercise 1: a module that says hello when loaded and goodbye when removed.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 1: hello and goodbye");

export function init_module(): i32 {
  printk(KERN_INFO + "lab_hello: Hello, kernel!\n");
  return 0;
}

export function cleanup_module(): void {
  printk(KERN_INFO + "lab_hello: Goodbye, kernel!\n");
}
