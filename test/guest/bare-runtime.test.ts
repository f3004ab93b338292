// The bare runtime (toolchain/runtime/bare.s), built with the GNU tools and booted in v86:
// main's return value becomes the exit status, putchar reaches the console, and every CPU
// exception is reported as "bare: exception N at EIP=xxxxxxxx" with exit status 128+N.

import { describe, expect, test } from "vitest";
import { buildBareWithGnu, gnuSymbols } from "./gnu.js";
import { bootBare } from "./harness.js";

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

describe("main and the exit status", () => {
  test("main's return value is the exit status, putchar prints", async () => {
    const elf = buildBareWithGnu([{ c: `
      int putchar(int c);
      static void print(const char *s) { while (*s) putchar(*s++); }
      int main(void) { print("hello from bare\\n"); return 42; }` }]);
    const run = await bootBare(elf);
    expect(run).toMatchObject({ output: "hello from bare\n", exitCode: 42 });
    expect(run.instructions).toBeGreaterThan(0);
  });

  test("a negative return value comes back as a signed status", async () => {
    const run = await bootBare(buildBareWithGnu([{ c: "int main(void) { return -1; }" }]));
    expect(run.exitCode).toBe(-1);
  });

  test("bare_exit ends the program from anywhere; nothing after it runs", async () => {
    const elf = buildBareWithGnu([{ c: `
      int putchar(int c);
      void bare_exit(int code) __attribute__((noreturn));
      __attribute__((noinline)) static void deep(int n) { if (n == 0) bare_exit(3); deep(n - 1); putchar('x'); }
      int main(void) { putchar('a'); deep(10); putchar('b'); return 0; }` }]);
    expect(await bootBare(elf)).toMatchObject({ output: "a", exitCode: 3 });
  });

  test("putchar returns its argument as an unsigned byte", async () => {
    const elf = buildBareWithGnu([{ c: `
      int putchar(int c);
      int main(void) { return putchar(0x1C1) + putchar('\\n'); }` }]);
    expect(await bootBare(elf)).toMatchObject({ output: "\xc1\n", exitCode: 0xc1 + 10 });
  });

  test("main runs with flat segments from our GDT and a stack in .bss", async () => {
    const elf = buildBareWithGnu([{ asm: `
        .intel_syntax noprefix
        .text
        .globl main
main:   xor eax, eax
        mov ax, cs
        shl eax, 8
        mov dx, ss
        or ax, dx                       # (CS << 8) | SS
        sgdt [saved_gdtr]
        cmp word ptr [saved_gdtr], 23
        jne 1f
        cmp esp, 0x100000               # the stack is in our image, not at v86's ESP=0x100
        jb 1f
        ret
1:      mov eax, -1
        ret
        .data
saved_gdtr: .skip 6
` }]);
    expect((await bootBare(elf)).exitCode).toBe(0x0810);
  });

  test("bare_multiboot_info points at the loader's info: cmdline and memory map", async () => {
    const elf = buildBareWithGnu([{ c: `
      int putchar(int c);
      extern unsigned int *bare_multiboot_info;
      int main(void) {
        unsigned int *mbi = bare_multiboot_info;
        for (const char *s = (const char *)mbi[4]; *s; s++) putchar(*s);   /* mbi.cmdline */
        if (!(mbi[0] & 0x40)) return -1;                                     /* no mmap */
        unsigned int *second = (unsigned int *)(mbi[12] + 24);               /* mbi.mmap_addr */
        return (second[1] + second[3]) >> 20;                                /* end of RAM in MiB */
      }` }]);
    expect(await bootBare(elf, { cmdline: "quiet", memoryMB: 48 })).toMatchObject({ output: "quiet", exitCode: 48 });
  });

  test("VGA text memory at 0xB8000 is shown on the screen", async () => {
    const elf = buildBareWithGnu([{ c: `
      int main(void) {
        volatile unsigned short *screen = (unsigned short *)0xB8000;
        const char *text = "bare on VGA";
        for (int i = 0; text[i]; i++) screen[i] = 0x0700 | text[i];
        return 0;
      }` }]);
    const { createNodeMachine } = await import("../../emulator/node.js");
    const machine = createNodeMachine({ kernel: elf });
    try {
      await machine.start();
      expect(await machine.exitCode).toBe(0);
      expect(machine.screenText()[0]).toBe("bare on VGA");
    } finally {
      await machine.destroy();
    }
  });
});

describe("exceptions", () => {
  // Each fault sits at a global label, so the expected EIP comes from the symbol table.
  async function expectException(vector: number, body: string, eipLabel = "fault_here") {
    const elf = buildBareWithGnu([{ asm: `
        .intel_syntax noprefix
        .text
        .globl main, fault_here, after_fault
main:   push ebx
        mov eax, 0x11111111
${body}
after_fault:
        pop ebx
        mov eax, 0                      # not reached
        ret
` }]);
    const eip = gnuSymbols(elf).get(eipLabel)!;
    expect(eip).toBeGreaterThanOrEqual(0x100000);
    const run = await bootBare(elf);
    expect(run.output).toBe(`bare: exception ${vector} at EIP=${hex8(eip)}\n`);
    expect(run.exitCode).toBe(128 + vector);
  }

  test("divide error is exception 0, status 128", async () => {
    await expectException(0, `
        xor ecx, ecx
        xor edx, edx
fault_here:
        div ecx`);
  });

  test("int3 is exception 3, a trap: EIP is the next instruction", async () => {
    await expectException(3, `
fault_here:
        int3`, "after_fault");
  });

  test("ud2 is exception 6, status 134", async () => {
    await expectException(6, `
fault_here:
        ud2`);
  });

  test("a bad selector is #GP (13), whose stub must skip the CPU's error code", async () => {
    await expectException(13, `
        mov cx, 0x28                    # beyond the 3-entry GDT
fault_here:
        mov ds, cx`);
  });

  test("the stubs for vectors 8..31 are wired to the right numbers (int N)", async () => {
    // Software interrupts push no error code, so only vectors without one give the plain layout;
    // int N still proves gate N leads to stub N.
    for (const vector of [1, 4, 5, 16, 19, 31]) {
      const elf = buildBareWithGnu([{ asm: `
        .intel_syntax noprefix
        .text
        .globl main
main:   int ${vector}
        ret
` }]);
      const run = await bootBare(elf);
      expect(run.output).toMatch(new RegExp(`^bare: exception ${vector} at EIP=[0-9a-f]{8}\\n$`));
      expect(run.exitCode).toBe(128 + vector);
    }
  });
});
