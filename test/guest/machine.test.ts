// The Machine on its own: tiny kernels written straight in assembly (no bare runtime), so each
// test pins down one promise of emulator/machine.ts — exit port, console, waitFor, crashes,
// snapshots, the instruction counter, the VGA screen.

import { describe, expect, test } from "vitest";
import { MachineCrash, routeHostError } from "../../emulator/machine.js";
import { createNodeMachine, v86WasmPath } from "../../emulator/node.js";
import { buildBareWithGnu } from "./gnu.js";
import { bootBare, withMachine } from "./harness.js";

/** A multiboot kernel whose _start runs `body`. It may call `print` (ESI = NUL-terminated
 *  string) and `exit` (EAX = status). No GDT/IDT is loaded: v86's entry state is enough as long
 *  as nothing faults or reloads a segment. */
function rawKernel(body: string, data = ""): Uint8Array {
  return buildBareWithGnu([{ asm: `
        .intel_syntax noprefix
        .section .multiboot,"a"
        .long 0x1BADB002, 2, 0xE4524FFC  # magic, flags (bit 1: memory map), checksum
        .text
        .globl _start
_start: mov esp, 0x90000                # EBX (the multiboot info) is left as v86 set it
${body}
print:  mov dx, 0x3F8
1:      mov al, byte ptr [esi]
        test al, al
        jz 2f
        out dx, al
        inc esi
        jmp 1b
2:      ret
exit:   mov dx, 0x501
        out dx, eax
3:      cli
        hlt
        jmp 3b
        .data
${data}
` }], { withRuntime: false });
}

const printThenExit = (text: string, code: number) =>
  rawKernel(`mov esi, offset message\n call print\n mov eax, ${code}\n call exit`, `message: .asciz "${text}"`);

const printThenSpin = (text: string) =>
  rawKernel(`mov esi, offset message\n call print\n4: jmp 4b`, `message: .asciz "${text}"`);

describe("exit port 0x501", () => {
  test("the 32-bit value the guest writes becomes exitCode", async () => {
    await withMachine({ kernel: printThenExit("bye", 42) }, async (machine) => {
      expect(await machine.exitCode).toBe(42);
      expect(machine.state).toBe("exited");
    });
  });

  test("exit status is a signed 32-bit number", async () => {
    await withMachine({ kernel: printThenExit("", -3) }, async (machine) => {
      expect(await machine.exitCode).toBe(-3);
    });
  });
});

describe("console", () => {
  test("serial output is captured, in order, in `output` and by onSerial", async () => {
    await withMachine({ kernel: printThenExit("hello, serial\\n\\xe9", 0) }, async (machine) => {
      const chunks: string[] = [];
      machine.onSerial((chunk) => chunks.push(chunk));
      await machine.exitCode;
      expect(machine.output).toBe("hello, serial\n\xe9");
      expect(chunks.join("")).toBe("hello, serial\n\xe9");
    });
  });

  test("port 0xE9 joins the console when fastConsole is on", async () => {
    const kernel = rawKernel(`
        mov dx, 0xE9
        mov al, 'o'
        out dx, al
        mov al, 'k'
        out dx, al
        mov eax, 0
        call exit`);
    await withMachine({ kernel, fastConsole: true }, async (machine) => {
      await machine.exitCode;
      expect(machine.output).toBe("ok");
    });
  });

  test("write() reaches the guest's COM1 (echo until newline)", async () => {
    // Poll the line status register, echo each byte uppercased, exit with the count at '\n'.
    const kernel = rawKernel(`
        mov esi, offset ready
        call print
        xor ebx, ebx
5:      mov dx, 0x3FD
        in al, dx
        test al, 1
        jz 5b
        mov dx, 0x3F8
        in al, dx
        cmp al, 10
        je 6f
        and al, 0xDF
        out dx, al
        inc ebx
        jmp 5b
6:      mov eax, ebx
        call exit`, `ready: .asciz "ready> "`);
    await withMachine({ kernel }, async (machine) => {
      await machine.waitFor("ready> ");
      machine.write("lokum\n");
      expect(await machine.exitCode).toBe(5);
      expect(machine.output).toBe("ready> LOKUM");
    });
  });
});

describe("waitFor", () => {
  test("matches strings and regexes, expect-style (each match moves the cursor)", async () => {
    await withMachine({ kernel: printThenSpin("a> one a> two a> ") }, async (machine) => {
      expect(await machine.waitFor("a> ")).toBe("a> ");
      expect(await machine.waitFor(/a> /)).toBe("one a> ");
      expect(await machine.waitFor(/t(w)o/)).toBe("two");
      expect(await machine.waitFor("a> ", { from: 0 })).toBe("a> ");
    });
  });

  test("rejects on timeout with the tail of the output", async () => {
    await withMachine({ kernel: printThenSpin("booted, waiting forever") }, async (machine) => {
      await machine.waitFor("booted");
      const started = performance.now();
      const error = await machine.waitFor("never printed", { timeoutMs: 300 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/timed out after 300 ms[\s\S]*booted, waiting forever/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    });
  });

  test("rejects at once when the guest exits without printing the pattern", async () => {
    await withMachine({ kernel: printThenExit("only this", 7) }, async (machine) => {
      const started = performance.now();
      const error = await machine.waitFor("something else", { timeoutMs: 10_000 }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/exited with code 7[\s\S]*only this/);
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  });
});

describe("crashes become rejections, and the host survives", () => {
  test("a segment reload before lgdt (v86 core panic) crashes the machine", async () => {
    const kernel = rawKernel(`
        mov esi, offset before
        call print
        mov ax, 0x10
        mov ds, ax
        mov eax, 0
        call exit`, `before: .asciz "about to fault"`);
    await withMachine({ kernel }, async (machine) => {
      const waiting = machine.waitFor("never", { timeoutMs: 10_000 }).catch((e: Error) => e);
      const error = await machine.exitCode.catch((e: Error) => e);
      expect(error).toBeInstanceOf(MachineCrash);
      expect((error as MachineCrash).message).toMatch(/v86 core panic.*#GP/s);
      expect((error as MachineCrash).outputTail).toBe("about to fault");
      expect(machine.state).toBe("crashed");
      expect(((await waiting) as Error).message).toMatch(/crashed/);
      expect(() => machine.write("x")).toThrow(MachineCrash);
      const started = performance.now();
      await machine.destroy();
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  });

  test("a write to port 0xF4 (v86's test-exit port) crashes the machine", async () => {
    const kernel = rawKernel(`
        mov dx, 0xF4
        mov al, 0x33
        out dx, al
        mov eax, 0
        call exit`);
    await withMachine({ kernel }, async (machine) => {
      const error = await machine.exitCode.catch((e: Error) => e);
      expect((error as Error).message).toMatch(/port 0xF4.*0x33/);
    });
  });

  test("after two crashes the next machine still boots", async () => {
    await withMachine({ kernel: printThenExit("still alive", 1) }, async (machine) => {
      expect(await machine.exitCode).toBe(1);
      expect(machine.output).toBe("still alive");
    });
  });
});

/** Prints "key? ", waits for one byte on COM1, echoes it and exits with its value. */
const keyThenExit = () => rawKernel(`
        mov esi, offset prompt
        call print
7:      mov dx, 0x3FD
        in al, dx
        test al, 1
        jz 7b
        mov dx, 0x3F8
        in al, dx
        out dx, al
        movzx eax, al
        call exit`, `prompt: .asciz "key? "`);

describe("snapshots", () => {
  test("restoreState continues from the snapshot, and can be repeated", async () => {
    const kernel = keyThenExit();
    await withMachine({ kernel }, async (machine) => {
      await machine.waitFor("key? ");
      const snapshot = await machine.saveState();
      expect(snapshot.byteLength).toBeGreaterThan(0);
      machine.write("A");
      expect(await machine.exitCode).toBe(65);

      for (const key of ["B", "C"]) {
        await machine.restoreState(snapshot);
        expect(machine.state).toBe("running");
        machine.write(key);
        expect(await machine.exitCode).toBe(key.charCodeAt(0));
        expect(machine.output).toBe(key); // the prompt was printed before the snapshot
      }
    });
  });

  test("a machine started from a state needs no boot files (the lab hands them over later)", async () => {
    const kernel = keyThenExit();
    const snapshot = await withMachine({ kernel }, async (machine) => {
      await machine.waitFor("key? ");
      return machine.saveState();
    });
    await withMachine({ initialState: Promise.resolve(snapshot) }, async (machine) => {
      machine.provideBootFiles(kernel, undefined); // (for a reboot; RAM is not touched)
      machine.write("D");
      expect(await machine.exitCode).toBe(68);
      expect(machine.output).toBe("D");
    });
    expect(() => createNodeMachine({})).toThrow(/`kernel` must be a Uint8Array/);
    await expect(withMachine({ initialState: Promise.resolve(undefined) }, async () => undefined)).rejects.toThrow(/no state to start from and no kernel/);
  });
});

describe("instruction counter", () => {
  test("is positive, monotonic, and counts a known loop", async () => {
    const loops = 20_000_000; // dec + jnz = 2 instructions per iteration
    const kernel = rawKernel(`
        mov ecx, ${loops}
8:      dec ecx
        jnz 8b
        mov eax, 0
        call exit`);
    await withMachine({ kernel }, async (machine) => {
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(machine.instructions()), 1);
      await machine.exitCode;
      clearInterval(sampler);
      samples.push(machine.instructions());
      for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThanOrEqual(samples[i - 1]);
      const total = samples[samples.length - 1];
      expect(total).toBeGreaterThanOrEqual(2 * loops);
      expect(total).toBeLessThan(2 * loops + 10_000);
    });
  });
});

describe("VGA text screen", () => {
  test("screenText shows what the guest writes at 0xB8000 once text memory is mapped", async () => {
    const kernel = rawKernel(`
        mov dx, 0x3CE
        mov al, 6
        out dx, al
        mov dx, 0x3CF
        mov al, 0x0E
        out dx, al
        mov word ptr [0xB8000], 0x0748
        mov word ptr [0xB8002], 0x0769
        mov word ptr [0xB8000 + 160], 0x0732
        mov eax, 0
        call exit`);
    await withMachine({ kernel }, async (machine) => {
      await machine.exitCode;
      const screen = machine.screenText();
      expect(screen[0]).toBe("Hi");
      expect(screen[1]).toBe("2");
    });
  });
});

describe("boot inputs", () => {
  test("cmdline and initrd reach the guest through the multiboot info", async () => {
    // Print the cmdline, exit with (mods_count << 8) | first byte of module 1.
    const kernel = rawKernel(`
        mov edi, ebx
        mov esi, dword ptr [edi + 16]   # mbi.cmdline
        call print
        mov eax, dword ptr [edi + 24]   # mbi.mods_addr
        mov eax, dword ptr [eax]        # mods[0].mod_start
        movzx eax, byte ptr [eax]
        mov ecx, dword ptr [edi + 20]   # mbi.mods_count
        shl ecx, 8
        or eax, ecx
        call exit`);
    const initrd = new TextEncoder().encode("Lokum initrd");
    const run = await bootBare(kernel, { initrd, cmdline: "console=ttyS0 rdinit=/bin/sh" });
    expect(run.output).toBe("console=ttyS0 rdinit=/bin/sh");
    expect(run.exitCode).toBe((1 << 8) | "L".charCodeAt(0));
  });

  test("memoryMB sets the RAM size (the end of the second memory-map entry)", async () => {
    const kernel = rawKernel(`
        mov eax, dword ptr [ebx + 48]   # mbi.mmap_addr; entries are 24 bytes apart
        mov ecx, dword ptr [eax + 24 + 4]
        add ecx, dword ptr [eax + 24 + 12]
        shr ecx, 20
        mov eax, ecx
        call exit`);
    expect((await bootBare(kernel, { memoryMB: 32 })).exitCode).toBe(32);
    expect((await bootBare(kernel, { memoryMB: 128 })).exitCode).toBe(128);
  });

  test("hda and hdb are the disks on the primary IDE channel (PIO read of sector 0)", async () => {
    const readFirstWord = (driveSelect: number) => rawKernel(`
        mov dx, 0x1F6
        mov al, ${driveSelect}          # LBA mode, master (0xE0) or slave (0xF0)
        out dx, al
        mov dx, 0x1F2
        mov al, 1                       # one sector
        out dx, al
        xor al, al
        mov dx, 0x1F3
        out dx, al
        mov dx, 0x1F4
        out dx, al
        mov dx, 0x1F5
        out dx, al
        mov dx, 0x1F7
        mov al, 0x20                    # READ SECTORS
        out dx, al
9:      in al, dx
        test al, 8                      # DRQ: data ready
        jz 9b
        mov dx, 0x1F0
        xor eax, eax
        in ax, dx
        call exit`);
    const disk = (word: number) => {
      const bytes = new Uint8Array(1 << 20);
      bytes[0] = word & 0xff;
      bytes[1] = word >> 8;
      return bytes;
    };
    const options = { hda: disk(0x1234), hdb: disk(0x5678) };
    expect((await bootBare(readFirstWord(0xe0), options)).exitCode).toBe(0x1234);
    expect((await bootBare(readFirstWord(0xf0), options)).exitCode).toBe(0x5678);
  });

  test("diskBytes() is what the guest wrote, also after restoreState (when v86 works on a copy)", async () => {
    // Wait for a byte on COM1, fill sector 0 of hda with it (PIO WRITE SECTORS), exit.
    const writeSectorFromSerial = rawKernel(`
5:      mov dx, 0x3FD
        in al, dx
        test al, 1                      # LSR bit 0: a byte has arrived
        jz 5b
        mov dx, 0x3F8
        in al, dx
        mov bl, al
        mov dx, 0x1F6
        mov al, 0xE0                    # LBA, master
        out dx, al
        mov dx, 0x1F2
        mov al, 1
        out dx, al
        xor al, al
        mov dx, 0x1F3
        out dx, al
        mov dx, 0x1F4
        out dx, al
        mov dx, 0x1F5
        out dx, al
        mov dx, 0x1F7
        mov al, 0x30                    # WRITE SECTORS
        out dx, al
6:      in al, dx
        test al, 8                      # DRQ: the drive wants the data
        jz 6b
        mov dx, 0x1F0
        mov ecx, 256
        mov al, bl
        mov ah, bl
7:      out dx, ax
        loop 7b
        xor eax, eax
        call exit`);
    const hda = new Uint8Array(1 << 20);
    await withMachine({ kernel: writeSectorFromSerial, hda }, async (machine) => {
      expect(machine.diskBytes("hda").buffer).toBe(hda.buffer); // before any restore: the caller's own bytes
      expect(() => machine.diskBytes("hdb")).toThrow(/no hdb/);
      const snapshot = await machine.saveState();
      await machine.restoreState(snapshot);
      machine.write("Q");
      expect(await machine.exitCode).toBe(0);
      const disk = machine.diskBytes("hda");
      expect(disk.length).toBe(1 << 20);
      expect(disk.subarray(0, 512).every((b) => b === 0x51)).toBe(true);
      expect(disk[512]).toBe(0);
      expect(hda[0]).toBe(0); // the snapshot's copy took the write, not the caller's array
    });
  });

  test("a wasmPath instead of the shared compiled module, and the fetch network, also boot", async () => {
    const run = await bootBare(printThenExit("ok", 5), { wasmPath: v86WasmPath(), net: "fetch" });
    expect(run).toMatchObject({ output: "ok", exitCode: 5 });
  });
});

describe("network", () => {
  test("onFrameSent sees the frame the guest transmits through the NE2000", async () => {
    // Copy a 60-byte frame into the card's buffer page 0x40 by remote DMA, then transmit it.
    const outb = (port: number, value: number) => `mov dx, ${port}\n mov al, ${value}\n out dx, al`;
    const kernel = rawKernel(`
        ${outb(0x300, 0x21)}            # CR: page 0, stop, no DMA
        ${outb(0x30e, 0x49)}            # DCR: word transfers
        ${outb(0x300, 0x22)}            # CR: start
        ${outb(0x308, 0x00)}            # RSAR = 0x4000
        ${outb(0x309, 0x40)}
        ${outb(0x30a, 60)}              # RBCR = 60 bytes
        ${outb(0x30b, 0)}
        ${outb(0x300, 0x12)}            # CR: remote write
        mov esi, offset frame
        mov ecx, 30
        mov dx, 0x310
        rep outsw
        ${outb(0x304, 0x40)}            # TPSR: transmit from page 0x40
        ${outb(0x305, 60)}              # TBCR = 60
        ${outb(0x306, 0)}
        ${outb(0x300, 0x26)}            # CR: start, transmit
        mov eax, 0
        call exit`, `frame:  .byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5
        .ascii "lokum frame"
        .skip 35`);
    await withMachine({ kernel }, async (machine) => {
      const frames: Uint8Array[] = [];
      machine.onFrameSent((frame) => frames.push(frame.slice()));
      await machine.exitCode;
      expect(frames).toHaveLength(1);
      expect(frames[0].length).toBe(60);
      expect(new TextDecoder().decode(frames[0].subarray(14, 25))).toBe("lokum frame");
    });
  });
});

describe("harness and host-level routing", () => {
  test("a kernel without a multiboot header is refused up front", () => {
    expect(() => createNodeMachine({ kernel: new Uint8Array(4096) })).toThrow(/no multiboot header/);
  });


  test("bootBare rejects with the output tail when the guest never exits", async () => {
    const error = await bootBare(printThenSpin("spinning"), { timeoutMs: 300 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/no exit after 300 ms[\s\S]*spinning/);
  });

  test("routeHostError crashes the running machines for v86 errors only", async () => {
    await withMachine({ kernel: printThenSpin("up") }, async (machine) => {
      await machine.waitFor("up");
      expect(routeHostError(new Error("not from the emulator"))).toBe(false);
      expect(machine.state).toBe("running");
      expect(routeHostError(new WebAssembly.RuntimeError("unreachable"))).toBe(true);
      expect(machine.state).toBe("crashed");
      await expect(machine.exitCode).rejects.toThrow(/unreachable/);
    });
    expect(routeHostError(new WebAssembly.RuntimeError("unreachable"))).toBe(false); // nobody running
  });
});
