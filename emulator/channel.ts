// The host's end of the side channel to the guest agent (/sbin/lokumd) on COM2, /dev/ttyS1.
//
// Why a second serial port: it is a wire of its own, so copying a file or running a command
// never types into the console shell on COM1 (nor shows up in its output); v86 and every PC
// emulator have it, it is in v86's snapshots, and the same code works in Node and in the browser.
// (QEMU's guest agent talks over a serial port for the same reasons. v86's virtio-9p would need
// a virtio and a 9P driver in the kernel; a disk written by the page would need the guest to
// remount it to see new files.)
//
// Frames, both ways (initrd/sbin/lokumd.ts has the full table):
//   A5 5A | op u8 | flags u8 | id u32 | length u32 | payload | Adler-32 of bytes 2..11 + payload
// Requests: H hello, P put (mode, path, data), G get (path), X exec (command). The answer has the
// op in lower case and the request's id; its payload starts with an i32: 0 or -errno.
//
// One request is in flight at a time (lokumd serves them in turn); the rest wait in a queue.
// The agent is ready once it answers a hello: `ready()` sends one every HELLO_RETRY_MS until it
// does (what the host sent before lokumd put the line in raw mode is lost or echoed; the reader
// below skips anything that is not a frame).

export const CHANNEL_SYNC = [0xa5, 0x5a] as const;
const HEADER_BYTES = 12;
const HELLO_RETRY_MS = 300;
const MAX_PAYLOAD = 64 << 20;

/** Linux's errno names for the numbers lokumd may answer with. */
const ERRNO_NAMES: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  5: ["EIO", "Input/output error"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  17: ["EEXIST", "File exists"],
  20: ["ENOTDIR", "Not a directory"],
  21: ["EISDIR", "Is a directory"],
  22: ["EINVAL", "Invalid argument"],
  24: ["EMFILE", "Too many open files"],
  27: ["EFBIG", "File too large"],
  28: ["ENOSPC", "No space left on device"],
  30: ["EROFS", "Read-only file system"],
  36: ["ENAMETOOLONG", "File name too long"],
  74: ["EBADMSG", "Bad message"],
};

/** A request the guest refused, with Linux's errno (`code` is its name, e.g. "ENOENT"). */
export class GuestError extends Error {
  readonly code: string;
  constructor(readonly what: string, readonly errno: number) {
    const [code, text] = ERRNO_NAMES[errno] ?? [`E${errno}`, `error ${errno}`];
    super(`${what}: ${text}`);
    this.name = "GuestError";
    this.code = code;
  }
}

export interface ExecResult {
  /** What the command wrote to stdout and stderr (UTF-8 decoded). */
  output: string;
  /** The shell's exit status (128 + n when signal n killed it). */
  status: number;
}

interface Pending {
  op: number;
  id: number;
  frame: Uint8Array;
  timeoutMs: number;
  resolve(payload: Uint8Array): void;
  reject(error: Error): void;
}

/** The wire: `send` hands bytes to COM2; the owner calls `receive` with every byte COM2 sends. */
export interface ChannelWire {
  send(bytes: Uint8Array): void;
}

export class GuestChannel {
  private nextId = 1;
  private queue: Pending[] = [];
  private current: (Pending & { timer: ReturnType<typeof setTimeout> }) | undefined;
  private readyPromise: Promise<void> | undefined;
  // The frame being received: bytes so far, and how many it will have.
  private rx = new Uint8Array(4096);
  private rxLength = 0;
  private rxNeed = 0;

  constructor(private readonly wire: ChannelWire) {}

  /** Resolves once lokumd answers (hello every HELLO_RETRY_MS); rejects after `timeoutMs`. */
  ready(timeoutMs = 30_000): Promise<void> {
    this.readyPromise ??= this.hello(timeoutMs).catch((error: Error) => {
      this.readyPromise = undefined;
      throw error;
    });
    return this.readyPromise;
  }

  async putFile(path: string, bytes: Uint8Array, mode = 0o644, timeoutMs?: number): Promise<void> {
    const pathBytes = new TextEncoder().encode(path);
    const payload = new Uint8Array(8 + pathBytes.length + bytes.length);
    const view = new DataView(payload.buffer);
    view.setUint32(0, mode, true);
    view.setUint32(4, pathBytes.length, true);
    payload.set(pathBytes, 8);
    payload.set(bytes, 8 + pathBytes.length);
    await this.ready();
    const answer = await this.request(0x50, payload, timeoutMs ?? 30_000 + bytes.length / 20);
    check(answer, `putFile ${path}`);
  }

  async getFile(path: string, timeoutMs = 60_000): Promise<Uint8Array> {
    await this.ready();
    const answer = await this.request(0x47, new TextEncoder().encode(path), timeoutMs);
    check(answer, `getFile ${path}`);
    return answer.slice(4);
  }

  async exec(command: string, timeoutMs = 120_000): Promise<ExecResult> {
    await this.ready();
    const answer = await this.request(0x58, new TextEncoder().encode(command), timeoutMs);
    check(answer, `exec ${JSON.stringify(command)}`);
    const status = new DataView(answer.buffer, answer.byteOffset).getInt32(4, true);
    return { output: new TextDecoder().decode(answer.subarray(8)), status };
  }

  /** Every request fails with `why` (the machine was restored, reset or destroyed). */
  abort(why: string): void {
    const error = new Error(`guest channel: ${why}`);
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(error);
      this.current = undefined;
    }
    for (const pending of this.queue.splice(0)) pending.reject(error);
    this.readyPromise = undefined;
    this.rxLength = 0;
    this.rxNeed = 0;
  }

  /** Bytes from COM2 (call with each one, or with chunks). */
  receive(bytes: Uint8Array | number): void {
    if (typeof bytes === "number") return this.receiveByte(bytes);
    for (const byte of bytes) this.receiveByte(byte);
  }

  // ---- requests -------------------------------------------------------------------------------

  private async hello(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.request(0x48, new Uint8Array(0), HELLO_RETRY_MS);
        return;
      } catch (error) {
        if (!(error instanceof ChannelTimeout)) throw error;
        if (Date.now() > deadline) throw new Error(`guest channel: no answer from lokumd on /dev/ttyS1 within ${timeoutMs} ms`);
      }
    }
  }

  private request(op: number, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const id = this.nextId++ >>> 0;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ op, id, frame: encodeFrame(op, id, payload), timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const next = this.queue.shift()!;
    const timer = setTimeout(() => {
      if (this.current?.id !== next.id) return;
      this.current = undefined;
      next.reject(new ChannelTimeout(`guest channel: no answer to ${String.fromCharCode(next.op)} #${next.id} within ${next.timeoutMs} ms`));
      this.pump();
    }, next.timeoutMs);
    this.current = { ...next, timer };
    this.wire.send(next.frame);
  }

  private answered(op: number, id: number, payload: Uint8Array): void {
    const current = this.current;
    if (!current || current.id !== id || (current.op | 0x20) !== op) return; // late answer to a timed-out request
    clearTimeout(current.timer);
    this.current = undefined;
    current.resolve(payload);
    this.pump();
  }

  // ---- frames ---------------------------------------------------------------------------------

  private receiveByte(byte: number): void {
    const n = this.rxLength;
    if (n === 0 && byte !== CHANNEL_SYNC[0]) return;
    if (n === 1 && byte !== CHANNEL_SYNC[1]) {
      this.rxLength = byte === CHANNEL_SYNC[0] ? 1 : 0;
      return;
    }
    if (n === this.rx.length) {
      const bigger = new Uint8Array(this.rx.length * 2);
      bigger.set(this.rx);
      this.rx = bigger;
    }
    this.rx[this.rxLength++] = byte;
    if (this.rxLength === HEADER_BYTES) {
      const length = new DataView(this.rx.buffer).getUint32(8, true);
      if (length > MAX_PAYLOAD) return void (this.rxLength = 0); // not a header: resync
      this.rxNeed = HEADER_BYTES + length + 4;
    }
    if (this.rxLength >= HEADER_BYTES && this.rxLength === this.rxNeed) {
      const frame = this.rx.subarray(0, this.rxLength);
      this.rxLength = 0;
      this.rxNeed = 0;
      const view = new DataView(frame.buffer, frame.byteOffset);
      const length = view.getUint32(8, true);
      const sum = view.getUint32(HEADER_BYTES + length, true);
      if (adler32(frame.subarray(2, HEADER_BYTES + length)) !== sum) {
        const current = this.current;
        if (current && current.id === view.getUint32(4, true)) {
          clearTimeout(current.timer);
          this.current = undefined;
          current.reject(new Error(`guest channel: bad checksum in the answer to ${String.fromCharCode(current.op)} #${current.id}`));
          this.pump();
        }
        return;
      }
      this.answered(frame[2]!, view.getUint32(4, true), frame.slice(HEADER_BYTES, HEADER_BYTES + length));
      if (this.rx.length > 1 << 20) this.rx = new Uint8Array(4096); // don't keep a big buffer around
    }
  }
}

class ChannelTimeout extends Error {}

function check(answer: Uint8Array, what: string): void {
  if (answer.length < 4) throw new Error(`${what}: short answer from lokumd`);
  const result = new DataView(answer.buffer, answer.byteOffset).getInt32(0, true);
  if (result < 0) throw new GuestError(what, -result);
}

export function encodeFrame(op: number, id: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + payload.length + 4);
  const view = new DataView(frame.buffer);
  frame[0] = CHANNEL_SYNC[0];
  frame[1] = CHANNEL_SYNC[1];
  frame[2] = op;
  view.setUint32(4, id, true);
  view.setUint32(8, payload.length, true);
  frame.set(payload, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + payload.length, adler32(frame.subarray(2, HEADER_BYTES + payload.length)), true);
  return frame;
}

/** Adler-32 (RFC 1950), in blocks of 5552 bytes between the modulo steps, as zlib does. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + 5552);
    for (; at < end; at++) {
      a += bytes[at]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
