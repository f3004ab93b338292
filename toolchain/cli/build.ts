// `lokum build`: the kernel → dist/boot/lokum.elf. (The initrd joins it with the kernel core.)
export async function buildCommand(_args: string[]): Promise<number> {
  throw new Error("the kernel build is not wired yet");
}
