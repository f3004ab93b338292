// 8390.ts — the National Semiconductor DP8390 Ethernet core, shared by every NE2000-style board
// driver (Linux's 8390.ko = lib8390.c + exports). This module drives the chip; a board driver
// (ne2k-pci) finds the card, resets it, reads its address, and supplies four hooks for what
// differs between boards: how to reset, and how to move bytes between the card's packet memory
// and the host (get8390Hdr, blockInput, blockOutput).
//
// The chip (DP8390 datasheet; the RTL8029 is a PCI clone):
//   - 32 KiB of packet memory in 256-byte pages. Pages txStartPage.. hold the frame being sent;
//     pages rxStartPage..stopPage form the receive ring, where the chip writes every frame it
//     accepts behind a 4-byte header (status, next page, byte count incl. header).
//   - The ring has two pointers: CURR (page 1 register 7), where the chip writes next, and BNRY
//     (boundary), the page before the first one the host has not read. ei_receive reads frames
//     from BNRY+1 until it reaches CURR and moves BNRY behind them, giving the pages back.
//   - The host moves bytes with "remote DMA": load the address (RSAR) and count (RBCR), issue
//     read or write in CR, then read or write the data port; the chip signals the end with
//     ISR.RDC.
//   - ISR says what happened (PRX received, PTX sent, RXE/TXE errors, OVW ring overrun, CNT
//     tally counters half full, RDC remote DMA done, RST reset); writing 1s clears bits. IMR
//     chooses which raise the interrupt line. The NE2000 on PCI is level-triggered: the line
//     stays up while IMR & ISR != 0, so ei_interrupt loops until ISR is clear.
//
// Transmit uses one buffer (Linux uses two halves of TX_PAGES): eiStartXmit copies the frame
// (zero-padded to the Ethernet minimum of 60 bytes) into it, starts the transmission and stops
// the device's queue; the "packet transmitted" interrupt counts it and wakes the queue, and the
// network core sends whatever waited. Bad frames in the ring (length outside 60..1518, receive
// status not OK, a next-page pointer outside the ring) are counted (rx_length_errors,
// rx_frame_errors) and skipped; a corrupt ring is reset to empty. v86's NE2000 never reports an
// overrun (it drops frames when the ring is full), but the code handles OVW the way Linux does
// in spirit: count it, empty the ring, go on.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("National Semiconductor DP8390 Ethernet core (NE2000 and clones)");
MODULE_AUTHOR("Lokum, after Donald Becker and Paul Gortmaker's 8390 driver");

// Registers, page 0 (reads / writes differ for some)
export const E8390_CMD: u32 = 0x00;
export const EN0_STARTPG: u32 = 0x01;
export const EN0_STOPPG: u32 = 0x02;
export const EN0_BOUNDARY: u32 = 0x03;
export const EN0_TSR: u32 = 0x04; //   read: transmit status
export const EN0_TPSR: u32 = 0x04; //  write: transmit start page
export const EN0_TCNTLO: u32 = 0x05;
export const EN0_TCNTHI: u32 = 0x06;
export const EN0_ISR: u32 = 0x07;
export const EN0_RSARLO: u32 = 0x08;
export const EN0_RSARHI: u32 = 0x09;
export const EN0_RCNTLO: u32 = 0x0a;
export const EN0_RCNTHI: u32 = 0x0b;
export const EN0_RXCR: u32 = 0x0c;
export const EN0_TXCR: u32 = 0x0d;
export const EN0_COUNTER0: u32 = 0x0d;
export const EN0_COUNTER1: u32 = 0x0e;
export const EN0_COUNTER2: u32 = 0x0f;
export const EN0_DCFG: u32 = 0x0e;
export const EN0_IMR: u32 = 0x0f;
export const EN1_PHYS: u32 = 0x01; //  page 1: PAR0-5
export const EN1_CURPAG: u32 = 0x07;
export const EN1_MULT: u32 = 0x08;

// CR bits
export const E8390_STOP: u32 = 0x01;
export const E8390_START: u32 = 0x02;
export const E8390_TRANS: u32 = 0x04;
export const E8390_RREAD: u32 = 0x08;
export const E8390_RWRITE: u32 = 0x10;
export const E8390_NODMA: u32 = 0x20;
export const E8390_PAGE0: u32 = 0x00;
export const E8390_PAGE1: u32 = 0x40;

// ISR / IMR bits
export const ENISR_RX: u32 = 0x01;
export const ENISR_TX: u32 = 0x02;
export const ENISR_RX_ERR: u32 = 0x04;
export const ENISR_TX_ERR: u32 = 0x08;
export const ENISR_OVER: u32 = 0x10;
export const ENISR_COUNTERS: u32 = 0x20;
export const ENISR_RDC: u32 = 0x40;
export const ENISR_RESET: u32 = 0x80;
const ENISR_ALL: u32 = 0x3f; // everything but RDC and RESET

const ENRSR_RXOK: u32 = 0x01;
const ENRSR_FO: u32 = 0x08;
const ENRSR_PHY: u32 = 0x20;
const ENTSR_PTX: u32 = 0x01;
const ENTSR_ABT: u32 = 0x08;
const ENTSR_CRS: u32 = 0x10;
const ENTSR_FU: u32 = 0x20;
const ENTSR_CDH: u32 = 0x40;
const ENTSR_OWC: u32 = 0x80;

const E8390_RXCONFIG: u32 = 0x04; // accept broadcast
const E8390_RXOFF: u32 = 0x20; //    monitor mode: accept nothing
const E8390_TXCONFIG: u32 = 0x00; // normal transmit
const E8390_TXOFF: u32 = 0x02; //    internal loopback

const ETH_ZLEN: u32 = 60;
const MAX_SERVICE: i32 = 12; // ISR loops per interrupt, as Linux

/** The chip's state and the board's hooks (Linux's struct ei_device), at dev.priv. */
@unmanaged
export class EiDevice {
  name: string; //          the board's name, for messages
  reset8390: (dev: NetDevice) => void;
  get8390Hdr: (dev: NetDevice, hdr: usize, ringPage: u32) => void;
  blockInput: (dev: NetDevice, count: u32, buf: usize, ringOffset: u32) => void;
  blockOutput: (dev: NetDevice, count: u32, buf: usize, startPage: u32) => void;
  txStartPage: u32;
  rxStartPage: u32;
  stopPage: u32;
  currentPage: u32; //      where the next received frame starts
  word16: bool;
  txing: bool; //           a frame is being sent
  dmaing: bool; //          a remote DMA is in progress (the hooks set and clear it)
  boardData: usize; //      the board driver's own pointer
  txBuf: usize; //          the padded copy of the frame to send (1536 bytes)
}

/** The EiDevice of a net device made by allocEiNetdev. */
export function netdevPriv(dev: NetDevice): EiDevice {
  return changetype<EiDevice>(dev.priv);
}

function port(dev: NetDevice, reg: u32): u16 {
  return <u16>(dev.baseAddr + reg);
}

/** A net device with an EiDevice at dev.priv (Linux's alloc_ei_netdev). */
export function allocEiNetdev(): NetDevice {
  const dev = allocEtherdev(sizeof<EiDevice>() + 1536 + 16);
  if (dev == null) return null;
  const ei = netdevPriv(dev);
  ei.txBuf = (dev.priv + sizeof<EiDevice>() + 15) & ~15;
  return dev;
}

/** Programs the chip from scratch; startp: also start it (receive on, interrupts on). */
export function NS8390_init(dev: NetDevice, startp: i32): void {
  const ei = netdevPriv(dev);
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_STOP));
  outb(port(dev, EN0_DCFG), ei.word16 ? 0x49 : 0x48);
  outb(port(dev, EN0_RCNTLO), 0);
  outb(port(dev, EN0_RCNTHI), 0);
  outb(port(dev, EN0_RXCR), <u8>E8390_RXOFF);
  outb(port(dev, EN0_TXCR), <u8>E8390_TXOFF);
  outb(port(dev, EN0_TPSR), <u8>ei.txStartPage);
  outb(port(dev, EN0_STARTPG), <u8>ei.rxStartPage);
  outb(port(dev, EN0_BOUNDARY), <u8>(ei.stopPage - 1));
  outb(port(dev, EN0_STOPPG), <u8>ei.stopPage);
  outb(port(dev, EN0_ISR), 0xff);
  outb(port(dev, EN0_IMR), 0);
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE1 | E8390_STOP));
  for (let i: u32 = 0; i < 6; i++) outb(port(dev, EN1_PHYS + i), dev.devAddr[i]);
  for (let i: u32 = 0; i < 8; i++) outb(port(dev, EN1_MULT + i), 0xff);
  outb(port(dev, EN1_CURPAG), <u8>ei.rxStartPage);
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_STOP));
  ei.currentPage = ei.rxStartPage;
  ei.txing = false;
  ei.dmaing = false;
  if (startp != 0) {
    outb(port(dev, EN0_ISR), 0xff);
    outb(port(dev, EN0_IMR), <u8>ENISR_ALL);
    outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_START));
    outb(port(dev, EN0_TXCR), <u8>E8390_TXCONFIG);
    outb(port(dev, EN0_RXCR), <u8>E8390_RXCONFIG);
  }
}

/** ifconfig up: start the chip (the board driver requested the IRQ before). */
export function ei_open(dev: NetDevice): i32 {
  NS8390_init(dev, 1);
  netifWakeQueue(dev);
  return 0;
}

/** ifconfig down: stop receiving and interrupting. */
export function ei_close(dev: NetDevice): i32 {
  NS8390_init(dev, 0);
  netifStopQueue(dev);
  return 0;
}

/** Sends one frame: copy it to the card, start the transmitter. */
export function ei_start_xmit(skb: SkBuff, dev: NetDevice): i32 {
  const ei = netdevPriv(dev);
  if (ei.txing) {
    netifStopQueue(dev);
    return 0x10; // NETDEV_TX_BUSY: the core keeps the frame
  }
  let length = skb.len;
  if (length > 1514) { // larger than an Ethernet frame: the card would send garbage
    dev.txErrors++;
    kfreeSkb(skb);
    return 0;
  }
  memory_copy(ei.txBuf, skb.data, length);
  const sendLength = length < ETH_ZLEN ? ETH_ZLEN : length;
  if (length < sendLength) memory_fill(ei.txBuf + length, 0, sendLength - length);
  memory_fill(ei.txBuf + sendLength, 0, 4); // the board may round up to 32-bit words
  outb(port(dev, EN0_IMR), 0); // no interrupts while the remote DMA runs
  ei.blockOutput(dev, sendLength, ei.txBuf, ei.txStartPage);
  triggerSend(dev, sendLength, ei.txStartPage);
  ei.txing = true;
  netifStopQueue(dev);
  dev.txBytes += sendLength;
  outb(port(dev, EN0_IMR), <u8>ENISR_ALL);
  kfreeSkb(skb);
  return 0;
}

function triggerSend(dev: NetDevice, length: u32, startPage: u32): void {
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_START));
  outb(port(dev, EN0_TCNTLO), <u8>length);
  outb(port(dev, EN0_TCNTHI), <u8>(length >> 8));
  outb(port(dev, EN0_TPSR), <u8>startPage);
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_TRANS | E8390_START));
}

/** The transmitter finished: count, and let the core send the next frame. */
function txIntr(dev: NetDevice): void {
  const ei = netdevPriv(dev);
  const status = <u32>inb(port(dev, EN0_TSR));
  outb(port(dev, EN0_ISR), <u8>ENISR_TX);
  ei.txing = false;
  if ((status & ENTSR_PTX) != 0) dev.txPackets++;
  else {
    dev.txErrors++;
    if ((status & ENTSR_ABT) != 0) dev.txAbortedErrors++;
    if ((status & ENTSR_CRS) != 0) dev.txCarrierErrors++;
    if ((status & ENTSR_FU) != 0) dev.txFifoErrors++;
    if ((status & ENTSR_CDH) != 0) dev.txHeartbeatErrors++;
    if ((status & ENTSR_OWC) != 0) dev.txWindowErrors++;
  }
  if ((status & (ENTSR_CDH | ENTSR_OWC)) != 0) dev.collisions++;
  netifWakeQueue(dev);
}

function txErr(dev: NetDevice): void {
  const status = <u32>inb(port(dev, EN0_TSR));
  outb(port(dev, EN0_ISR), <u8>ENISR_TX_ERR);
  dev.txErrors++;
  if ((status & ENTSR_ABT) != 0) dev.txAbortedErrors++;
  if ((status & ENTSR_FU) != 0) dev.txFifoErrors++;
  netdevPriv(dev).txing = false;
  netifWakeQueue(dev);
}

const header = new StaticArray<u8>(4);

/** Takes every frame between BNRY+1 and CURR out of the ring. */
function eiReceive(dev: NetDevice): void {
  const ei = netdevPriv(dev);
  // Acknowledge first: a frame that arrives while we empty the ring raises PRX again.
  outb(port(dev, EN0_ISR), <u8>(ENISR_RX | ENISR_RX_ERR));
  const ringPages = ei.stopPage - ei.rxStartPage;
  for (let rxPackets: u32 = 0; rxPackets < ringPages; rxPackets++) {
    outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE1));
    const rxingPage = <u32>inb(port(dev, EN1_CURPAG));
    outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0));
    let thisFrame = <u32>inb(port(dev, EN0_BOUNDARY)) + 1;
    if (thisFrame >= ei.stopPage) thisFrame = ei.rxStartPage;
    if (thisFrame == rxingPage) break; // the ring is empty
    const h = changetype<usize>(header);
    ei.get8390Hdr(dev, h, thisFrame);
    const status = <u32>load<u8>(h);
    const nextPage = <u32>load<u8>(h, 1);
    const count = <u32>load<u16>(h, 2);
    const pktLen = count >= 4 ? count - 4 : 0;
    if (nextPage < ei.rxStartPage || nextPage >= ei.stopPage) {
      // A header we cannot trust: forget the ring's contents (Linux resets the chip here).
      dev.rxErrors++;
      dev.rxFrameErrors++;
      outb(port(dev, EN0_BOUNDARY), <u8>(rxingPage == ei.rxStartPage ? ei.stopPage - 1 : rxingPage - 1));
      ei.currentPage = rxingPage;
      break;
    }
    if (pktLen < 60 || pktLen > 1518) {
      dev.rxErrors++;
      dev.rxLengthErrors++;
    } else if ((status & 0x0f) == ENRSR_RXOK) {
      const skb = allocSkb(pktLen + 2);
      if (skb == null) dev.rxDropped++;
      else {
        skbReserve(skb, 2); // so that the IP header is 4-byte aligned
        ei.blockInput(dev, pktLen, skbPut(skb, pktLen), (thisFrame << 8) + 4);
        ethTypeTrans(skb, dev);
        netifRx(skb);
        dev.rxPackets++;
        dev.rxBytes += pktLen;
        if ((status & ENRSR_PHY) != 0) dev.multicast++;
      }
    } else {
      dev.rxErrors++;
      if ((status & ENRSR_FO) != 0) dev.rxFifoErrors++;
    }
    ei.currentPage = nextPage;
    outb(port(dev, EN0_BOUNDARY), <u8>(nextPage == ei.rxStartPage ? ei.stopPage - 1 : nextPage - 1));
  }
}

/** The ring overflowed: count it and start over with an empty ring. */
function rxOverrun(dev: NetDevice): void {
  dev.rxOverErrors++;
  dev.rxErrors++;
  NS8390_init(dev, 1);
}

/** The interrupt handler (request_irq's handler; dev_id is the NetDevice). */
export function ei_interrupt(irq: i32, devId: usize): void {
  const dev = changetype<NetDevice>(devId);
  const ei = netdevPriv(dev);
  if (ei.dmaing) return; // the board is in the middle of a transfer; the level line comes back
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0));
  let serviced = 0;
  for (;;) {
    const interrupts = <u32>inb(port(dev, EN0_ISR));
    if (interrupts == 0 || serviced++ >= MAX_SERVICE) break;
    if ((dev.flags & 0x1) == 0) { // not up: acknowledge and ignore
      outb(port(dev, EN0_ISR), <u8>interrupts);
      break;
    }
    if ((interrupts & ENISR_OVER) != 0) rxOverrun(dev);
    else if ((interrupts & (ENISR_RX | ENISR_RX_ERR)) != 0) eiReceive(dev);
    if ((interrupts & ENISR_TX) != 0) txIntr(dev);
    else if ((interrupts & ENISR_TX_ERR) != 0) txErr(dev);
    if ((interrupts & ENISR_COUNTERS) != 0) {
      dev.rxFrameErrors += <u32>inb(port(dev, EN0_COUNTER0));
      dev.rxCrcErrors += <u32>inb(port(dev, EN0_COUNTER1));
      dev.rxMissedErrors += <u32>inb(port(dev, EN0_COUNTER2));
      outb(port(dev, EN0_ISR), <u8>ENISR_COUNTERS);
    }
    if ((interrupts & ENISR_RDC) != 0) outb(port(dev, EN0_ISR), <u8>ENISR_RDC);
    if ((interrupts & ENISR_RESET) != 0) outb(port(dev, EN0_ISR), <u8>ENISR_RESET);
    outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_START));
  }
}

EXPORT_SYMBOL(allocEiNetdev);
EXPORT_SYMBOL(NS8390_init);
EXPORT_SYMBOL(ei_open);
EXPORT_SYMBOL(ei_close);
EXPORT_SYMBOL(ei_start_xmit);
EXPORT_SYMBOL(ei_interrupt);
EXPORT_SYMBOL(netdevPriv);

export function init_module(): i32 {
  return 0;
}

export function cleanup_module(): void {}
