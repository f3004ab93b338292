// serial.ts — the 16550 UARTs on COM1 (I/O ports 0x3F8–0x3FF, IRQ 4) and COM2 (0x2F8–0x2FF,
// IRQ 3): the system console's wire (ttyS0) and a second terminal, ttyS1.
//
// Two stages, like Linux's early console and the 8250 driver:
//   serialInit()      at the very start: COM1 at 115200 8N1, FIFOs on, no interrupts. printk
//                     writes through serialPutChar() from then on (polled output).
//   serialTtyInit()   once interrupts and the tty layer are up: makes the tty ttyS0 (char
//                     device 4,64) and turns on its receive interrupt; then looks for COM2 and,
//                     when the machine has one, makes ttyS1 (4,65) the same way.
//
// ttyS1 is an ordinary terminal. In the lab it carries the host's side channel: the guest agent
// /sbin/lokumd puts it in raw mode and speaks a framed protocol on it, so the host can copy files
// and run commands without typing into the console shell (docs/lab.md).
//
// Is COM2 there? Like Linux's autoconfig, we write two values to the scratch register (+7) and
// read them back; a port with no UART behind it reads 0xFF.
//
// Output is polled: before each byte we wait until the Line Status Register says the transmit
// holding register is empty (bit 5); console text (serialWriteConsole) checks once per 16 bytes,
// the size of the transmit FIFO that bit then says is empty. Under v86 it always is
// (docs/v86.md); on real hardware or QEMU the wait matters.
//
// Input is interrupt-driven: with IER.RDI set the UART raises its IRQ when bytes arrive (with the
// FIFO on, IIR says 0xCC: "character timeout"). v86 queues everything the host sends at once,
// so one interrupt may bring many bytes: the handler drains the FIFO while LSR.DR (bit 0) is
// set, in batches handed to the tty layer (ttyReceive → the line discipline).
//
// Flow control: the handler never hands the tty more than it has room for (ttyReceiveRoom).
// When there is none, it turns the receive interrupt off and leaves the bytes in the UART
// (throttled); the tty calls serialUnthrottle when a reader has made room, which turns the
// interrupt back on and drains again. So a paste bigger than the terminal's buffer arrives
// whole, at the pace the reader reads it.
//
// Registers (offsets from the base port; DLAB = bit 7 of LCR selects the divisor latch):
//   +0 THR/RBR (DLAB=0) or divisor low   +1 IER (DLAB=0) or divisor high
//   +2 IIR (read) / FCR (write)           +3 LCR   +4 MCR   +5 LSR   +7 scratch

import { requestIrq } from "../irq";
import { KERN_ERR, KERN_INFO, printk } from "../printk";
import { B115200, CBAUD, CLOCAL } from "../tty/termios";
import { Tty, ttyCreateNode, ttyReceive, ttyReceiveRoom, ttyRegister, ttyRegisterDriver } from "../tty/tty";

export const COM1: u16 = 0x3f8;
export const COM2: u16 = 0x2f8;
export const SERIAL_IRQ: i32 = 4;
export const COM2_IRQ: i32 = 3;
export const TTY_MAJOR: i32 = 4;
export const TTYS0_MINOR: i32 = 64;
/** The ports this driver knows: ttyS0 = COM1, ttyS1 = COM2. */
const NR_PORTS: i32 = 2;

const UART_DATA: u16 = 0;
const UART_IER: u16 = 1;
const UART_IIR: u16 = 2;
const UART_FCR: u16 = 2;
const UART_LCR: u16 = 3;
const UART_MCR: u16 = 4;
const UART_LSR: u16 = 5;
const UART_SCR: u16 = 7;

const LCR_DLAB: u8 = 0x80;
const LCR_8N1: u8 = 0x03;
const FCR_ENABLE_CLEAR_14: u8 = 0xc7; // FIFO on, clear both, 14-byte receive threshold
const MCR_DTR_RTS_OUT2: u8 = 0x0b; // OUT2 gates the UART's IRQ line on PCs
const IER_RDI: u8 = 0x01; // interrupt when received data is available
const LSR_DATA_READY: u8 = 0x01;
const LSR_THR_EMPTY: u8 = 0x20; // with the FIFO on: the transmit FIFO is empty
const UART_FIFO_SIZE: u32 = 16; // a 16550A's transmit FIFO

const BATCH: u32 = 64;
const batch = new StaticArray<u8>(64);
let ttyS0: Tty = null;
let ttyS1: Tty = null;
/** Bytes received on any port (including those received while no tty existed: dropped). */
export let serialRxCount: u32 = 0;
/** A port's receive interrupt is off because its tty had no room (see the design note). */
let rxThrottled0: bool = false;
let rxThrottled1: bool = false;

function portBase(port: i32): u16 {
  return port == 0 ? COM1 : COM2;
}

function portTty(port: i32): Tty {
  return port == 0 ? ttyS0 : ttyS1;
}

function setThrottled(port: i32, on: bool): void {
  if (port == 0) rxThrottled0 = on;
  else rxThrottled1 = on;
}

/** Which port a tty of this driver is (its minor - 64). */
function ttyPort(tty: Tty): i32 {
  return tty.minor - TTYS0_MINOR;
}

/** 115200 baud (divisor 1), 8 data bits, no parity, 1 stop bit, FIFOs on, no interrupts. */
export function serialInit(): void {
  outb(COM1 + UART_IER, 0);
  outb(COM1 + UART_LCR, LCR_DLAB);
  outb(COM1 + UART_DATA, 1); // divisor low byte: 115200 / 1
  outb(COM1 + UART_IER, 0); // divisor high byte
  outb(COM1 + UART_LCR, LCR_8N1);
  outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR_14);
  outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

/** Sends one byte, waiting for the transmitter first. */
export function serialPutByte(c: u8): void {
  while ((inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0) pause();
  outb(COM1 + UART_DATA, c);
}

/** Sends one character of console text: "\n" goes out as "\r\n", as a terminal expects. */
export function serialPutChar(c: u8): void {
  if (c == "\n".charCodeAt(0)) serialPutByte("\r".charCodeAt(0));
  serialPutByte(c);
}

/** Sends n bytes of console text ("\n" as "\r\n"): printk's messages, a loop per message.
 *  With the FIFOs on (serialInit), an empty transmitter takes 16 bytes at once, so the status
 *  is polled once per 16 bytes, as Linux's 8250 driver does (serial8250_tx_chars). */
export function serialWriteConsole(buf: usize, n: u32): void {
  let room: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(buf + i);
    if (room < 2) { // "\n" needs two
      while ((inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0) pause();
      room = UART_FIFO_SIZE;
    }
    if (c == "\n".charCodeAt(0)) {
      outb(COM1 + UART_DATA, "\r".charCodeAt(0));
      room--;
    }
    outb(COM1 + UART_DATA, c);
    room--;
  }
}

/** The tty driver's write op: n raw bytes (the line discipline did any "\r\n"). */
function serialTtyWrite(tty: Tty, buf: usize, n: u32): void {
  const base = portBase(ttyPort(tty));
  for (let i: u32 = 0; i < n; i++) {
    while ((inb(base + UART_LSR) & LSR_THR_EMPTY) == 0) pause();
    outb(base + UART_DATA, load<u8>(buf + i));
  }
}

/** Moves what a UART holds into its tty, a batch at a time, as far as the tty has room. */
function serialDrain(port: i32): void {
  const base = portBase(port);
  const tty = portTty(port);
  while ((inb(base + UART_LSR) & LSR_DATA_READY) != 0) {
    const room = tty != null ? ttyReceiveRoom(tty) : BATCH;
    if (room == 0) {
      // Throttle: no interrupts until a reader makes room (serialUnthrottle).
      outb(base + UART_IER, 0);
      setThrottled(port, true);
      return;
    }
    // "Unlimited" room means the tty is dropping the rest of an overlong line: take one byte at a
    // time then, so the byte after the line's end is counted against the room left after it.
    const limit = room == 0xffffffff ? 1 : room < BATCH ? room : BATCH;
    let n: u32 = 0;
    while (n < limit && (inb(base + UART_LSR) & LSR_DATA_READY) != 0) {
      batch[<i32>n++] = inb(base + UART_DATA);
      serialRxCount++;
    }
    if (tty != null) ttyReceive(tty, changetype<usize>(batch), n);
  }
}

/** IRQ 4 or 3 (dev = the port): drain the receive FIFO into the tty. */
function serialInterrupt(irq: i32, dev: usize): void {
  const port = <i32>dev;
  inb(portBase(port) + UART_IIR); // identify (and so acknowledge) the interrupt
  serialDrain(port);
}

/** The tty's unthrottle hook: a reader made room, so read the wire again. */
function serialUnthrottle(tty: Tty): void {
  const port = ttyPort(tty);
  if (port == 0 ? !rxThrottled0 : !rxThrottled1) return;
  setThrottled(port, false);
  outb(portBase(port) + UART_IER, IER_RDI);
  serialDrain(port);
}

/** A UART answers at `base`: its scratch register keeps what we write (Linux's autoconfig). */
function serialProbe(base: u16): bool {
  outb(base + UART_SCR, 0xa5);
  if (inb(base + UART_SCR) != 0xa5) return false;
  outb(base + UART_SCR, 0x5a);
  return inb(base + UART_SCR) == 0x5a;
}

/** COM2's line settings: like COM1's (115200 8N1, FIFOs on), receive interrupt off for now. */
function serialInitPort(base: u16): void {
  outb(base + UART_IER, 0);
  outb(base + UART_LCR, LCR_DLAB);
  outb(base + UART_DATA, 1);
  outb(base + UART_IER, 0);
  outb(base + UART_LCR, LCR_8N1);
  outb(base + UART_FCR, FCR_ENABLE_CLEAR_14);
  outb(base + UART_MCR, MCR_DTR_RTS_OUT2);
}

/** Makes the tty of `port` (its /dev node, raw 115200 line) and turns its receive interrupt on. */
function serialPortTty(port: i32, name: string, irq: i32): Tty {
  const base = portBase(port);
  const tty = ttyRegister(name, TTY_MAJOR, TTYS0_MINOR + port, serialTtyWrite);
  if (tty == null) {
    printk(KERN_ERR + "serial8250: cannot make %s\n", name);
    return null;
  }
  if (port == 0) ttyS0 = tty;
  else ttyS1 = tty;
  ttyCreateNode(tty);
  tty.unthrottle = serialUnthrottle;
  tty.cflag = (tty.cflag & ~CBAUD) | B115200 | CLOCAL;
  const error = requestIrq(irq, serialInterrupt, name, <usize>port);
  if (error < 0) {
    printk(KERN_ERR + "serial8250: %s: cannot get IRQ %d (error %d), no input\n", name, irq, error);
    return tty;
  }
  while ((inb(base + UART_LSR) & LSR_DATA_READY) != 0) inb(base + UART_DATA); // sent before boot: drop
  outb(base + UART_IER, IER_RDI);
  printk(KERN_INFO + "serial8250: %s at I/O 0x%x (irq = %d, base_baud = 115200) is a 16550A\n", name, base, irq);
  return tty;
}

/** Makes ttyS0 (and ttyS1 when the machine has COM2) and turns on receive interrupts. Needs
 *  irq.ts and the tty layer (N_TTY). Returns ttyS0, the console's terminal. */
export function serialTtyInit(): Tty {
  const com2 = serialProbe(COM2);
  ttyRegisterDriver("ttyS", TTY_MAJOR, TTYS0_MINOR, 4);
  printk(KERN_INFO + "Serial: 8250/16550 driver, %d ports, IRQ sharing disabled\n", com2 ? NR_PORTS : 1);
  const consoleTty = serialPortTty(0, "ttyS0", SERIAL_IRQ);
  if (com2) {
    serialInitPort(COM2);
    serialPortTty(1, "ttyS1", COM2_IRQ);
  }
  return consoleTty;
}
