// ide-core.ts — the IDE (ATA) controller and its drives: Linux's legacy IDE layer (ide-core:
// ide.c, ide-probe.c, ide-iops.c, ide-taskfile.c, ide-dma.c and the piix.c chipset driver).
//
// Design note
// -----------
// A PC's IDE controller has two channels ("ide0" and "ide1" in Linux's words, hwifs); each
// channel has up to two drives, master and slave, on one cable. Linux named the four drives
// hda, hdb (ide0 master, slave), hdc, hdd (ide1). This module owns the controller: it binds the
// PIIX3 IDE function (PCI 8086:7010) through registerPciDriver, finds the drives with IDENTIFY
// and moves sectors with the ATA "taskfile" protocol. The disk part (ide-disk.ko: block major 3,
// /dev/hda, partitions) calls the exported functions below; it cannot load without this module.
//
// Registers of a channel (primary: command block 0x1F0-0x1F7, control 0x3F6, IRQ 14;
// secondary: 0x170-0x177, 0x376, IRQ 15 — "compatibility mode", fixed by the PC's history):
//
//   +0 data (16/32-bit)     +1 error / features    +2 sector count      +3 LBA 7:0
//   +4 LBA 15:8             +5 LBA 23:16           +6 device: 0xE0 | drive << 4 | LBA 27:24
//   +7 status / command     ctl: alt status / device control (bit 1 nIEN, bit 2 SRST)
//
//   status bits: 0x80 BSY  0x40 DRDY  0x20 DF  0x10 DSC  0x08 DRQ  0x04 CORR  0x02 IDX  0x01 ERR
//
// A command: wait until BSY is clear, select the drive, write count and LBA, write the command.
// LBA48 commands write each of count and LBA registers twice, high ("HOB") byte first.
// PIO in (READ SECTORS 0x20 / EXT 0x24): per sector (or per block of `multCount` sectors for
// READ MULTIPLE 0xC4 / 0x29) the drive sets DRQ and raises its IRQ; the host reads the status
// register (which lowers the IRQ) and 512 bytes per sector from the data port (`rep insd`, or
// `rep insw` with io32=0).
// PIO out (WRITE SECTORS 0x30 / 0x34, WRITE MULTIPLE 0xC5 / 0x39): the host waits for DRQ,
// writes the block, the drive raises an IRQ when it has taken it. Bus-master DMA (READ DMA
// 0xC8 / 0x25, WRITE DMA 0xCA / 0x35): the host writes a table of (physical address, length)
// entries — the PRD table — and its address into the controller's bus-master registers (BAR 4),
// issues the command and sets the start bit; the controller moves the data and raises one IRQ
// at the end. FLUSH CACHE (0xE7 / EXT 0xEA) asks the drive to write its cache to the medium.
//
// Interrupts or polling: Lokum's kernel runs system calls with interrupts off, and v86 finishes
// every command inside the `in`/`out` instruction that starts it (the IRQ is raised there). So a
// transfer polls the Status register once per DRQ block (that read is also what acknowledges
// the drive's IRQ) and never needs to wait; the IRQ handler, which runs when interrupts are on
// again, reads Status once and wakes a sleeper. Only a drive that stays busy (a real disk
// spinning up) makes the driver sleep, a clock tick at a time, and every wait has a limit:
// WAIT_TICKS, then "status timeout", a channel reset and -EIO. Never a hang.
//
// v86 quirks this driver knows (docs/drivers-ide.md): nIEN is set at power-on, so init writes 0
// to the device control register or no IRQ ever comes; a request past the end of the image
// gives status 0xFF (BSY set with everything else), which is read as an error at once, not as
// "busy", and after which the bus master must not be started (v86 would run the refused
// transfer anyway, outside its image); the LBA registers after READ MULTIPLE are wrong (never
// read back); IDENTIFY does not announce DMA though bus-master DMA works.

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IDE/ATA core: PIIX3 IDE controller, drive probing, PIO and bus-master DMA transfers");
MODULE_ALIAS("pci:v00008086d00007010sv*sd*bc*sc*i*");

/** Use bus-master DMA when the controller has it (0: PIO only). */
let dma: i32 = 1;
module_param(dma, "int", 0o444);
MODULE_PARM_DESC(dma, "Use bus-master DMA (1, default) or PIO only (0)");
/** Use LBA48 commands for every request (to exercise them on small disks). */
let force_lba48: i32 = 0;
module_param(force_lba48, "int", 0o444);
MODULE_PARM_DESC(force_lba48, "Use LBA48 commands even where LBA28 would do (testing)");
/** PIO data in 32-bit words (rep insd) instead of 16-bit ones. */
let io32: i32 = 1;
module_param(io32, "int", 0o444);
MODULE_PARM_DESC(io32, "PIO with 32-bit data port accesses (1, default) or 16-bit (0)");
/** Sectors per READ/WRITE MULTIPLE block (0: READ/WRITE SECTORS, one sector per DRQ). */
let multcount: i32 = 128;
module_param(multcount, "int", 0o444);
MODULE_PARM_DESC(multcount, "Sectors per DRQ block for READ/WRITE MULTIPLE (0 = off, default 128)");

// ---- registers and commands

const ATA_DATA: u32 = 0;
const ATA_ERROR: u32 = 1;
const ATA_NSECT: u32 = 2;
const ATA_LBAL: u32 = 3;
const ATA_LBAM: u32 = 4;
const ATA_LBAH: u32 = 5;
const ATA_DEVICE: u32 = 6;
const ATA_STATUS: u32 = 7; // write: command

const BSY: u32 = 0x80;
const DRDY: u32 = 0x40;
const DF: u32 = 0x20;
const DRQ: u32 = 0x08;
const ERR: u32 = 0x01;
/** A status no drive gives while working: v86's answer to a request past the end, or an empty bus. */
const STATUS_BAD: u32 = 0xff;
/** Returned by waitStatus when the drive stayed busy too long (not a register value). */
const STATUS_TIMEOUT: u32 = 0x100;

const CTL_NIEN: u8 = 0x02;
const CTL_SRST: u8 = 0x04;

const CMD_READ_SECTORS: u8 = 0x20;
const CMD_READ_SECTORS_EXT: u8 = 0x24;
const CMD_READ_MULTIPLE: u8 = 0xc4;
const CMD_READ_MULTIPLE_EXT: u8 = 0x29;
const CMD_WRITE_SECTORS: u8 = 0x30;
const CMD_WRITE_SECTORS_EXT: u8 = 0x34;
const CMD_WRITE_MULTIPLE: u8 = 0xc5;
const CMD_WRITE_MULTIPLE_EXT: u8 = 0x39;
const CMD_READ_DMA: u8 = 0xc8;
const CMD_READ_DMA_EXT: u8 = 0x25;
const CMD_WRITE_DMA: u8 = 0xca;
const CMD_WRITE_DMA_EXT: u8 = 0x35;
const CMD_SET_MULTIPLE: u8 = 0xc6;
const CMD_FLUSH_CACHE: u8 = 0xe7;
const CMD_FLUSH_CACHE_EXT: u8 = 0xea;
const CMD_IDENTIFY: u8 = 0xec;
const CMD_IDENTIFY_PACKET: u8 = 0xa1;

// Bus-master registers (BAR 4; +8 for the secondary channel).
const BM_COMMAND: u32 = 0; //  bit 0 start, bit 3 direction: 1 = device to memory
const BM_STATUS: u32 = 2; //   bit 0 active, bit 1 error, bit 2 interrupt (write 1 to clear)
const BM_PRDT: u32 = 4; //     physical address of the PRD table
const BM_START: u8 = 0x01;
const BM_TO_MEMORY: u8 = 0x08;
const BM_ST_ACTIVE: u8 = 0x01;
const BM_ST_ERROR: u8 = 0x02;
const BM_ST_IRQ: u8 = 0x04;

const PAGE_OFFSET: u32 = 0xc0000000; // kernel virtual = physical + PAGE_OFFSET in low memory
const LOWMEM_END: u32 = 0xd0000000; //  the 256 MiB the kernel maps linearly
const PRD_EOT: u32 = 0x80000000;
const LBA28_LIMIT: u32 = 0x10000000; // sectors an LBA28 command can address
const PRD_MAX_ENTRIES: u32 = 512; //     one page of 8-byte entries

/** Clock ticks a drive may stay busy before the driver gives up (Linux's WAIT_CMD: 10 s). */
const WAIT_TICKS: u32 = 1000;
/** Status reads before the first sleep: a drive that answers at once is never slept on. */
const SPIN_READS: i32 = 1000;

export const IDE_MAX_HWIFS: i32 = 2;
export const IDE_MAX_DRIVES: i32 = 4;
export const IDE_MEDIA_NONE: i32 = 0;
export const IDE_MEDIA_DISK: i32 = 1;
export const IDE_MEDIA_CDROM: i32 = 2;

/** One channel (Linux's ide_hwif_t). */
@unmanaged
export class IdeHwif {
  index: i32; //          0 = ide0 (primary), 1 = ide1
  ioBase: u32; //         command block
  ctlBase: u32; //        control / alternate status
  irq: i32;
  bmBase: u32; //         bus-master registers, 0 = no DMA
  prdTable: usize; //     one page of PRD entries (virtual)
  irqs: u32; //           interrupts taken
  sleeps: u32; //         clock ticks slept waiting for a busy drive
  sleepers: i32; //       processes sleeping on the channel (waking nobody costs a scan)
  lastStatus: u32; //     Status read by the last interrupt
  busy: bool; //          a command is in progress (another caller waits)
  selected: i32; //       drive selected in the device register (-1: unknown)
  irqRequested: bool;
  name = new StaticArray<u8>(8);
}

/** One drive (Linux's ide_drive_t). */
@unmanaged
export class IdeDrive {
  hwif: IdeHwif;
  unit: u32; //           0 master, 1 slave
  index: i32; //          0 = hda … 3 = hdd
  media: i32; //          IDE_MEDIA_*
  lba48: bool; //         LBA48 commands supported
  useDma: bool; //        transfers by bus-master DMA
  flushSupported: bool; //FLUSH CACHE (EXT)
  sectors: u32; //        capacity in 512-byte sectors
  cyls: u32; //           IDENTIFY geometry (for the CHS= line)
  heads: u32;
  sects: u32;
  cacheKiB: u32; //       drive buffer size
  multCount: u32; //      sectors per READ/WRITE MULTIPLE block, 0 = single sectors
  reads: u32; //          sectors read and written, errors (for /proc/driver/ide)
  writes: u32;
  errors: u32;
  name = new StaticArray<u8>(8); //   "hda"
  model = new StaticArray<u8>(44);
  serial = new StaticArray<u8>(24);
  firmware = new StaticArray<u8>(12);
}

const hwifs = new StaticArray<IdeHwif>(2);
const drives = new StaticArray<IdeDrive>(4);
const identifyBuf = new StaticArray<u8>(512);
let controller: PciDev = null;

// ---- string port I/O: `rep insw` / `rep outsw` (no compiler intrinsic; cdecl arguments at ebp+8…)

/** Reads `words` 16-bit words from `port` into memory at `buf`. */
function insw(port: u32, buf: usize, words: u32): void {
  asm("push edi; mov edx, dword ptr [ebp+8]; mov edi, dword ptr [ebp+12]; mov ecx, dword ptr [ebp+16]; cld; rep insw; pop edi");
}

/** Writes `words` 16-bit words from memory at `buf` to `port`. */
function outsw(port: u32, buf: usize, words: u32): void {
  asm("push esi; mov edx, dword ptr [ebp+8]; mov esi, dword ptr [ebp+12]; mov ecx, dword ptr [ebp+16]; cld; rep outsw; pop esi");
}

/** Reads `dwords` 32-bit words from `port` (the drive's data port takes 32-bit I/O too:
 *  half the port accesses of insw). */
function insl(port: u32, buf: usize, dwords: u32): void {
  asm("push edi; mov edx, dword ptr [ebp+8]; mov edi, dword ptr [ebp+12]; mov ecx, dword ptr [ebp+16]; cld; rep insd; pop edi");
}

function outsl(port: u32, buf: usize, dwords: u32): void {
  asm("push esi; mov edx, dword ptr [ebp+8]; mov esi, dword ptr [ebp+12]; mov ecx, dword ptr [ebp+16]; cld; rep outsd; pop esi");
}

// ---- exported to ide-disk

/** Drive `index` (0 = hda … 3 = hdd), or null when nothing answered there. */
export function ideDriveAt(index: i32): IdeDrive {
  if (index < 0 || index >= IDE_MAX_DRIVES) return null;
  return drives[index];
}

/** The drive's name ("hda") as a string, for messages. */
export function ideDriveName(drive: IdeDrive): string {
  return changetype<string>(changetype<usize>(drive.name));
}

// ---- waiting for the drive, every wait bounded

function hwifChan(hwif: IdeHwif): usize {
  return changetype<usize>(hwif);
}

/** Sleeps one clock tick, or until the channel's interrupt or unlock. Time always passes:
 *  the callers' limits count clock ticks. */
function hwifSleep(hwif: IdeHwif): void {
  hwif.sleepers++;
  hwif.sleeps++;
  if (sleepOnTimeout(hwifChan(hwif), 1) < 0) {
    // A signal is pending, so sleepOn returned at once, interrupts still off: jiffies would
    // never move and a lock holder never run. Disk I/O is not interruptible (Linux's D
    // state): wait for the next interrupt with interrupts on, then let others run.
    sti();
    hlt();
    cli();
    yieldCpu();
  }
  hwif.sleepers--;
}

function hwifWake(hwif: IdeHwif): void {
  if (hwif.sleepers > 0) wakeUp(hwifChan(hwif));
}

/** The Status register once BSY is clear (or 0xFF at once); STATUS_TIMEOUT | status when the
 *  drive stayed busy for WAIT_TICKS. Reading Status acknowledges the drive's interrupt. */
function waitStatus(hwif: IdeHwif): u32 {
  const port = <u16>(hwif.ioBase + ATA_STATUS);
  let status = <u32>inb(port);
  if ((status & BSY) == 0 || status == STATUS_BAD) return status;
  for (let i = 0; i < SPIN_READS; i++) {
    status = <u32>inb(port);
    if ((status & BSY) == 0 || status == STATUS_BAD) return status;
  }
  const start = jiffies;
  while (jiffies - start < WAIT_TICKS) {
    hwifSleep(hwif);
    status = <u32>inb(port);
    if ((status & BSY) == 0 || status == STATUS_BAD) return status;
  }
  return STATUS_TIMEOUT | status;
}

/** About 400 ns: four reads of Alternate Status (what ATA asks after selecting a drive). */
function ataPause(hwif: IdeHwif): void {
  const port = <u16>hwif.ctlBase;
  inb(port);
  inb(port);
  inb(port);
  inb(port);
}

/** Takes the channel for one command (callers from different processes take turns). */
function hwifLock(hwif: IdeHwif): void {
  while (hwif.busy) hwifSleep(hwif);
  hwif.busy = true;
}

function hwifUnlock(hwif: IdeHwif): void {
  hwif.busy = false;
  hwifWake(hwif);
}

/** Soft reset of both drives of the channel (after a timeout), interrupts enabled again. */
function hwifReset(hwif: IdeHwif): void {
  outb(<u16>hwif.ctlBase, CTL_SRST);
  ataPause(hwif);
  outb(<u16>hwif.ctlBase, 0);
  hwif.selected = -1;
  waitStatus(hwif);
}

function selectDrive(drive: IdeDrive, headBits: u32): void {
  const hwif = drive.hwif;
  outb(<u16>(hwif.ioBase + ATA_DEVICE), <u8>(0xe0 | drive.unit << 4 | headBits));
  if (hwif.selected != <i32>drive.unit) {
    // The other drive now answers: give it 400 ns, then it must not be busy (a command's
    // status checks report a timeout here).
    hwif.selected = <i32>drive.unit;
    ataPause(hwif);
    waitStatus(hwif);
  }
}

/** Writes the taskfile (count sectors at LBA sector) and the command. */
function issueCommand(drive: IdeDrive, command: u8, sector: u32, count: u32, lba48: bool): void {
  const io = drive.hwif.ioBase;
  if (lba48) {
    selectDrive(drive, 0);
    outb(<u16>(io + ATA_NSECT), <u8>(count >> 8));
    outb(<u16>(io + ATA_LBAL), <u8>(sector >> 24));
    outb(<u16>(io + ATA_LBAM), 0); // LBA 47:32: Lokum's sectors are 32-bit
    outb(<u16>(io + ATA_LBAH), 0);
    outb(<u16>(io + ATA_NSECT), <u8>count);
    outb(<u16>(io + ATA_LBAL), <u8>sector);
    outb(<u16>(io + ATA_LBAM), <u8>(sector >> 8));
    outb(<u16>(io + ATA_LBAH), <u8>(sector >> 16));
  } else {
    selectDrive(drive, (sector >> 24) & 0xf);
    outb(<u16>(io + ATA_NSECT), <u8>count); // 256 is written as 0
    outb(<u16>(io + ATA_LBAL), <u8>sector);
    outb(<u16>(io + ATA_LBAM), <u8>(sector >> 8));
    outb(<u16>(io + ATA_LBAH), <u8>(sector >> 16));
  }
  outb(<u16>(io + ATA_STATUS), command);
}

// ---- error reports, in the words of Linux's ide_dump_status

function dumpStatus(drive: IdeDrive, where: string, status: u32): void {
  const name = changetype<usize>(drive.name);
  if ((status & STATUS_TIMEOUT) != 0) {
    printk(KERN_ERR + "%s: %s: status timeout: status=0x%02x { Busy }\n", name, where, status & 0xff);
    return;
  }
  printk(KERN_ERR + "%s: %s: status=0x%02x { %s%s%s%s%s%s%s}\n", name, where, status,
    (status & BSY) != 0 ? "Busy " : "",
    (status & BSY) == 0 && (status & DRDY) != 0 ? "DriveReady " : "",
    (status & BSY) == 0 && (status & DF) != 0 ? "DeviceFault " : "",
    (status & BSY) == 0 && (status & 0x10) != 0 ? "SeekComplete " : "",
    (status & BSY) == 0 && (status & DRQ) != 0 ? "DataRequest " : "",
    (status & BSY) == 0 && (status & 0x04) != 0 ? "CorrectedError " : "",
    (status & BSY) == 0 && (status & ERR) != 0 ? "Error " : "");
  if ((status & (BSY | ERR)) == ERR) {
    const error = <u32>inb(<u16>(drive.hwif.ioBase + ATA_ERROR));
    printk(KERN_ERR + "%s: %s: error=0x%02x { %s%s%s%s%s%s}\n", name, where, error,
      (error & 0x80) != 0 ? "BadCRC " : "",
      (error & 0x40) != 0 ? "UncorrectableError " : "",
      (error & 0x10) != 0 ? "SectorIdNotFound " : "",
      (error & 0x04) != 0 ? "DriveStatusError " : "",
      (error & 0x02) != 0 ? "TrackZeroNotFound " : "",
      (error & 0x01) != 0 ? "AddrMarkNotFound " : "");
  }
}

/** Logs a failed request the way Linux did, counts it, and returns -EIO. */
function failRequest(drive: IdeDrive, where: string, status: u32, sector: u32): i32 {
  dumpStatus(drive, where, status);
  printk(KERN_ERR + "end_request: I/O error, dev %s, sector %u\n", drive.name, sector);
  drive.errors++;
  if ((status & STATUS_TIMEOUT) != 0) hwifReset(drive.hwif);
  return -EIO;
}

/** Before a command: the drive must not be busy. A leftover 0xFF or ERR from the previous
 *  command does not matter (v86 takes the next command normally); only a timeout does. */
function readyForCommand(hwif: IdeHwif): u32 {
  return waitStatus(hwif) & STATUS_TIMEOUT;
}

function statusBad(status: u32): bool {
  return status == STATUS_BAD || (status & (STATUS_TIMEOUT | ERR | DF)) != 0;
}

// ---- PIO

/** One PIO command of `count` sectors (≤ 256, or ≤ 65536 with LBA48). 0 or -EIO. */
function pioTransfer(drive: IdeDrive, sector: u32, count: u32, buf: usize, write: bool, lba48: bool): i32 {
  const hwif = drive.hwif;
  const io = hwif.ioBase;
  const mult = drive.multCount;
  let command: u8;
  if (write) command = mult != 0 ? (lba48 ? CMD_WRITE_MULTIPLE_EXT : CMD_WRITE_MULTIPLE) : (lba48 ? CMD_WRITE_SECTORS_EXT : CMD_WRITE_SECTORS);
  else command = mult != 0 ? (lba48 ? CMD_READ_MULTIPLE_EXT : CMD_READ_MULTIPLE) : (lba48 ? CMD_READ_SECTORS_EXT : CMD_READ_SECTORS);
  const where = write ? (mult != 0 ? "multwrite_intr" : "write_intr") : "read_intr";
  let status = readyForCommand(hwif);
  if (status != 0) return failRequest(drive, where, status | BSY, sector);
  issueCommand(drive, command, sector, count, lba48);
  const block = mult != 0 ? mult : 1;
  let done: u32 = 0;
  while (done < count) {
    // Each DRQ block: one Status read (it acknowledges the IRQ the drive raised), then the data.
    status = waitStatus(hwif);
    if (statusBad(status) || (status & DRQ) == 0) return failRequest(drive, where, status, sector + done);
    let n = count - done;
    if (n > block) n = block;
    if (io32 != 0) {
      if (write) outsl(io + ATA_DATA, buf + done * 512, n * 128);
      else insl(io + ATA_DATA, buf + done * 512, n * 128);
    } else if (write) outsw(io + ATA_DATA, buf + done * 512, n * 256);
    else insw(io + ATA_DATA, buf + done * 512, n * 256);
    done += n;
  }
  if (write) {
    // The drive raises an IRQ once it has the last block: its status tells whether it was written.
    status = waitStatus(hwif);
    if (statusBad(status)) return failRequest(drive, where, status, sector + count - 1);
  }
  return 0;
}

// ---- bus-master DMA

/** Fills the channel's PRD table for `bytes` at physical address pa (no entry crosses 64 KiB).
 *  False if it needs more entries than the table holds. */
function buildPrdTable(hwif: IdeHwif, pa: u32, bytes: u32): bool {
  let entry: u32 = 0;
  let address = hwif.prdTable;
  while (bytes > 0) {
    if (entry == PRD_MAX_ENTRIES) return false;
    let chunk = 0x10000 - (pa & 0xffff);
    if (chunk > bytes) chunk = bytes;
    bytes -= chunk;
    store<u32>(address, pa);
    store<u32>(address + 4, (chunk & 0xffff) | (bytes == 0 ? PRD_EOT : 0)); // 0 = 64 KiB
    pa += chunk;
    address += 8;
    entry++;
  }
  return true;
}

/** One DMA command. 0, -EIO, or 1 when the buffer cannot be DMAed (the caller uses PIO). */
function dmaTransfer(drive: IdeDrive, sector: u32, count: u32, buf: usize, write: bool, lba48: bool): i32 {
  const hwif = drive.hwif;
  const bm = <u16>hwif.bmBase;
  const bytes = count * 512;
  if (buf < PAGE_OFFSET || buf + bytes > LOWMEM_END || buf + bytes < buf) return 1;
  if (!buildPrdTable(hwif, buf - PAGE_OFFSET, bytes)) return 1;
  const where = "dma_intr";
  let status = readyForCommand(hwif);
  if (status != 0) return failRequest(drive, where, status | BSY, sector);
  const direction = write ? 0 : BM_TO_MEMORY;
  outl(bm + <u16>BM_PRDT, <u32>(hwif.prdTable - PAGE_OFFSET));
  outb(bm + <u16>BM_COMMAND, direction);
  outb(bm + <u16>BM_STATUS, inb(bm + <u16>BM_STATUS) | BM_ST_ERROR | BM_ST_IRQ); // clear
  const command = write ? (lba48 ? CMD_WRITE_DMA_EXT : CMD_WRITE_DMA) : (lba48 ? CMD_READ_DMA_EXT : CMD_READ_DMA);
  issueCommand(drive, command, sector, count, lba48);
  // A drive that refused the command at once (v86: 0xFF past the end) must not see the start
  // bit: v86 would run the transfer anyway, outside its disk image. Alternate Status does not
  // acknowledge the interrupt.
  status = <u32>inb(<u16>hwif.ctlBase);
  if (statusBad(status)) {
    inb(<u16>(hwif.ioBase + ATA_STATUS));
    return failRequest(drive, where, status, sector);
  }
  outb(bm + <u16>BM_COMMAND, direction | BM_START);
  // The controller raises its interrupt bit when the drive is done (v86: already now).
  let bmStatus = <u32>inb(bm + <u16>BM_STATUS);
  if ((bmStatus & BM_ST_IRQ) == 0) {
    const start = jiffies;
    while ((bmStatus & BM_ST_IRQ) == 0 && jiffies - start < WAIT_TICKS) {
      hwifSleep(hwif);
      bmStatus = <u32>inb(bm + <u16>BM_STATUS);
    }
  }
  outb(bm + <u16>BM_COMMAND, direction); // stop
  status = <u32>inb(<u16>(hwif.ioBase + ATA_STATUS));
  outb(bm + <u16>BM_STATUS, BM_ST_ERROR | BM_ST_IRQ);
  if ((bmStatus & BM_ST_IRQ) == 0) status |= STATUS_TIMEOUT | BSY;
  if (statusBad(status) || (bmStatus & BM_ST_ERROR) != 0) return failRequest(drive, where, status, sector);
  return 0;
}

// ---- requests

/**
 * Moves `count` sectors at LBA `sector` of the drive between it and kernel memory at `buf`
 * (write: to the drive), in as few commands as the drive allows. 0, or -EIO after logging why.
 * LBA48 commands are used when the request reaches past sector 2^28 or asks for more than 256
 * sectors at once, and the drive has them.
 */
export function ideTransfer(drive: IdeDrive, sector: u32, count: u32, buf: usize, write: bool): i32 {
  if (drive == null || drive.media != IDE_MEDIA_DISK) return -ENXIO;
  const hwif = drive.hwif;
  hwifLock(hwif);
  let result = 0;
  while (count > 0) {
    // LBA48 when the request reaches past sector 2^28 or is longer than 256 sectors (and the
    // drive has it); otherwise LBA28 commands of at most 256 sectors.
    const lba48 = drive.lba48 && (force_lba48 != 0 || count > 256 || count > LBA28_LIMIT - sector || sector >= LBA28_LIMIT);
    const max: u32 = !lba48 ? 256 : drive.useDma ? 0x8000 : 0x10000; // DMA: one page of PRD entries
    const n = count < max ? count : max;
    if (!lba48 && (sector >= LBA28_LIMIT || n > LBA28_LIMIT - sector)) {
      result = failRequest(drive, write ? "write_intr" : "read_intr", STATUS_BAD, sector); // no LBA48
      break;
    }
    result = 1;
    if (drive.useDma) result = dmaTransfer(drive, sector, n, buf, write, lba48);
    if (result == 1) result = pioTransfer(drive, sector, n, buf, write, lba48);
    if (result < 0) break;
    if (write) drive.writes += n;
    else drive.reads += n;
    sector += n;
    count -= n;
    buf += n * 512;
  }
  hwifUnlock(hwif);
  return result;
}

/** FLUSH CACHE (EXT on LBA48 drives): the drive writes its cache to the medium. 0 or -EIO. */
export function ideFlush(drive: IdeDrive): i32 {
  if (drive == null || drive.media != IDE_MEDIA_DISK) return -ENXIO;
  if (!drive.flushSupported) return 0;
  const hwif = drive.hwif;
  hwifLock(hwif);
  let result = 0;
  let status = readyForCommand(hwif);
  if (status != 0) status |= BSY;
  else {
    selectDrive(drive, 0);
    outb(<u16>(hwif.ioBase + ATA_STATUS), drive.lba48 ? CMD_FLUSH_CACHE_EXT : CMD_FLUSH_CACHE);
    status = waitStatus(hwif);
  }
  if (statusBad(status)) {
    dumpStatus(drive, "flush", status);
    drive.errors++;
    if ((status & STATUS_TIMEOUT) != 0) hwifReset(hwif);
    result = -EIO;
  }
  hwifUnlock(hwif);
  return result;
}

EXPORT_SYMBOL(ideDriveAt);
EXPORT_SYMBOL(ideDriveName);
EXPORT_SYMBOL(ideTransfer);
EXPORT_SYMBOL(ideFlush);

// ---- probing (ide-probe.c)

function identifyWord(i: u32): u32 {
  return <u32>load<u16>(changetype<usize>(identifyBuf) + i * 2);
}

/** Copies an IDENTIFY string (words first … first+words-1, two bytes each, high byte first),
 *  trailing spaces removed. */
function identifyString(dst: usize, first: u32, words: u32): void {
  let n: u32 = 0;
  for (let i: u32 = 0; i < words; i++) {
    const w = identifyWord(first + i);
    store<u8>(dst + n++, <u8>(w >> 8));
    store<u8>(dst + n++, <u8>w);
  }
  while (n > 0 && (load<u8>(dst + n - 1) == " ".charCodeAt(0) || load<u8>(dst + n - 1) == 0)) n--;
  store<u8>(dst + n, 0);
}

/** Sends IDENTIFY (or IDENTIFY PACKET DEVICE) to the selected drive and reads its 512 bytes.
 *  Returns the status; DRQ set means the buffer holds the answer. */
function identifyCommand(hwif: IdeHwif, command: u8): u32 {
  outb(<u16>(hwif.ioBase + ATA_STATUS), command);
  ataPause(hwif);
  const status = waitStatus(hwif);
  if (statusBad(status) || (status & DRQ) == 0) return status;
  insw(hwif.ioBase + ATA_DATA, changetype<usize>(identifyBuf), 256);
  return status;
}

/** Looks for a drive at `unit` of hwif: IDENTIFY, or IDENTIFY PACKET DEVICE for ATAPI. */
function probeDrive(hwif: IdeHwif, unit: u32): void {
  const io = hwif.ioBase;
  outb(<u16>(io + ATA_DEVICE), <u8>(0xa0 | unit << 4));
  hwif.selected = <i32>unit;
  ataPause(hwif);
  let status = <u32>inb(<u16>(io + ATA_STATUS));
  if (status == 0 || status == STATUS_BAD) return; // nobody drives the bus
  status = waitStatus(hwif);
  if ((status & STATUS_TIMEOUT) != 0) return;
  let media = IDE_MEDIA_DISK;
  status = identifyCommand(hwif, CMD_IDENTIFY);
  if ((status & DRQ) == 0) {
    // An ATAPI device aborts IDENTIFY and leaves its signature 0x14 0xEB in LBA mid/high.
    if (inb(<u16>(io + ATA_LBAM)) != 0x14 || inb(<u16>(io + ATA_LBAH)) != 0xeb) return;
    media = IDE_MEDIA_CDROM;
    status = identifyCommand(hwif, CMD_IDENTIFY_PACKET);
    if ((status & DRQ) == 0) return;
  }
  const drive = changetype<IdeDrive>(kzalloc(sizeof<IdeDrive>()));
  if (drive == null) return;
  drive.hwif = hwif;
  drive.unit = unit;
  drive.index = hwif.index * 2 + <i32>unit;
  drive.media = media;
  snprintf(changetype<usize>(drive.name), 8, "hd%c", "a".charCodeAt(0) + drive.index);
  identifyString(changetype<usize>(drive.model), 27, 20);
  identifyString(changetype<usize>(drive.serial), 10, 10);
  identifyString(changetype<usize>(drive.firmware), 23, 4);
  const name = changetype<usize>(drive.name);
  if (media == IDE_MEDIA_CDROM) {
    printk(KERN_INFO + "%s: %s, ATAPI CD/DVD-ROM drive\n", name, drive.model);
    drives[drive.index] = drive;
    return;
  }
  printk(KERN_INFO + "%s: %s, ATA DISK drive\n", name, drive.model);
  drive.cyls = identifyWord(1);
  drive.heads = identifyWord(3);
  drive.sects = identifyWord(6);
  drive.cacheKiB = identifyWord(21) / 2;
  drive.sectors = identifyWord(60) | identifyWord(61) << 16;
  const command2 = identifyWord(83);
  const command2Valid = (command2 & 0xc000) == 0x4000;
  if (command2Valid && (command2 & 0x0400) != 0) {
    drive.lba48 = true;
    const sectors48 = identifyWord(100) | identifyWord(101) << 16;
    if (identifyWord(102) != 0 || identifyWord(103) != 0) drive.sectors = 0xffffffff; // > 2 TiB: what fits in 32 bits
    else if (sectors48 > drive.sectors) drive.sectors = sectors48;
  }
  drive.flushSupported = command2Valid && (command2 & 0x1000) != 0;
  if ((identifyWord(49) & 0x0200) == 0) drive.sectors = drive.cyls * drive.heads * drive.sects; // CHS-only drive
  // READ/WRITE MULTIPLE: as many sectors per DRQ block as the drive and the parameter allow.
  const maxMult = identifyWord(47) & 0xff;
  let mult = <u32>(multcount < 0 ? 0 : multcount);
  if (mult > maxMult) mult = maxMult;
  if (mult > 1) {
    outb(<u16>(io + ATA_NSECT), <u8>mult);
    outb(<u16>(io + ATA_STATUS), CMD_SET_MULTIPLE);
    status = waitStatus(hwif);
    drive.multCount = statusBad(status) ? 0 : mult;
  }
  drive.useDma = hwif.bmBase != 0 && dma != 0;
  drives[drive.index] = drive;
}

function probeHwif(hwif: IdeHwif): void {
  // nIEN is set at power-on (v86 too): clear it, or the drive never interrupts.
  outb(<u16>hwif.ctlBase, 0);
  hwif.selected = -1;
  probeDrive(hwif, 0);
  probeDrive(hwif, 1);
}

// ---- the interrupt (ide_intr)

function ideIntr(irq: i32, dev: usize): void {
  const hwif = changetype<IdeHwif>(dev);
  // Reading Status acknowledges the drive; a poller sleeping on the channel looks again.
  hwif.lastStatus = <u32>inb(<u16>(hwif.ioBase + ATA_STATUS));
  hwif.irqs++;
  hwifWake(hwif);
}

// ---- /proc/driver/ide

function showIde(m: SeqBuf): void {
  seqPrintf(m, "IDE controller: %s at PCI %02x:%02x.%d [%04x:%04x]\n", "PIIX3",
    controller != null ? controller.bus : 0, controller != null ? controller.devfn >> 3 : 0, controller != null ? controller.devfn & 7 : 0,
    controller != null ? controller.vendor : 0, controller != null ? controller.device : 0);
  seqPrintf(m, "channel  ports          ctl    irq  bus-master  interrupts  sleeps\n");
  for (let i = 0; i < IDE_MAX_HWIFS; i++) {
    const h = hwifs[i];
    if (h == null) continue;
    seqPrintf(m, "%-8s 0x%03x-0x%03x    0x%03x  %-3d  ", h.name, h.ioBase, h.ioBase + 7, h.ctlBase, h.irq);
    if (h.bmBase != 0) seqPrintf(m, "0x%04x     ", h.bmBase);
    else seqPrintf(m, "%-11s", "none");
    seqPrintf(m, " %-11u %u\n", h.irqs, h.sleeps);
  }
  seqPrintf(m, "\ndrive  channel  unit    media  sectors     lba48  mode  mult  io  model\n");
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    const d = drives[i];
    if (d == null) continue;
    seqPrintf(m, "%-6s %-8s %-7s %-6s %-11u %-6s %-5s %-5u %-3d %s\n", d.name, d.hwif.name,
      d.unit == 0 ? "master" : "slave", d.media == IDE_MEDIA_DISK ? "disk" : "cdrom",
      d.sectors, d.lba48 ? "yes" : "no",
      d.media != IDE_MEDIA_DISK ? "-" : d.useDma ? "DMA" : "PIO", d.multCount,
      io32 != 0 ? 32 : 16, d.model);
  }
  seqPrintf(m, "\ndrive  read        written     errors\n");
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    const d = drives[i];
    if (d == null || d.media != IDE_MEDIA_DISK) continue;
    seqPrintf(m, "%-6s %-11u %-11u %u\n", d.name, d.reads, d.writes, d.errors);
  }
}

// ---- the PCI driver (piix.c + ide-pci-generic)

function setupHwif(index: i32, ioBase: u32, ctlBase: u32, irq: i32, bmBase: u32): void {
  const hwif = changetype<IdeHwif>(kzalloc(sizeof<IdeHwif>()));
  if (hwif == null) return;
  hwif.index = index;
  hwif.ioBase = ioBase;
  hwif.ctlBase = ctlBase;
  hwif.irq = irq;
  snprintf(changetype<usize>(hwif.name), 8, "ide%d", index);
  if (bmBase != 0) {
    hwif.prdTable = allocPage();
    if (hwif.prdTable != 0) hwif.bmBase = bmBase;
  }
  hwifs[index] = hwif;
  if (bmBase != 0) printk(KERN_INFO + "    %s: BM-DMA at 0x%04x-0x%04x\n", hwif.name, bmBase, bmBase + 7);
}

function piixProbe(dev: PciDev, id: PciDeviceId): i32 {
  const r = pciEnableDevice(dev);
  if (r < 0) return r;
  controller = dev;
  printk(KERN_INFO + "PIIX3: IDE controller at PCI slot 0000:%02x:%02x.%d\n", dev.bus, dev.devfn >> 3, dev.devfn & 7);
  // Compatibility mode (programming interface bits 0 and 2 clear): the legacy ports and IRQs.
  let bm: u32 = 0;
  if ((dev.classCode & 0x80) != 0 && (pciResourceFlags(dev, 4) & 1) != 0 && dma != 0) {
    bm = pciResourceStart(dev, 4);
    pciSetMaster(dev);
  }
  setupHwif(0, 0x1f0, 0x3f6, 14, bm);
  setupHwif(1, 0x170, 0x376, 15, bm != 0 ? bm + 8 : 0);
  for (let i = 0; i < IDE_MAX_HWIFS; i++) {
    const hwif = hwifs[i];
    if (hwif == null) continue;
    printk(KERN_INFO + "Probing IDE interface %s...\n", hwif.name);
    probeHwif(hwif);
  }
  for (let i = 0; i < IDE_MAX_HWIFS; i++) {
    const hwif = hwifs[i];
    if (hwif == null || (drives[i * 2] == null && drives[i * 2 + 1] == null)) continue;
    if (requestIrq(hwif.irq, ideIntr, changetype<string>(changetype<usize>(hwif.name)), changetype<usize>(hwif)) == 0) hwif.irqRequested = true;
    printk(KERN_INFO + "%s at 0x%03x-0x%03x,0x%03x on irq %d\n", hwif.name, hwif.ioBase, hwif.ioBase + 7, hwif.ctlBase, hwif.irq);
  }
  procCreateFile("driver/ide", showIde);
  return 0;
}

function piixRemove(dev: PciDev): void {
  procRemove("driver/ide");
  for (let i = 0; i < IDE_MAX_DRIVES; i++) {
    if (drives[i] != null) kfree(changetype<usize>(drives[i]));
    drives[i] = null;
  }
  for (let i = 0; i < IDE_MAX_HWIFS; i++) {
    const hwif = hwifs[i];
    if (hwif == null) continue;
    if (hwif.irqRequested) freeIrq(hwif.irq, changetype<usize>(hwif));
    outb(<u16>hwif.ctlBase, CTL_NIEN); // quiet again, as at power-on
    if (hwif.prdTable != 0) freePage(hwif.prdTable);
    kfree(changetype<usize>(hwif));
    hwifs[i] = null;
  }
  controller = null;
}

// vendor, device, subvendor, subdevice, class, class mask, driver data; then the 0 row.
const piixIds: StaticArray<u32> = [0x8086, 0x7010, 0xffffffff, 0xffffffff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

const piixDriver: PciDriver = { name: "PIIX_IDE", idTable: 0, probe: piixProbe, remove: piixRemove, next: null };

export function init_module(): i32 {
  printk(KERN_INFO + "Uniform Multi-Platform E-IDE driver (Lokum)\n");
  piixDriver.idTable = changetype<usize>(piixIds);
  const r = registerPciDriver(piixDriver);
  if (r < 0) return r;
  if (controller == null) {
    unregisterPciDriver(piixDriver);
    printk(KERN_WARNING + "ide: no PIIX3 IDE controller found\n");
    return -ENODEV;
  }
  return 0;
}

export function cleanup_module(): void {
  unregisterPciDriver(piixDriver);
}
