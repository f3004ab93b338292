// The Machine: one v86 PC running one Lokum guest, the same in the CLI, the tests and the browser.
//
// Layers, from the guest outwards:
//   v86          the emulated PC (CPU in wasm, devices in JS). We pass it a multiboot kernel, an
//                optional initrd/cmdline, disks and a NIC; v86 has no BIOS here (see
//                docs/v86.md), so the kernel starts in flat protected mode.
//   host ports   two I/O ports that v86 does not use and that we register from the host:
//                0x501 "exit": a write ends the run with that 32-bit status (the guest's exit code),
//                0xE9  "fast console" (opt-in): each byte written joins the console output, like
//                      serial but ~4x faster because no UART is emulated.
//   side channel COM2 (v86 "serial1") carries framed requests to the guest agent /sbin/lokumd:
//                putFile, getFile and exec work while the console shell is busy, and never show
//                in `output` (channel.ts, docs/lab.md).
//   console      every byte the guest sends to COM1 (v86 "serial0") is appended to `output`
//                (latin1: one char per byte). Bytes arrive one by one inside the guest's `out`;
//                we batch them and publish a chunk once the current emulation slice returns.
//   crash guard  v86 cannot always deliver a fault (no IDT yet, bad gate, …): its Rust core then
//                panics, the wasm traps with "unreachable", and the exception escapes from v86's
//                scheduler callback, killing the host process. Port 0xF4 does the same on purpose
//                (`throw "HALT"`). We wrap this machine's tick function so that any exception there
//                becomes a *crash* of this machine: `exitCode` and pending `waitFor`s reject with
//                a MachineCrash, and the host carries on. (In Node, node.ts adds a process-level
//                backstop for anything that escapes anyway.)
//
// JIT warm-up: v86 compiles a guest code page to wasm once it is hot, and runs everything else
// in its interpreter. A boot runs almost every instruction once (kernel init, then each program
// exec'd by /etc/rc for a few hundred thousand instructions), and with the JIT on, v86 spends
// most of the boot's wall time on its bookkeeping and on compiling pages that are soon left or
// rewritten (a boot of 7.9 M instructions: 1.86 s with the JIT, 0.34 s without; docs/benchmarks.md,
// "What the boot spends"). So a machine starts with the JIT off and switches it on after
// `jitWarmupInstructions` (checked after each slice): by then the boot is over, and a program
// that computes for long gets compiled code as before.
//
// Life cycle: created → running (start) → exited | crashed → destroyed. A machine never leaves
// "crashed": the wasm core is dead after a panic. restoreState() turns an exited or running
// machine back into a running one at the snapshot.
//
// Restoring a state, and the parts of v86 used below its public API (the scheduler's tick, port
// handlers, a faster unpack of RAM, the multiboot loader): v86-internals.ts.
//
// The boot files later: a machine started from a state needs neither its kernel nor its initrd to
// run (the state holds all of RAM), only to reboot — v86's multiboot loader (port 0xF4, read at a
// reboot) loads the kernel and the initrd it was set up with. So the lab builds the PC for a
// restore with no boot files at all, at once, and hands them over once they have downloaded
// (provideBootFiles): v86's loader is set up with them, and a reboot from then on loads both.

import { V86 } from "v86";
import { GuestChannel, type ExecResult } from "./channel.js";
import { type V86Internals, installFastUnpackMemory, restoreIntoNewPC, setUpMultibootLoader } from "./v86-internals.js";

export { GuestError, type ExecResult } from "./channel.js";

export interface MachineOptions {
  /** The multiboot ELF to boot (loaded at its physical addresses). A machine started from
   *  `initialState` may go without: it then needs provideBootFiles before it can reboot. */
  kernel?: Uint8Array;
  /** Becomes multiboot module 1. Note: v86 raises memory to ≥ 64 MiB when an initrd is given. */
  initrd?: Uint8Array;
  cmdline?: string;
  /** RAM in MiB; default 64. */
  memoryMB?: number;
  /** Primary IDE master disk. When absent a 1 MiB zero disk is attached: without an hda v86's
   *  restore_state fails (docs/v86.md, "Disks"). The guest's writes land in this very buffer. */
  hda?: Uint8Array;
  hdb?: Uint8Array;
  /** NE2000 NIC: "none" = card present, no cable (the host can still inject frames);
   *  "fetch" = v86's built-in router at 192.168.86.1 (ARP, ping, DHCP, DNS, HTTP via fetch);
   *  "inbrowser" = a hub shared by every machine of the page or process (a BroadcastChannel):
   *  machines talk to each other directly, with static addresses (no router, no DHCP). */
  net?: "none" | "fetch" | "inbrowser";
  /** VGA RAM in KiB; default 256 — text mode needs 32 KiB, and every snapshot carries all of it. */
  vgaMemoryKB?: number;
  /** Where v86.wasm is (Node: see node.ts). Either this or `wasm`. */
  wasmPath?: string;
  /** A compiled v86.wasm, shared by many machines (saves the compile per boot). */
  wasm?: WebAssembly.Module;
  /** Register port 0xE9 as a fast byte console feeding the same `output`. Default false. */
  fastConsole?: boolean;
  /** Start from this v86 state (a saveState) instead of booting: restored once v86 has built
   *  the PC and before its first slice, so no boot slice runs first and there is no stop/restore
   *  round trip. The kernel and the initrd are needed only for a reboot (they may come later:
   *  provideBootFiles). A promise lets v86 build the PC while the state is still downloading
   *  (the browser lab); one that resolves to undefined means "no state after all": the machine
   *  boots from the kernel (and fails to start without one). */
  initialState?: ArrayBuffer | Promise<ArrayBuffer | undefined>;
  /** Turn off v86's JIT for good (hot loops run about 6x slower; for debugging the emulator). */
  disableJit?: boolean;
  /** Instructions to run on v86's interpreter before its JIT is switched on (default
   *  JIT_WARMUP_INSTRUCTIONS; 0: JIT from the first instruction). See "JIT warm-up" above. */
  jitWarmupInstructions?: number;
}

export type MachineState = "created" | "running" | "exited" | "crashed" | "destroyed";

/** Why a machine stopped without exiting: a v86 core panic, port 0xF4, or a host-side error. */
export class MachineCrash extends Error {
  constructor(message: string, readonly outputTail: string, override readonly cause?: unknown) {
    super(message);
    this.name = "MachineCrash";
  }
}

export interface WaitOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** Search `output` from this offset instead of from the match cursor. */
  from?: number;
}

/** Port numbers the host owns. The guest writes its exit status to EXIT_PORT with `out dx, eax`. */
export const EXIT_PORT = 0x501;
export const FAST_CONSOLE_PORT = 0xe9;

const DEFAULT_MEMORY_MB = 64;
const DEFAULT_VGA_KB = 256;
const DEFAULT_HDA_BYTES = 1 << 20;
/** How far host input may run ahead of the guest in v86's UART queue (see feedSerial). */
const SERIAL_QUEUE_BYTES = 4096;
const TAIL_CHARS = 2000;
/** Default of MachineOptions.jitWarmupInstructions: a boot to the prompt is under 10 M. */
export const JIT_WARMUP_INSTRUCTIONS = 30_000_000;

/** All machines whose emulation loop may still run: where node.ts routes stray v86 errors. */
const liveMachines = new Set<Machine>();

/** Hand a host-level error to the machines it may come from. True if it was a v86 error and at
 *  least one live machine took it as its crash; false means "not ours, rethrow". */
export function routeHostError(error: unknown): boolean {
  if (!looksLikeV86Error(error) || liveMachines.size === 0) return false;
  for (const machine of [...liveMachines]) machine.crashWith(error, []);
  return true;
}

function looksLikeV86Error(error: unknown): boolean {
  if (error === "HALT") return true;
  if (typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof Error && /libv86|v86\.wasm/.test(error.stack ?? "");
}

export class Machine {
  readonly options: Readonly<MachineOptions>;
  private emulator: (V86 & V86Internals) | undefined;
  private currentState: MachineState = "created";
  private crashError: MachineCrash | undefined;

  // Console: `consoleText` holds what has been published; `pendingBytes` what arrived during the
  // running emulation slice. `cursor` is where the next waitFor starts looking.
  private consoleText = "";
  private pendingBytes: number[] = [];
  private flushQueued = false;
  private cursor = 0;
  private serialListeners: Array<(chunk: string) => void> = [];
  /** Host → guest serial bytes not yet handed to v86, per port (see feedSerial). */
  private serialBacklog: [Uint8Array[], Uint8Array[]] = [[], []];
  /** The side channel to /sbin/lokumd on COM2. */
  private readonly channel = new GuestChannel({ send: (bytes) => this.sendToPort(1, bytes) });
  private waiters = new Set<() => void>();

  // The instruction counter: v86 keeps a u32 that wraps every 2^32 instructions (~4 s busy);
  // we add up the deltas after every slice, which is far more often than that.
  private instructionTotal = 0;
  private lastRawCounter = 0;
  /** Instructions left to run before the JIT goes on (0: it is on, or stays off: disableJit). */
  private jitWarmup = 0;

  private exitValue: number | undefined;
  private settleExit!: { resolve(code: number): void; reject(error: Error): void };
  /** The guest's exit status (the 32-bit value written to port 0x501, as a signed int32).
   *  Rejects with a MachineCrash if the machine crashes or is destroyed first. */
  exitCode!: Promise<number>;

  constructor(options: MachineOptions) {
    if (options.kernel === undefined ? !options.initialState : !(options.kernel instanceof Uint8Array)) {
      throw new TypeError("Machine: `kernel` must be a Uint8Array (it may be left out only with an `initialState`)");
    }
    if (!options.wasmPath && !options.wasm) throw new TypeError("Machine: give `wasmPath` or `wasm` (in Node: use node.ts)");
    if (options.kernel) checkKernel(options.kernel);
    this.options = { ...options };
    this.jitWarmup = options.disableJit ? 0 : Math.max(0, options.jitWarmupInstructions ?? JIT_WARMUP_INSTRUCTIONS);
    this.resetExitPromise();
  }

  get state(): MachineState {
    return this.currentState;
  }

  /** Everything the guest has printed so far (serial, plus port 0xE9 if enabled). */
  get output(): string {
    this.flushConsole();
    return this.consoleText;
  }

  /** The crash, if the machine crashed. */
  get crash(): MachineCrash | undefined {
    return this.crashError;
  }

  /** Build the PC and start the CPU. Resolves once the guest is running. */
  async start(): Promise<void> {
    if (this.currentState !== "created") throw new Error(`Machine.start: machine is ${this.currentState}`);
    const o = this.options;
    const emulator = new V86({
      wasm_path: o.wasmPath,
      wasm_fn: o.wasm ? instantiateWith(o.wasm) : undefined,
      memory_size: (o.memoryMB ?? DEFAULT_MEMORY_MB) * 1024 * 1024,
      vga_memory_size: (o.vgaMemoryKB ?? DEFAULT_VGA_KB) * 1024,
      multiboot: o.kernel ? { buffer: toArrayBuffer(o.kernel) } : undefined,
      initrd: o.initrd ? { buffer: toArrayBuffer(o.initrd) } : undefined,
      cmdline: o.cmdline,
      // v86 writes the guest's disk writes into the buffer we give it, so for a caller's disk we
      // pass its own bytes when they fill their ArrayBuffer exactly (the caller then sees them).
      hda: { buffer: o.hda ? diskBuffer(o.hda) : new ArrayBuffer(DEFAULT_HDA_BYTES) },
      hdb: o.hdb ? { buffer: diskBuffer(o.hdb) } : undefined,
      net_device: o.net === "fetch" || o.net === "inbrowser" ? { type: "ne2k", relay_url: o.net } : { type: "ne2k" },
      uart1: true, // COM2: the side channel to the guest agent (channel.ts)
      disable_jit: o.disableJit || this.jitWarmup > 0, // see "JIT warm-up" above
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      autostart: false,
    }) as V86 & V86Internals;
    this.emulator = emulator;
    emulator.add_listener("serial0-output-byte", (byte: number) => this.receiveConsoleByte(byte));
    emulator.add_listener("serial1-output-byte", (byte: number) => this.channel.receive(byte));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Machine.start: v86 did not load within 30 s (wasm missing?)")), 30_000);
      emulator.add_listener("emulator-loaded", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.currentState !== "created") return; // destroyed while v86 was loading (e.g. the lab's Reset)
    this.attachToEmulator(emulator);
    const initialState = await o.initialState;
    if (this.currentState !== "created") return; // destroyed while the state was on its way
    if (!initialState && !o.kernel) throw new Error("Machine.start: no state to start from and no kernel to boot");
    if (initialState) {
      // Nothing has run yet (autostart: false): restore before the first slice.
      await restoreIntoNewPC(emulator, initialState, o.kernel, o.initrd);
      if (this.currentState !== "created") return;
      this.lastRawCounter = emulator.get_instruction_counter(); // count from the state's counter
    }
    liveMachines.add(this);
    this.currentState = "running";
    await emulator.run();
  }

  /** Give a machine started from a state the boot files its reboots load (see "The boot files
   *  later" above): v86's multiboot loader is set up with this kernel, initrd and the command
   *  line. Its RAM is not touched. */
  provideBootFiles(kernel: Uint8Array, initrd: Uint8Array | undefined): void {
    const emulator = this.requireEmulator("provideBootFiles");
    checkKernel(kernel);
    setUpMultibootLoader(emulator, toArrayBuffer(kernel), initrd && toArrayBuffer(initrd), this.options.cmdline);
  }

  /** Call `listener` with each chunk of console output (latin1 text), from now on. */
  onSerial(listener: (chunk: string) => void): () => void {
    this.serialListeners.push(listener);
    return () => {
      this.serialListeners = this.serialListeners.filter((l) => l !== listener);
    };
  }

  /** Send text to the guest's COM1 (each char code is one byte). */
  write(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    this.writeBytes(bytes, "write");
  }

  /** Send raw bytes to the guest's COM1. */
  writeBytes(bytes: Uint8Array, what = "writeBytes"): void {
    this.requireEmulator(what);
    if (this.currentState !== "running") throw this.crashError ?? new Error(`Machine.${what}: machine is ${this.currentState}`);
    this.sendToPort(0, bytes);
  }

  // ---- the side channel (COM2 → /sbin/lokumd) ---------------------------------------------

  /** Resolves once the guest agent answers (it starts from /etc/rc); rejects after `timeoutMs`. */
  async channelReady(timeoutMs = 30_000): Promise<void> {
    this.requireRunning("channelReady");
    return this.channel.ready(timeoutMs);
  }

  /** Write `bytes` to the guest file `path` (created or truncated; `mode` default 0644). Needs
   *  no shell: the console is left alone. Rejects with a GuestError (`code` "ENOENT", …). */
  async putFile(path: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
    this.requireRunning("putFile");
    return this.channel.putFile(path, bytes, mode);
  }

  /** The bytes of the guest file `path` (read to its end, so /proc files work). */
  async getFile(path: string): Promise<Uint8Array> {
    this.requireRunning("getFile");
    return this.channel.getFile(path);
  }

  /** Run `command` with /bin/sh -c in the guest (stdin /dev/null, in /root): its output
   *  (stdout and stderr) and exit status. The console shell is not involved. */
  async exec(command: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    this.requireRunning("exec");
    return this.channel.exec(command, options.timeoutMs);
  }

  private requireRunning(what: string): void {
    this.requireEmulator(what);
    if (this.currentState !== "running") throw this.crashError ?? new Error(`Machine.${what}: machine is ${this.currentState}`);
  }

  private sendToPort(port: 0 | 1, bytes: Uint8Array): void {
    if (this.currentState !== "running") return; // the channel's answer is then its timeout or abort
    this.serialBacklog[port].push(bytes.slice());
    this.feedSerial();
  }

  /**
   * Hands queued input to v86's UART, no more than SERIAL_QUEUE_BYTES ahead of what the guest has
   * read. v86 keeps the UART's input in a JS array and takes each byte with shift(), which costs
   * time proportional to the array's length: a 1 MiB paste given at once would make reading it
   * quadratic. Fed in slices from here (and after every emulation slice), it stays linear.
   * COM2 (the side channel) is fed the same way.
   */
  private feedSerial(): void {
    const emulator = this.emulator;
    if (!emulator) return;
    let sent = false;
    for (const port of [0, 1] as const) {
      const backlog = this.serialBacklog[port];
      if (backlog.length === 0) continue;
      const uart = port === 0 ? emulator.v86.cpu.devices.uart0 : emulator.v86.cpu.devices.uart1;
      const queue = uart?.input;
      let room = Array.isArray(queue) ? SERIAL_QUEUE_BYTES - queue.length : Infinity;
      while (room > 0 && backlog.length > 0) {
        const head = backlog[0]!;
        sent = true;
        if (head.length <= room) {
          emulator.serial_send_bytes(port, head);
          backlog.shift();
          room -= head.length;
        } else {
          emulator.serial_send_bytes(port, head.subarray(0, room));
          backlog[0] = head.subarray(room);
          room = 0;
        }
      }
    }
    // A guest idling in `hlt` would see the bytes only at its next timer tick (up to 10 ms away):
    // run the next slice now, so a paste or an upload moves at the guest's pace, not the timer's.
    const scheduler = emulator.v86;
    if (sent && scheduler.running && !scheduler.stopping && this.currentState === "running") scheduler.next_tick(0);
  }

  /** Hand an Ethernet frame to the NE2000 as if it came off the wire (docs/v86.md, "Devices and ports"). */
  injectFrame(frame: Uint8Array): void {
    this.requireEmulator("injectFrame").bus.send("net0-receive", frame);
  }

  /** Call `listener` with every Ethernet frame the guest transmits (synchronously, mid-slice). */
  onFrameSent(listener: (frame: Uint8Array) => void): () => void {
    const emulator = this.requireEmulator("onFrameSent");
    emulator.add_listener("net0-send", listener);
    return () => emulator.remove_listener("net0-send", listener);
  }

  /**
   * Wait until `pattern` appears in the output after the match cursor (expect-style: each
   * successful wait moves the cursor past its match, so the same prompt is not matched twice).
   * Resolves with the output from the search start to the end of the match. Rejects with the
   * output tail on timeout, and at once if the machine crashes, exits or is destroyed first.
   */
  waitFor(pattern: string | RegExp, options: WaitOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const start = options.from ?? this.cursor;
    const regex = typeof pattern === "string" ? undefined : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    const describe = typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern);

    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const check = (): void => {
        const text = this.output; // publishes pending bytes, which may re-enter check: hence `settled`
        if (settled) return;
        const haystack = text.slice(start);
        let end = -1;
        if (regex) {
          const m = regex.exec(haystack);
          if (m) end = m.index + m[0].length;
        } else {
          const at = haystack.indexOf(pattern as string);
          if (at >= 0) end = at + (pattern as string).length;
        }
        if (end >= 0) {
          this.cursor = start + end;
          return finish(() => resolve(haystack.slice(0, end)));
        }
        if (this.currentState !== "running") {
          const why =
            this.currentState === "exited" ? `the machine exited with code ${this.exitValue}` :
            this.currentState === "crashed" ? `the machine crashed: ${this.crashError?.message}` :
            `the machine is ${this.currentState}`;
          finish(() => reject(new MachineCrash(`waitFor(${describe}): ${why}\n--- output tail ---\n${this.tail()}`, this.tail(), this.crashError)));
        }
      };
      const timer = setTimeout(() => {
        finish(() => reject(new Error(`waitFor(${describe}) timed out after ${timeoutMs} ms\n--- output tail ---\n${this.tail()}`)));
      }, timeoutMs);
      const finish = (settle: () => void): void => {
        settled = true;
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Instructions executed by this machine so far (monotonic; continues across restoreState). */
  instructions(): number {
    this.sampleInstructionCounter();
    return this.instructionTotal;
  }

  /** The VGA text screen, one string per row (trailing blanks removed). Empty until the guest
   *  maps text memory at 0xB8000 (docs/v86.md, "Devices and ports"). */
  screenText(): string[] {
    const adapter = this.requireEmulator("screenText").screen_adapter;
    return adapter?.get_text_screen ? adapter.get_text_screen().map((row) => row.trimEnd()) : [];
  }

  /**
   * The bytes of a disk as the guest left them (docs/v86.md, "Disks": after restoreState the
   * drive holds a copy of the snapshot's disk, no longer the caller's buffer). A view, not a
   * copy: copy it before the guest runs on if it must stay as it is.
   */
  diskBytes(which: "hda" | "hdb" = "hda"): Uint8Array {
    const ide = this.requireEmulator("diskBytes").v86.cpu.devices.ide;
    const drive = which === "hda" ? ide?.primary?.master : ide?.primary?.slave;
    const buffer = drive?.buffer?.buffer;
    if (!buffer) throw new Error(`Machine.diskBytes: no ${which}`);
    return new Uint8Array(buffer);
  }

  /** A snapshot of the whole PC (RAM, devices, disks). */
  async saveState(): Promise<ArrayBuffer> {
    const emulator = this.requireEmulator("saveState");
    if (this.crashError) throw this.crashError;
    return emulator.save_state();
  }

  /**
   * Continue from a snapshot. The console starts empty again (the snapshot does not carry the
   * host's copy of it), the exit status is cleared and a fresh `exitCode` promise is made.
   */
  async restoreState(state: ArrayBuffer): Promise<void> {
    const emulator = this.requireEmulator("restoreState");
    if (this.crashError) throw new Error("Machine.restoreState: a crashed machine cannot be restored (its wasm core is dead)");
    if (this.currentState === "destroyed") throw new Error("Machine.restoreState: machine is destroyed");
    await this.stopPromptly(emulator.stop());
    installFastUnpackMemory(emulator.v86.cpu);
    await emulator.restore_state(state);
    this.serialBacklog = [[], []]; // typed into the machine that was, not into the restored one
    this.channel.abort("the machine was restored from a snapshot");
    this.sampleInstructionCounter();
    this.lastRawCounter = emulator.get_instruction_counter();
    this.flushConsole();
    this.consoleText = "";
    this.cursor = 0;
    if (this.currentState === "exited") this.resetExitPromise();
    this.exitValue = undefined;
    this.currentState = "running";
    liveMachines.add(this);
    await emulator.run();
  }

  /** Stop and free the emulator. Never hangs: after `timeoutMs` we give up waiting for v86. */
  async destroy(timeoutMs = 2000): Promise<void> {
    if (this.currentState === "destroyed") return;
    const wasRunning = this.currentState === "running" || this.currentState === "created";
    this.flushConsole();
    this.currentState = "destroyed";
    liveMachines.delete(this);
    this.channel.abort("the machine was destroyed");
    if (wasRunning) this.settleExit.reject(new MachineCrash("the machine was destroyed before it exited", this.tail()));
    this.notifyWaiters();
    const emulator = this.emulator;
    if (!emulator) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.stopPromptly(emulator.destroy()).catch(() => undefined), gaveUp]);
    clearTimeout(timer);
  }

  /** v86's stop() only lands at the next slice, which a guest in `cli; hlt` delays by 100 ms.
   *  `stopping` is the promise of a stop()/destroy() just begun; ask for that slice now (a newer
   *  tick makes v86 drop the pending timer). */
  private stopPromptly(stopping: Promise<void>): Promise<void> {
    const scheduler = this.emulator?.v86;
    if (scheduler?.running && scheduler.stopping && this.currentState !== "crashed") scheduler.next_tick(0);
    return stopping;
  }

  /** Internal (used by routeHostError): this machine's emulation threw `error`. */
  crashWith(error: unknown, emulatorMessages: string[]): void {
    if (this.currentState !== "running") return;
    this.flushConsole();
    const crash = new MachineCrash(describeCrash(error, emulatorMessages), this.tail(), error);
    this.crashError = crash;
    this.currentState = "crashed";
    liveMachines.delete(this);
    // v86's scheduler still believes it is running; tell it otherwise so destroy() can finish.
    const emulator = this.emulator;
    if (emulator) {
      emulator.v86.running = false;
      emulator.v86.stopping = false;
      emulator.emulator_bus.send("emulator-stopped");
    }
    this.settleExit.reject(crash);
    this.channel.abort(`the machine crashed: ${crash.message.split("\n")[0]}`);
    this.notifyWaiters();
  }

  // ---- wiring ---------------------------------------------------------------------------------

  private attachToEmulator(emulator: V86 & V86Internals): void {
    const scheduler = emulator.v86;
    if (typeof scheduler?.do_tick !== "function" || typeof scheduler.next_tick !== "function" || typeof scheduler.cpu?.io?.register_write !== "function" ||
        typeof scheduler.cpu.set_jit_config !== "function" ||
        typeof emulator.emulator_bus?.send !== "function") {
      throw new Error("Machine: this v86 build lacks v86.do_tick, cpu.io.register_write, cpu.set_jit_config or emulator_bus (see machine.ts)");
    }
    const io = scheduler.cpu.io;
    const exitPort = {};
    io.register_write(EXIT_PORT, exitPort,
      (v) => this.guestExit(v & 0xff), (v) => this.guestExit(v & 0xffff), (v) => this.guestExit(v | 0));
    if (this.options.fastConsole) {
      io.register_write(FAST_CONSOLE_PORT, {}, (byte) => this.receiveConsoleByte(byte & 0xff));
    }

    // One emulation slice = one call of do_tick. Run it under our guard: v86 prints a core panic
    // with console.error just before the wasm traps, so we collect what it logs during the slice
    // and use it as the crash message (and pass it on to the real console otherwise).
    const runSlice = scheduler.do_tick.bind(scheduler);
    scheduler.do_tick = () => {
      if (this.currentState === "crashed") return; // the wasm core is dead: never run it again
      const logged: Array<{ print: (line: string) => void; line: string }> = [];
      const { log, error } = console;
      const collect = (print: (line: string) => void) => (...args: unknown[]) =>
        void logged.push({ print: print.bind(console), line: args.map(String).join(" ") });
      console.log = collect(log);
      console.error = collect(error);
      let failure: { thrown: unknown } | undefined;
      try {
        runSlice();
      } catch (thrown) {
        failure = { thrown };
      } finally {
        console.log = log;
        console.error = error;
      }
      if (failure) return this.crashWith(failure.thrown, logged.map((entry) => entry.line));
      for (const { print, line } of logged) print(line);
      this.feedSerial();
      this.sampleInstructionCounter();
      if (this.jitWarmup > 0 && this.instructionTotal >= this.jitWarmup) {
        this.jitWarmup = 0;
        scheduler.cpu.set_jit_config(0, 0); // the boot is over: compile what gets hot from now on
      }
      // guestExit called stop() mid-slice; the slice has just scheduled its successor, possibly
      // 100 ms away (`cli; hlt`). Bring the stopping tick forward.
      if (this.currentState === "exited") void this.stopPromptly(Promise.resolve());
    };
  }

  /** The guest wrote its exit status: publish the output, settle `exitCode`, stop the CPU. */
  private guestExit(code: number): void {
    if (this.currentState !== "running") return;
    this.flushConsole();
    this.exitValue = code;
    this.currentState = "exited";
    liveMachines.delete(this);
    void this.emulator?.stop(); // takes effect when the current slice ends
    this.settleExit.resolve(code);
    this.channel.abort(`the machine exited with status ${code}`);
    this.notifyWaiters();
  }

  private receiveConsoleByte(byte: number): void {
    this.pendingBytes.push(byte);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flushConsole());
    }
  }

  /** Move bytes from the slice that just ran into `consoleText` and tell listeners and waiters. */
  private flushConsole(): void {
    this.flushQueued = false;
    if (this.pendingBytes.length === 0) return;
    const bytes = this.pendingBytes;
    this.pendingBytes = [];
    let chunk = "";
    for (let i = 0; i < bytes.length; i += 8192) chunk += String.fromCharCode(...bytes.slice(i, i + 8192));
    this.consoleText += chunk;
    for (const listener of this.serialListeners) listener(chunk);
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    for (const check of [...this.waiters]) check();
  }

  private sampleInstructionCounter(): void {
    if (!this.emulator) return;
    const raw = this.emulator.get_instruction_counter();
    this.instructionTotal += (raw - this.lastRawCounter) >>> 0;
    this.lastRawCounter = raw;
  }

  private resetExitPromise(): void {
    this.exitCode = new Promise<number>((resolve, reject) => (this.settleExit = { resolve, reject }));
    // A crash rejects exitCode even if nobody awaits it; that must not count as unhandled.
    this.exitCode.catch(() => undefined);
  }

  private tail(): string {
    return this.consoleText.slice(-TAIL_CHARS);
  }

  private requireEmulator(what: string): V86 & V86Internals {
    if (!this.emulator) throw new Error(`Machine.${what}: call start() first`);
    return this.emulator;
  }
}

function describeCrash(error: unknown, emulatorMessages: string[]): string {
  if (error === "HALT") {
    const said = emulatorMessages.find((m) => m.includes("Test exited"));
    return `guest wrote to port 0xF4 (v86's test-exit port; it halts the emulator)${said ? `: ${said.trim()}` : ""}`;
  }
  const panic = emulatorMessages.filter((m) => m.trim() !== "").join(" | ");
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError) {
    return `v86 core panic (a fault the emulator could not deliver, e.g. no GDT/IDT): ${panic || what}`;
  }
  return `v86 failed: ${what}${panic ? ` (${panic})` : ""}`;
}

/** Refuse a kernel v86's multiboot loader would not take, up front. */
function checkKernel(kernel: Uint8Array): void {
  if (!hasMultibootHeader(kernel)) {
    throw new Error("Machine: `kernel` has no multiboot header (magic 0x1BADB002 with a valid checksum) in its first 8 KiB");
  }
}

/** The multiboot spec: a 4-byte aligned header in the first 8 KiB, magic + flags + checksum = 0. */
function hasMultibootHeader(kernel: Uint8Array): boolean {
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  for (let at = 0; at + 12 <= Math.min(kernel.byteLength, 8192); at += 4) {
    const magic = view.getUint32(at, true);
    if (magic === 0x1badb002 && ((magic + view.getUint32(at + 4, true) + view.getUint32(at + 8, true)) | 0) === 0) return true;
  }
  return false;
}

function instantiateWith(module: WebAssembly.Module) {
  return async (imports: WebAssembly.Imports): Promise<WebAssembly.Exports> =>
    (await WebAssembly.instantiate(module, imports)).exports;
}

/** v86 accepts only real ArrayBuffers (not Node Buffers or views); copy the view's bytes. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/** A disk: share the caller's memory when the view covers its whole buffer, so the caller sees
 *  the guest's writes; otherwise copy. */
function diskBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : toArrayBuffer(bytes);
}
