// pci.ts — the PCI bus: find the devices on bus 0, route their interrupts, bind drivers to them.
//
// Configuration space (PCI Local Bus spec 3.0, 3.2.2.3.2 "configuration mechanism #1"): write
// 0x80000000 | bus << 16 | device << 11 | function << 8 | register to CONFIG_ADDRESS (0xCF8),
// then read or write CONFIG_DATA (0xCFC + the register's low two bits). Each function has 256
// bytes; the standard header (type 00) holds:
//
//   0x00 vendor, device   0x04 command, status   0x08 revision, class (prog-if, sub, base)
//   0x0E header type (bit 7: multi-function)      0x10-0x24 BAR 0-5   0x2C subsystem vendor, id
//   0x3C interrupt line (the OS's note)           0x3D interrupt pin (1 = INTA … 4 = INTD)
//
// Scanning: every device 0-31 of bus 0, function 0, and functions 1-7 when the header says
// multi-function; a vendor of 0xFFFF means "nobody here". BARs are sized the classic way: write
// all ones, read back which bits stuck, write the old value again. (v86 forgets a BAR it does
// not model when it is written — the VGA's BAR 2 — which then reads 0; so do we.)
//
// Interrupt routing: a PCI card raises INTx, and on a PC something must connect INTx to an ISA
// IRQ line of the 8259 PICs. On the PIIX3 south bridge (00:01.0) that is four registers, PIRQA-D
// at config bytes 0x60-0x63 (bit 7 set = not routed), and the board wires device `slot`'s pin
// INTx to PIRQ[(x + slot - 1) & 3] (QEMU and v86 both do that; a BIOS would describe it in its
// $PIR table). With no BIOS everything starts unrouted, and v86 then delivers the card's
// interrupt on IRQ 0 — the timer's line. So we do the BIOS's job: PIRQA-D → IRQ 10, 11, 9, 5
// (free ISA lines: not 0 timer, 1 keyboard, 2 cascade, 4 serial, 8 RTC, 14/15 IDE; IRQ 10 is
// also where SeaBIOS puts the NE2000 for Linux), write each device's IRQ into its interrupt
// line register, and mark those IRQs level-triggered in the PIIX3's ELCR (ports 0x4D0/0x4D1),
// as PCI interrupts are. An IDE controller in legacy ("compatibility") mode uses IRQ 14/15 and
// is left alone.
//
// /proc/bus/pci/devices has Linux's format, one line per device, tab-separated: bus and devfn
// ("0028"), vendor and device ("10ec8029"), the IRQ in hex, the 7 resources (BAR 0-5, ROM) as
// start | BAR flag bits, their 7 sizes, and the bound driver's name.
//
// Drivers: registerPciDriver(drv) adds a PciDriver (name, id table, probe, remove) and offers it
// every device without a driver whose vendor/device/subsystem/class match a row of its table,
// like Linux's pci_register_driver. Each device also has a modalias string
// ("pci:v000010ECd00008029sv…sd…bc02sc00i00") for loading the driver module on demand.

import { KERN_ERR, KERN_INFO, KERN_WARNING, printk, snprintf } from "../printk";
import { procCreateFile } from "../fs/procfs";
import { SeqBuf, seqPrintf, seqPuts } from "../fs/seq";

const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;
const CONFIG_ENABLE: u32 = 0x80000000;

export const PCI_VENDOR_ID: u8 = 0x00;
export const PCI_DEVICE_ID: u8 = 0x02;
export const PCI_COMMAND: u8 = 0x04;
export const PCI_REVISION_ID: u8 = 0x08;
export const PCI_CLASS_REVISION: u8 = 0x08;
export const PCI_HEADER_TYPE: u8 = 0x0e;
export const PCI_BASE_ADDRESS_0: u8 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID: u8 = 0x2c;
export const PCI_SUBSYSTEM_ID: u8 = 0x2e;
export const PCI_ROM_ADDRESS: u8 = 0x30;
export const PCI_INTERRUPT_LINE: u8 = 0x3c;
export const PCI_INTERRUPT_PIN: u8 = 0x3d;

export const PCI_COMMAND_IO: u16 = 0x1;
export const PCI_COMMAND_MEMORY: u16 = 0x2;
export const PCI_COMMAND_MASTER: u16 = 0x4;

/** Resource flags: the low bits of the BAR, as /proc/bus/pci/devices shows them. */
export const PCI_BAR_IO: u32 = 0x1;
export const PCI_BAR_MEM_TYPE_64: u32 = 0x4;
export const PCI_BAR_MEM_PREFETCH: u32 = 0x8;

export const PCI_ANY_ID: u32 = 0xffffffff;
export const PCI_NUM_RESOURCES: i32 = 7; // BAR 0-5 and the expansion ROM

const PIIX3_VENDOR: u16 = 0x8086;
const PIIX3_ISA_DEVICE: u16 = 0x7000;
const PIIX3_PIRQ_ROUTE: u8 = 0x60; // PIRQA; B, C, D follow
const PIRQ_DISABLED: u8 = 0x80;
const ELCR_MASTER: u16 = 0x4d0;
const ELCR_SLAVE: u16 = 0x4d1;
const pirqIrqs: StaticArray<u8> = [10, 11, 9, 5];

const PCI_CLASS_STORAGE_IDE: u32 = 0x0101;

/** One PCI function. */
@unmanaged
export class PciDev {
  next: PciDev; //            the next device found (bus order)
  bus: u8;
  devfn: u8; //               device << 3 | function
  headerType: u8;
  irqPin: u8; //              1 = INTA … 4 = INTD, 0 = none
  irq: u8; //                 the ISA IRQ its pin is routed to (0 = none)
  revision: u8;
  vendor: u16;
  device: u16;
  subsystemVendor: u16;
  subsystemDevice: u16;
  classCode: u32; //          base class << 16 | subclass << 8 | programming interface
  resourceStart = new StaticArray<u32>(7); // I/O port or physical address of BAR 0-5, ROM
  resourceSize = new StaticArray<u32>(7); //  0: not implemented
  resourceFlags = new StaticArray<u32>(7); // low bits of the BAR (PCI_BAR_*)
  driver: PciDriver; //       bound driver, or null
  driverData: usize; //       the driver's own pointer
  name = new StaticArray<u8>(16); //     "0000:00:05.0"
  modalias = new StaticArray<u8>(64); // "pci:v…d…sv…sd…bc…sc…i…"
}

/** One row of a driver's id table (Linux's struct pci_device_id); PCI_ANY_ID matches anything.
 *  A table ends with a row whose vendor, subvendor and classMask are all 0. */
@unmanaged
export class PciDeviceId {
  vendor: u32;
  device: u32;
  subvendor: u32;
  subdevice: u32;
  classCode: u32;
  classMask: u32;
  driverData: usize;
}

/** A PCI driver (Linux's struct pci_driver). probe returns 0 to take the device, or -errno. */
@unmanaged
export class PciDriver {
  name: string;
  idTable: usize; // the address of its PciDeviceId rows
  probe: (dev: PciDev, id: PciDeviceId) => i32;
  remove: (dev: PciDev) => void;
  next: PciDriver;
}

const MAX_DEVICES: i32 = 32;
const DEVICE_SLOT: usize = 256; // bytes per PciDev in the pool (checked in pciInit)
const devicePool = new StaticArray<u8>(8192);
let deviceCount: i32 = 0;
let firstDevice: PciDev = null;
let lastDevice: PciDev = null;
let drivers: PciDriver = null;

// ---- configuration space ------------------------------------------------------------------------

function configAddress(bus: u8, devfn: u8, offset: u8): u32 {
  return CONFIG_ENABLE | (<u32>bus << 16) | (<u32>devfn << 8) | (<u32>offset & 0xfc);
}

export function pciConfigRead32(bus: u8, devfn: u8, offset: u8): u32 {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  return inl(CONFIG_DATA);
}

export function pciConfigRead16(bus: u8, devfn: u8, offset: u8): u16 {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  return inw(CONFIG_DATA + (<u16>offset & 2));
}

export function pciConfigRead8(bus: u8, devfn: u8, offset: u8): u8 {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  return inb(CONFIG_DATA + (<u16>offset & 3));
}

export function pciConfigWrite32(bus: u8, devfn: u8, offset: u8, value: u32): void {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  outl(CONFIG_DATA, value);
}

export function pciConfigWrite16(bus: u8, devfn: u8, offset: u8, value: u16): void {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  outw(CONFIG_DATA + (<u16>offset & 2), value);
}

export function pciConfigWrite8(bus: u8, devfn: u8, offset: u8, value: u8): void {
  outl(CONFIG_ADDRESS, configAddress(bus, devfn, offset));
  outb(CONFIG_DATA + (<u16>offset & 3), value);
}

// The same, for a device found by the scan (what drivers use).
export function pciReadConfigByte(dev: PciDev, offset: u8): u8 { return pciConfigRead8(dev.bus, dev.devfn, offset); }
export function pciReadConfigWord(dev: PciDev, offset: u8): u16 { return pciConfigRead16(dev.bus, dev.devfn, offset); }
export function pciReadConfigDword(dev: PciDev, offset: u8): u32 { return pciConfigRead32(dev.bus, dev.devfn, offset); }
export function pciWriteConfigByte(dev: PciDev, offset: u8, value: u8): void { pciConfigWrite8(dev.bus, dev.devfn, offset, value); }
export function pciWriteConfigWord(dev: PciDev, offset: u8, value: u16): void { pciConfigWrite16(dev.bus, dev.devfn, offset, value); }
export function pciWriteConfigDword(dev: PciDev, offset: u8, value: u32): void { pciConfigWrite32(dev.bus, dev.devfn, offset, value); }

/** Turns on I/O and memory decoding (Linux's pci_enable_device). */
export function pciEnableDevice(dev: PciDev): i32 {
  const command = pciReadConfigWord(dev, PCI_COMMAND);
  pciWriteConfigWord(dev, PCI_COMMAND, command | PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
  return 0;
}

/** Lets the device master the bus (DMA). */
export function pciSetMaster(dev: PciDev): void {
  pciWriteConfigWord(dev, PCI_COMMAND, pciReadConfigWord(dev, PCI_COMMAND) | PCI_COMMAND_MASTER);
}

export function pciResourceStart(dev: PciDev, bar: i32): u32 { return dev.resourceStart[bar]; }
export function pciResourceLen(dev: PciDev, bar: i32): u32 { return dev.resourceSize[bar]; }
export function pciResourceFlags(dev: PciDev, bar: i32): u32 { return dev.resourceFlags[bar]; }

// ---- the scan -------------------------------------------------------------------------------------

/** Sizes BAR `bar` (0-5). Returns how many BAR slots it used (2 for a 64-bit memory BAR). */
function probeBar(dev: PciDev, bar: i32): i32 {
  const offset = <u8>(PCI_BASE_ADDRESS_0 + 4 * bar);
  const original = pciReadConfigDword(dev, offset);
  pciWriteConfigDword(dev, offset, 0xffffffff);
  const mask = pciReadConfigDword(dev, offset);
  pciWriteConfigDword(dev, offset, original);
  if (mask == 0) return 1; // not implemented
  if ((original & PCI_BAR_IO) != 0) {
    const size = ((~(mask & 0xfffffffc)) & 0xffff) + 1;
    dev.resourceStart[bar] = original & 0xfffffffc;
    dev.resourceSize[bar] = size;
    dev.resourceFlags[bar] = original & 0x3;
    return 1;
  }
  dev.resourceStart[bar] = original & 0xfffffff0;
  dev.resourceSize[bar] = ~(mask & 0xfffffff0) + 1;
  dev.resourceFlags[bar] = original & 0xf;
  return (original & 0x6) == PCI_BAR_MEM_TYPE_64 ? 2 : 1; // the upper half follows: skip it
}

/** An IDE controller in legacy mode decodes the ISA ports, whatever its BARs 0-3 say (Linux's
 *  "legacy IDE quirk"): 0x1F0-0x1F7 and 0x3F6 for the primary channel, 0x170 and 0x376. */
const legacyIdePorts: StaticArray<u32> = [0x1f0, 8, 0x3f6, 1, 0x170, 8, 0x376, 1];

function applyLegacyIdeQuirk(dev: PciDev): void {
  for (let bar = 0; bar < 4; bar++) {
    dev.resourceStart[bar] = legacyIdePorts[2 * bar];
    dev.resourceSize[bar] = legacyIdePorts[2 * bar + 1];
    dev.resourceFlags[bar] = PCI_BAR_IO;
  }
}

/** Prints Linux's resource line: "BAR 0 [io  0xc000-0xc01f]" / "[mem 0x…-0x… pref]". */
function printBar(dev: PciDev, bar: i32, note: string): void {
  const start = dev.resourceStart[bar];
  const end = start + dev.resourceSize[bar] - 1;
  const name = changetype<i32>(changetype<usize>(dev.name));
  if ((dev.resourceFlags[bar] & PCI_BAR_IO) != 0) {
    if (start == end) printk(KERN_INFO + "pci %s: BAR %d [io  0x%04x]%s\n", name, bar, start, note);
    else printk(KERN_INFO + "pci %s: BAR %d [io  0x%04x-0x%04x]%s\n", name, bar, start, end, note);
  } else {
    const pref = (dev.resourceFlags[bar] & PCI_BAR_MEM_PREFETCH) != 0 ? " pref" : "";
    printk(KERN_INFO + "pci %s: BAR %d [mem 0x%08x-0x%08x%s]%s\n", name, bar, start, end, pref, note);
  }
}

function allocateDevice(): PciDev {
  if (deviceCount == MAX_DEVICES) return null;
  const dev = changetype<PciDev>(changetype<usize>(devicePool) + <usize>deviceCount * DEVICE_SLOT);
  deviceCount++;
  memory_fill(changetype<usize>(dev), 0, DEVICE_SLOT);
  return dev;
}

/** Reads one function's header into a new PciDev and prints its boot line. */
function addDevice(bus: u8, devfn: u8): PciDev {
  const dev = allocateDevice();
  if (dev == null) {
    printk(KERN_WARNING + "pci: more than %d devices, ignoring %02x:%02x.%d\n", MAX_DEVICES, bus, devfn >> 3, devfn & 7);
    return null;
  }
  dev.bus = bus;
  dev.devfn = devfn;
  dev.vendor = pciConfigRead16(bus, devfn, PCI_VENDOR_ID);
  dev.device = pciConfigRead16(bus, devfn, PCI_DEVICE_ID);
  const classRevision = pciConfigRead32(bus, devfn, PCI_CLASS_REVISION);
  dev.revision = <u8>classRevision;
  dev.classCode = classRevision >> 8;
  dev.headerType = pciConfigRead8(bus, devfn, PCI_HEADER_TYPE);
  dev.irqPin = pciConfigRead8(bus, devfn, PCI_INTERRUPT_PIN);
  snprintf(changetype<usize>(dev.name), 16, "%04x:%02x:%02x.%d", 0, bus, devfn >> 3, devfn & 7);
  const name = changetype<i32>(changetype<usize>(dev.name));
  printk(KERN_INFO + "pci %s: [%04x:%04x] type %02x class 0x%06x\n", name, dev.vendor, dev.device, dev.headerType & 0x7f, dev.classCode);
  if ((dev.headerType & 0x7f) == 0) { // a normal device (bridges have other header layouts)
    dev.subsystemVendor = pciConfigRead16(bus, devfn, PCI_SUBSYSTEM_VENDOR_ID);
    dev.subsystemDevice = pciConfigRead16(bus, devfn, PCI_SUBSYSTEM_ID);
    for (let bar = 0; bar < 6; ) bar += probeBar(dev, bar);
    const quirk = isLegacyIde(dev);
    if (quirk) applyLegacyIdeQuirk(dev);
    for (let bar = 0; bar < 6; bar++) {
      if (dev.resourceSize[bar] != 0) printBar(dev, bar, quirk && bar < 4 ? ": legacy IDE quirk" : "");
    }
  }
  snprintf(changetype<usize>(dev.modalias), 64, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", dev.vendor, dev.device, dev.subsystemVendor,
    dev.subsystemDevice, dev.classCode >> 16, (dev.classCode >> 8) & 0xff, dev.classCode & 0xff);
  if (lastDevice == null) firstDevice = dev;
  else lastDevice.next = dev;
  lastDevice = dev;
  return dev;
}

function scanBus(bus: u8): void {
  for (let slot: u32 = 0; slot < 32; slot++) {
    for (let fn: u32 = 0; fn < 8; fn++) {
      const devfn = <u8>(slot << 3 | fn);
      if (pciConfigRead16(bus, devfn, PCI_VENDOR_ID) == 0xffff) {
        if (fn == 0) break; // no device in this slot
        continue;
      }
      const dev = addDevice(bus, devfn);
      if (fn == 0 && (dev == null || (dev.headerType & 0x80) == 0)) break; // single-function
    }
  }
}

// ---- interrupt routing ------------------------------------------------------------------------

function findDevice(vendor: u16, device: u16): PciDev {
  for (let dev = firstDevice; dev != null; dev = dev.next) {
    if (dev.vendor == vendor && dev.device == device) return dev;
  }
  return null;
}

/** True for an IDE controller whose two channels both run in legacy mode (IRQ 14 and 15). */
function isLegacyIde(dev: PciDev): bool {
  return (dev.classCode >> 8) == PCI_CLASS_STORAGE_IDE && (dev.classCode & 0x5) == 0;
}

/** Programs PIRQA-D of the PIIX3 and gives every device with an interrupt pin its IRQ. */
function routeInterrupts(): void {
  const router = findDevice(PIIX3_VENDOR, PIIX3_ISA_DEVICE);
  if (router == null) {
    printk(KERN_WARNING + "PCI: no PIIX3 interrupt router found, PCI interrupts are not routed\n");
    return;
  }
  printk(KERN_INFO + "pci %s: PIIX/ICH IRQ router [%04x:%04x]\n", router.name, router.vendor, router.device);
  for (let i = 0; i < 4; i++) pciWriteConfigByte(router, <u8>(PIIX3_PIRQ_ROUTE + i), pirqIrqs[i]);
  let levelMask: u32 = 0;
  for (let dev = firstDevice; dev != null; dev = dev.next) {
    if (dev.irqPin == 0 || dev.irqPin > 4 || isLegacyIde(dev)) continue;
    const slot = <u32>dev.devfn >> 3;
    const pirq = (<u32>dev.irqPin - 1 + slot - 1) & 3;
    const irq = pirqIrqs[pirq];
    dev.irq = irq;
    pciWriteConfigByte(dev, PCI_INTERRUPT_LINE, irq);
    if ((levelMask & (1 << irq)) == 0) printk(KERN_INFO + "PCI: setting IRQ %d as level-triggered\n", irq);
    levelMask |= 1 << irq;
    printk(KERN_INFO + "pci %s: PCI INT %c -> PIRQ%c -> IRQ %d\n", dev.name, "A".charCodeAt(0) - 1 + dev.irqPin, "A".charCodeAt(0) + pirq, irq);
  }
  outb(ELCR_MASTER, inb(ELCR_MASTER) | <u8>levelMask);
  outb(ELCR_SLAVE, inb(ELCR_SLAVE) | <u8>(levelMask >> 8));
}

/** Scans bus 0 and routes the interrupts. Once, at boot. */
export function pciInit(): void {
  if (sizeof<PciDev>() > DEVICE_SLOT) {
    printk(KERN_ERR + "pci: PciDev is %d bytes, more than a pool slot\n", sizeof<PciDev>());
    return;
  }
  outl(CONFIG_ADDRESS, CONFIG_ENABLE);
  if (inl(CONFIG_ADDRESS) != CONFIG_ENABLE) {
    printk(KERN_INFO + "PCI: no configuration mechanism #1, no PCI bus\n");
    return;
  }
  printk(KERN_INFO + "PCI: Using configuration type 1 for base access\n");
  scanBus(0);
  routeInterrupts();
  printk(KERN_INFO + "PCI: %d devices on bus 0000:00\n", deviceCount);
}

// ---- devices and drivers ----------------------------------------------------------------------

/** Calls fn(dev, arg) for every device, in bus order. */
export function pciForEachDevice(fn: (dev: PciDev, arg: usize) => void, arg: usize): void {
  for (let dev = firstDevice; dev != null; dev = dev.next) fn(dev, arg);
}

export function pciFirstDevice(): PciDev { return firstDevice; }
export function pciDeviceCount(): i32 { return deviceCount; }

/** Finds a device by vendor and device id, starting after `from` (null: from the first). */
export function pciGetDevice(vendor: u32, device: u32, from: PciDev): PciDev {
  for (let dev = from == null ? firstDevice : from.next; dev != null; dev = dev.next) {
    if ((vendor == PCI_ANY_ID || vendor == dev.vendor) && (device == PCI_ANY_ID || device == dev.device)) return dev;
  }
  return null;
}

function idMatches(id: PciDeviceId, dev: PciDev): bool {
  return (id.vendor == PCI_ANY_ID || id.vendor == dev.vendor) && (id.device == PCI_ANY_ID || id.device == dev.device) &&
    (id.subvendor == PCI_ANY_ID || id.subvendor == dev.subsystemVendor) &&
    (id.subdevice == PCI_ANY_ID || id.subdevice == dev.subsystemDevice) && ((id.classCode ^ dev.classCode) & id.classMask) == 0;
}

/** The first row of `table` that matches `dev`, or null (Linux's pci_match_id). */
export function pciMatchId(table: usize, dev: PciDev): PciDeviceId {
  if (table == 0) return null;
  for (let id = changetype<PciDeviceId>(table); id.vendor != 0 || id.subvendor != 0 || id.classMask != 0;
    id = changetype<PciDeviceId>(changetype<usize>(id) + sizeof<PciDeviceId>())) {
    if (idMatches(id, dev)) return id;
  }
  return null;
}

/** Offers `dev` to `drv`; true if the driver took it. */
function tryBind(drv: PciDriver, dev: PciDev): bool {
  if (dev.driver != null) return false;
  const id = pciMatchId(drv.idTable, dev);
  if (id == null) return false;
  if (drv.probe != null) {
    const error = drv.probe(dev, id);
    if (error != 0) {
      if (error != -19) printk(KERN_WARNING + "%s %s: probe failed with error %d\n", drv.name, dev.name, error);
      return false;
    }
  }
  dev.driver = drv;
  return true;
}

/** Adds a driver and binds it to every matching device without a driver. Returns 0, or
 *  -EBUSY (16) if it is already registered. */
export function registerPciDriver(drv: PciDriver): i32 {
  for (let d = drivers; d != null; d = d.next) if (d == drv) return -16;
  drv.next = drivers;
  drivers = drv;
  for (let dev = firstDevice; dev != null; dev = dev.next) tryBind(drv, dev);
  return 0;
}

/** Removes a driver: its remove() runs for each of its devices first. */
export function unregisterPciDriver(drv: PciDriver): void {
  for (let dev = firstDevice; dev != null; dev = dev.next) {
    if (dev.driver != drv) continue;
    if (drv.remove != null) drv.remove(dev);
    dev.driver = null;
    dev.driverData = 0;
  }
  if (drivers == drv) {
    drivers = drv.next;
  } else {
    for (let d = drivers; d != null; d = d.next) {
      if (d.next == drv) {
        d.next = drv.next;
        break;
      }
    }
  }
  drv.next = null;
}

export function pciSetDrvdata(dev: PciDev, data: usize): void { dev.driverData = data; }
export function pciGetDrvdata(dev: PciDev): usize { return dev.driverData; }

// ---- /proc/bus/pci/devices --------------------------------------------------------------------

function showDevices(m: SeqBuf): void {
  for (let dev = firstDevice; dev != null; dev = dev.next) {
    seqPrintf(m, "%02x%02x\t%04x%04x\t%x", dev.bus, dev.devfn, dev.vendor, dev.device, dev.irq);
    for (let i = 0; i < PCI_NUM_RESOURCES; i++) {
      seqPrintf(m, "\t%16x", dev.resourceSize[i] != 0 ? dev.resourceStart[i] | dev.resourceFlags[i] : 0);
    }
    // Linux prints end - start + 1 only when start < end: a one-port resource shows 0.
    for (let i = 0; i < PCI_NUM_RESOURCES; i++) seqPrintf(m, "\t%16x", dev.resourceSize[i] > 1 ? dev.resourceSize[i] : 0);
    seqPuts(m, "\t");
    if (dev.driver != null) seqPuts(m, dev.driver.name);
    seqPuts(m, "\n");
  }
}

/** Publishes /proc/bus/pci/devices (once the VFS is up; the scan ran before). */
export function pciProcInit(): void {
  procCreateFile("bus/pci/devices", showDevices);
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts).
EXPORT_SYMBOL(registerPciDriver);
EXPORT_SYMBOL(unregisterPciDriver);
EXPORT_SYMBOL(pciEnableDevice);
EXPORT_SYMBOL(pciSetMaster);
EXPORT_SYMBOL(pciResourceStart);
EXPORT_SYMBOL(pciResourceLen);
EXPORT_SYMBOL(pciResourceFlags);
EXPORT_SYMBOL(pciReadConfigByte);
EXPORT_SYMBOL(pciReadConfigWord);
EXPORT_SYMBOL(pciReadConfigDword);
EXPORT_SYMBOL(pciWriteConfigByte);
EXPORT_SYMBOL(pciWriteConfigWord);
EXPORT_SYMBOL(pciWriteConfigDword);
EXPORT_SYMBOL(pciSetDrvdata);
EXPORT_SYMBOL(pciGetDrvdata);
EXPORT_SYMBOL(pciGetDevice);
