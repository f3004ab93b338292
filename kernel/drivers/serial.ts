// serial.ts — the 16550 UART on COM1 (I/O ports 0x3F8–0x3FF), the system console's wire.
//
// For now output only, polled: before each byte we wait until the Line Status Register says
// the transmit holding register is empty (bit 5). Under v86 it always is (platform/v86.md 2a),
// on real hardware or QEMU the wait matters. Interrupt-driven input comes with the tty layer.
//
// Registers (offsets from the base port; DLAB = bit 7 of LCR selects the divisor latch):
//   +0 THR/RBR (DLAB=0) or divisor low   +1 IER (DLAB=0) or divisor high
//   +2 FCR (write)                        +3 LCR   +4 MCR   +5 LSR

export const COM1: u16 = 0x3f8;

const UART_DATA: u16 = 0;
const UART_IER: u16 = 1;
const UART_FCR: u16 = 2;
const UART_LCR: u16 = 3;
const UART_MCR: u16 = 4;
const UART_LSR: u16 = 5;

const LCR_DLAB: u8 = 0x80;
const LCR_8N1: u8 = 0x03;
const FCR_ENABLE_CLEAR_14: u8 = 0xc7; // FIFO on, clear both, 14-byte receive threshold
const MCR_DTR_RTS_OUT2: u8 = 0x0b; // OUT2 gates the UART's IRQ line on PCs
const LSR_THR_EMPTY: u8 = 0x20;

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
