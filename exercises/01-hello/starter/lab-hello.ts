// lab-hello.ts — exercise 1: a module that says hello when loaded and goodbye when removed.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 1: hello and goodbye");

export function init_module(): i32 {
  // TODO: print "lab_hello: Hello, kernel!" at KERN_INFO
  return 0; // 0: loaded. A negative errno would make insmod fail.
}

export function cleanup_module(): void {
  // TODO: print "lab_hello: Goodbye, kernel!"
}
