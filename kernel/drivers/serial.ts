// serial.ts — the 16550 UART on COM1 (I/O ports 0x3F8–0x3FF): the system console's wire, and
// the terminal ttyS0.
//
// Two stages, like Linux's early console and the 8250 driver:
//   serialInit()      at the very start: 115200 8N1, FIFOs on, no interrupts. printk writes
//                     through serialPutChar() from then on (polled output).
//   serialTtyInit()   once interrupts and the tty layer are up: makes the tty ttyS0 (char
//                     device 4,64) and turns on the receive interrupt, IRQ 4.
//
// Output is polled: before each byte we wait until the Line Status Register says the transmit
// holding register is empty (bit 5). Under v86 it always is (docs/v86.md); on real
// hardware or QEMU the wait matters.
//
// Input is interrupt-driven: with IER.RDI set the UART raises IRQ 4 when bytes arrive (with the
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
//   +2 IIR (read) / FCR (write)           +3 LCR   +4 MCR   +5 LSR

import { requestIrq } from "../irq";
import { printk } from "../printk";
import { B115200, CBAUD, CLOCAL } from "../tty/termios";
import { Tty, ttyCreateNode, ttyReceive, ttyReceiveRoom, ttyRegister, ttyRegisterDriver } from "../tty/tty";

export const COM1: u16 = 0x3f8;
export const SERIAL_IRQ: i32 = 4;
export const TTY_MAJOR: i32 = 4;
export const TTYS0_MINOR: i32 = 64;

const UART_DATA: u16 = 0;
const UART_IER: u16 = 1;
const UART_IIR: u16 = 2;
const UART_FCR: u16 = 2;
const UART_LCR: u16 = 3;
const UART_MCR: u16 = 4;
const UART_LSR: u16 = 5;

const LCR_DLAB: u8 = 0x80;
const LCR_8N1: u8 = 0x03;
const FCR_ENABLE_CLEAR_14: u8 = 0xc7; // FIFO on, clear both, 14-byte receive threshold
const MCR_DTR_RTS_OUT2: u8 = 0x0b; // OUT2 gates the UART's IRQ line on PCs
const IER_RDI: u8 = 0x01; // interrupt when received data is available
const LSR_DATA_READY: u8 = 0x01;
const LSR_THR_EMPTY: u8 = 0x20;

const BATCH: u32 = 64;
const batch = new StaticArray<u8>(64);
let ttyS0: Tty = null;
/** Bytes received, and received while no tty existed (dropped). */
export let serialRxCount: u32 = 0;
/** The receive interrupt is off because the tty had no room (see the design note). */
let rxThrottled: bool = false;

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
  if (c == 0x0a) serialPutByte(0x0d);
  serialPutByte(c);
}

/** The tty driver's write op: n raw bytes (the line discipline did any "\r\n"). */
function serialTtyWrite(tty: Tty, buf: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) serialPutByte(load<u8>(buf + i));
}

/** Moves what the UART holds into the tty, a batch at a time, as far as the tty has room. */
function serialDrain(): void {
  while ((inb(COM1 + UART_LSR) & LSR_DATA_READY) != 0) {
    const room = ttyS0 != null ? ttyReceiveRoom(ttyS0) : BATCH;
    if (room == 0) {
      // Throttle: no interrupts until a reader makes room (serialUnthrottle).
      outb(COM1 + UART_IER, 0);
      rxThrottled = true;
      return;
    }
    // "Unlimited" room means the tty is dropping the rest of an overlong line: take one byte at a
    // time then, so the byte after the line's end is counted against the room left after it.
    const limit = room == 0xffffffff ? 1 : room < BATCH ? room : BATCH;
    let n: u32 = 0;
    while (n < limit && (inb(COM1 + UART_LSR) & LSR_DATA_READY) != 0) {
      batch[<i32>n++] = inb(COM1 + UART_DATA);
      serialRxCount++;
    }
    if (ttyS0 != null) ttyReceive(ttyS0, changetype<usize>(batch), n);
  }
}

/** IRQ 4: drain the receive FIFO into the tty. */
function serialInterrupt(irq: i32, dev: usize): void {
  inb(COM1 + UART_IIR); // identify (and so acknowledge) the interrupt
  serialDrain();
}

/** The tty's unthrottle hook: a reader made room, so read the wire again. */
function serialUnthrottle(tty: Tty): void {
  if (!rxThrottled) return;
  rxThrottled = false;
  outb(COM1 + UART_IER, IER_RDI);
  serialDrain();
}

/** Makes ttyS0 and turns on receive interrupts. Needs irq.ts and the tty layer (N_TTY). */
export function serialTtyInit(): Tty {
  ttyS0 = ttyRegister("ttyS0", TTY_MAJOR, TTYS0_MINOR, serialTtyWrite);
  if (ttyS0 == null) {
    printk("\x013serial8250: cannot make ttyS0\n");
    return null;
  }
  ttyRegisterDriver("ttyS", TTY_MAJOR, TTYS0_MINOR, 4);
  ttyCreateNode(ttyS0);
  ttyS0.unthrottle = serialUnthrottle;
  ttyS0.cflag = (ttyS0.cflag & ~CBAUD) | B115200 | CLOCAL;
  printk("\x016Serial: 8250/16550 driver, 1 ports, IRQ sharing disabled\n");
  const error = requestIrq(SERIAL_IRQ, serialInterrupt, "ttyS0", 0);
  if (error < 0) {
    printk("\x013serial8250: ttyS0: cannot get IRQ %d (error %d), no input\n", SERIAL_IRQ, error);
    return ttyS0;
  }
  while ((inb(COM1 + UART_LSR) & LSR_DATA_READY) != 0) inb(COM1 + UART_DATA); // typed before boot: drop
  outb(COM1 + UART_IER, IER_RDI);
  printk("\x016serial8250: ttyS0 at I/O 0x%x (irq = %d, base_baud = 115200) is a 16550A\n", COM1, SERIAL_IRQ);
  return ttyS0;
}
