// ne2k-pci.ts — the PCI NE2000 clones (RealTek RTL-8029 and friends): the board part of the
// driver; the chip itself is driven by the 8390 module, whose exports this one calls. So
// `modprobe ne2k-pci` loads 8390 first (depends=8390), and `rmmod 8390` is refused while this
// module is loaded. At boot the kernel's coldplug asks for the card's modalias
// (pci:v000010ECd00008029…), which matches the MODULE_ALIAS below: the driver loads by itself.
//
// probe (Linux's ne2k_pci_init_one): enable the device, take BAR 0 (32 I/O ports), check that
// an 8390 answers there (CR not 0xFF; the tally counter reads 0 after being read), reset it
// (a read of the reset port; wait for ISR.RST), read the station address PROM by remote DMA
// (each byte of the MAC is stored twice: 16-bit wide reads return one copy each), set up an
// EiDevice with the four board hooks, and register eth%d:
//
//   ne2k-pci 0000:00:05.0 eth0: RealTek RTL-8029(AS) found at 0x300, IRQ 10, 00:22:15:f1:9b:e5.
//
// The interrupt line is requested when the interface goes up (open) and freed when it goes
// down, as in Linux, so /proc/interrupts shows "eth0" on IRQ 10 while eth0 is up.
// remove (rmmod ne2k-pci): unregister the interface — which takes it down first if it is up,
// as Linux does: the driver is not "in use" because an interface is up; unloading it simply
// makes the interface go away (with its routes and ARP entries).
// /proc/driver/ne2k-pci lists the cards this driver drives.
//
// Data moves through the data port (base + 0x10) with 32-bit `in`/`out` (USE_LONGIO); v86
// models the RTL8029's 32-bit data port.

import {
  E8390_CMD, E8390_NODMA, E8390_PAGE0, E8390_PAGE1, E8390_RREAD, E8390_RWRITE, E8390_START, E8390_STOP, EN0_COUNTER0, EN0_DCFG, EN0_IMR,
  EN0_ISR, EN0_RCNTHI, EN0_RCNTLO, EN0_RSARHI, EN0_RSARLO, EN0_RXCR, EN0_TXCR, ENISR_RDC, ENISR_RESET, EiDevice, NS8390_init, allocEiNetdev,
  ei_close, ei_interrupt, ei_open, ei_start_xmit, netdevPriv,
} from "./8390";

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PCI NE2000 clone (RealTek RTL-8029) driver");
MODULE_AUTHOR("Lokum, after Donald Becker and Paul Gortmaker's ne2k-pci.c");
MODULE_ALIAS("pci:v000010ECd00008029sv*sd*bc*sc*i*");

const NE_DATAPORT: u32 = 0x10;
const NE_RESET: u32 = 0x1f;
const NE_IO_EXTENT: u32 = 0x20;
const NESM_START_PG: u32 = 0x40; // the first page of the card's packet RAM
const NESM_STOP_PG: u32 = 0x80; //  one past its last
const TX_PAGES: u32 = 12; //        room for two full frames (we use one)
const RESET_SPINS: i32 = 100000;

const ne2kIds: StaticArray<u32> = [
  0x10ec, 0x8029, 0xffffffff, 0xffffffff, 0, 0, 0, // RealTek RTL-8029(AS)
  0, 0, 0, 0, 0, 0, 0,
];

const MAX_CARDS: i32 = 4;
const cards = new StaticArray<NetDevice>(4);
const macText = new StaticArray<u8>(20);

function port(dev: NetDevice, reg: u32): u16 {
  return <u16>(dev.baseAddr + reg);
}

/** Resets the chip: a read of the reset port, then wait for ISR.RST. */
function ne2kReset8390(dev: NetDevice): void {
  outb(port(dev, NE_RESET), inb(port(dev, NE_RESET)));
  for (let i = 0; i < RESET_SPINS; i++) {
    if ((inb(port(dev, EN0_ISR)) & ENISR_RESET) != 0) break;
  }
  outb(port(dev, EN0_ISR), <u8>ENISR_RESET);
}

/** Starts a remote DMA of count bytes at addr in the card's memory (read or write). */
function remoteDma(dev: NetDevice, count: u32, addr: u32, command: u32): void {
  outb(port(dev, E8390_CMD), <u8>(E8390_NODMA | E8390_PAGE0 | E8390_START));
  outb(port(dev, EN0_RCNTLO), <u8>count);
  outb(port(dev, EN0_RCNTHI), <u8>(count >> 8));
  outb(port(dev, EN0_RSARLO), <u8>addr);
  outb(port(dev, EN0_RSARHI), <u8>(addr >> 8));
  outb(port(dev, E8390_CMD), <u8>(command | E8390_START));
}

/** The 4-byte header before a frame in the receive ring. */
function ne2kGetHdr(dev: NetDevice, hdr: usize, ringPage: u32): void {
  remoteDma(dev, 4, ringPage << 8, E8390_RREAD);
  store<u32>(hdr, inl(port(dev, NE_DATAPORT)));
  outb(port(dev, EN0_ISR), <u8>ENISR_RDC);
}

/** count bytes of a frame at ringOffset into buf (the chip wraps at the end of the ring). */
function ne2kBlockInput(dev: NetDevice, count: u32, buf: usize, ringOffset: u32): void {
  remoteDma(dev, count, ringOffset, E8390_RREAD);
  const data = port(dev, NE_DATAPORT);
  const words = count >> 2;
  for (let i: u32 = 0; i < words; i++) store<u32>(buf + i * 4, inl(data));
  let at = buf + words * 4;
  if ((count & 2) != 0) {
    store<u16>(at, inw(data));
    at += 2;
  }
  if ((count & 1) != 0) store<u8>(at, inb(data));
  outb(port(dev, EN0_ISR), <u8>ENISR_RDC);
}

/** count bytes from buf to the card at startPage (rounded up to whole 32-bit words). */
function ne2kBlockOutput(dev: NetDevice, count: u32, buf: usize, startPage: u32): void {
  count = (count + 3) & ~3;
  outb(port(dev, EN0_ISR), <u8>ENISR_RDC);
  remoteDma(dev, count, startPage << 8, E8390_RWRITE);
  const data = port(dev, NE_DATAPORT);
  for (let i: u32 = 0; i < count; i += 4) outl(data, load<u32>(buf + i));
  for (let i = 0; i < RESET_SPINS; i++) {
    if ((inb(port(dev, EN0_ISR)) & ENISR_RDC) != 0) break;
  }
  outb(port(dev, EN0_ISR), <u8>ENISR_RDC);
}

function ne2kOpen(dev: NetDevice): i32 {
  const r = requestIrq(dev.irq, ei_interrupt, changetype<string>(changetype<usize>(dev.name)), changetype<usize>(dev));
  if (r < 0) return r;
  return ei_open(dev);
}

function ne2kClose(dev: NetDevice): i32 {
  ei_close(dev);
  freeIrq(dev.irq, changetype<usize>(dev));
  return 0;
}

const ne2kNetdevOps: NetDeviceOps = { open: ne2kOpen, stop: ne2kClose, startXmit: ei_start_xmit };

/** Reads the 32-byte station address PROM; the MAC is its first 6 (16-bit wide) reads. */
function readSaProm(ioaddr: u32, mac: usize): void {
  const p = <u16>ioaddr;
  outb(p + <u16>E8390_CMD, <u8>(E8390_NODMA | E8390_PAGE0 | E8390_STOP));
  outb(p + <u16>EN0_DCFG, 0x49); // word-wide access
  outb(p + <u16>EN0_RCNTLO, 0);
  outb(p + <u16>EN0_RCNTHI, 0);
  outb(p + <u16>EN0_IMR, 0);
  outb(p + <u16>EN0_ISR, 0xff);
  outb(p + <u16>EN0_RXCR, 0x20);
  outb(p + <u16>EN0_TXCR, 0x02);
  outb(p + <u16>EN0_RCNTLO, 32);
  outb(p + <u16>EN0_RCNTHI, 0);
  outb(p + <u16>EN0_RSARLO, 0);
  outb(p + <u16>EN0_RSARHI, 0);
  outb(p + <u16>E8390_CMD, <u8>(E8390_RREAD | E8390_START));
  for (let i: u32 = 0; i < 32; i++) {
    const b = inb(p + <u16>NE_DATAPORT);
    if (i < 6) store<u8>(mac + i, b);
  }
  outb(p + <u16>EN0_ISR, 0xff);
}

function ne2kProbe(pdev: PciDev, id: PciDeviceId): i32 {
  let slot = -1;
  for (let i = 0; i < MAX_CARDS; i++) if (cards[i] == null) { slot = i; break; }
  if (slot < 0) return -ENODEV;
  pciEnableDevice(pdev);
  const ioaddr = pciResourceStart(pdev, 0);
  const irq = <i32>pdev.irq;
  const pname = changetype<i32>(changetype<usize>(pdev.name));
  if (ioaddr == 0 || (pciResourceFlags(pdev, 0) & 1) == 0 || pciResourceLen(pdev, 0) < NE_IO_EXTENT) {
    printk(KERN_ERR + "ne2k-pci %s: no I/O resource at BAR 0\n", pname);
    return -19;
  }
  if (irq == 0) {
    printk(KERN_ERR + "ne2k-pci %s: no IRQ assigned\n", pname);
    return -19;
  }
  const p = <u16>ioaddr;
  // Is there an 8390 at all? CR must not read 0xFF, and a tally counter must clear on reading.
  const reg0 = inb(p);
  if (reg0 == 0xff) return -19;
  outb(p + <u16>E8390_CMD, <u8>(E8390_NODMA | E8390_PAGE1 | E8390_STOP));
  const regd = inb(p + 0x0d);
  outb(p + 0x0d, 0xff);
  outb(p + <u16>E8390_CMD, <u8>(E8390_NODMA | E8390_PAGE0));
  inb(p + <u16>EN0_COUNTER0); // clears it
  if (inb(p + <u16>EN0_COUNTER0) != 0) {
    outb(p, reg0);
    outb(p + 0x0d, regd);
    return -19;
  }
  // Reset the card.
  outb(p + <u16>NE_RESET, inb(p + <u16>NE_RESET));
  let acked = false;
  for (let i = 0; i < RESET_SPINS; i++) {
    if ((inb(p + <u16>EN0_ISR) & <u8>ENISR_RESET) != 0) { acked = true; break; }
  }
  if (!acked) {
    printk(KERN_ERR + "ne2k-pci %s: Card failure (no reset ack).\n", pname);
    return -19;
  }
  outb(p + <u16>EN0_ISR, 0xff);

  const dev = allocEiNetdev();
  if (dev == null) return -ENOMEM;
  readSaProm(ioaddr, changetype<usize>(dev.devAddr));
  dev.baseAddr = ioaddr;
  dev.irq = irq;
  dev.ops = ne2kNetdevOps;
  const ei = netdevPriv(dev);
  ei.name = "RealTek RTL-8029(AS)";
  ei.txStartPage = NESM_START_PG;
  ei.rxStartPage = NESM_START_PG + TX_PAGES;
  ei.stopPage = NESM_STOP_PG;
  ei.word16 = true;
  ei.reset8390 = ne2kReset8390;
  ei.get8390Hdr = ne2kGetHdr;
  ei.blockInput = ne2kBlockInput;
  ei.blockOutput = ne2kBlockOutput;
  NS8390_init(dev, 0);
  const r = registerNetdev(dev);
  if (r < 0) {
    freeNetdev(dev);
    return r;
  }
  cards[slot] = dev;
  pciSetDrvdata(pdev, changetype<usize>(dev));
  formatMac(changetype<usize>(macText), changetype<usize>(dev.devAddr), false);
  printk(KERN_INFO + "ne2k-pci %s %s: %s found at 0x%x, IRQ %d, %s.\n", pname, dev.name, ei.name, ioaddr,
    irq, macText);
  return 0;
}

function ne2kRemove(pdev: PciDev): void {
  const dev = changetype<NetDevice>(pciGetDrvdata(pdev));
  if (dev == null) return;
  unregisterNetdev(dev);
  for (let i = 0; i < MAX_CARDS; i++) if (cards[i] == dev) cards[i] = null;
  freeNetdev(dev);
}

const ne2kDriver: PciDriver = { name: "ne2k-pci", probe: ne2kProbe, remove: ne2kRemove };

function showDriver(m: SeqBuf): void {
  for (let i = 0; i < MAX_CARDS; i++) {
    const dev = cards[i];
    if (dev == null) continue;
    formatMac(changetype<usize>(macText), changetype<usize>(dev.devAddr), false);
    seqPrintf(m, "%s: %s at 0x%x, IRQ %d, %s, %s\n", dev.name, netdevPriv(dev).name, dev.baseAddr, dev.irq,
      macText, (dev.flags & 1) != 0 ? "up" : "down");
  }
}

export function init_module(): i32 {
  ne2kDriver.idTable = changetype<usize>(ne2kIds);
  const r = registerPciDriver(ne2kDriver);
  if (r < 0) return r;
  procCreateFile("driver/ne2k-pci", showDriver);
  return 0;
}

export function cleanup_module(): void {
  procRemove("driver/ne2k-pci");
  unregisterPciDriver(ne2kDriver);
}
