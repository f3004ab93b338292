// vga.ts — the VGA text screen: 80×25 cells at physical 0xB8000, the console's mirror.
//
// Each cell is two bytes: the character (code page 437) and its attribute (background << 4 |
// foreground; 0x07 = light grey on black). We reach the buffer through the kernel's higher-half
// mapping (virtual = physical + 0xC0000000). Without a VGA BIOS, v86 leaves the text buffer
// at 0xA0000; vgaInit() selects 0xB8000 first (Graphics Controller register 6; docs/v86.md,
// "Devices and ports").
//
// Two copies of the screen, because video memory is expensive to write in an emulator (every
// write to it goes out to the host's screen code: under v86 a JavaScript call per store) and a
// scrolling console rewrites the whole screen for each new line:
//   `shadow`  the screen as it should look; the driver writes, wraps and scrolls here, and
//             marks the rows it changed in `dirtyRows`;
//   `shown`   what video memory holds. vgaFlush() copies the changed cells of the dirty rows
//             (two at a time; the blank ends of lines mostly stay) and moves the hardware
//             cursor — called when the CPU goes idle and before a panic halts it, so a burst of
//             kernel messages costs one screen update, not one per line.

const VGA_TEXT: usize = 0xc00b8000;
const COLUMNS: i32 = 80;
const ROWS: i32 = 25;
const ATTRIBUTE: u16 = 0x07;
const BLANK: u16 = (ATTRIBUTE << 8) | 0x20;
const ALL_ROWS: u32 = (1 << ROWS) - 1;

const GC_INDEX: u16 = 0x3ce;
const GC_DATA: u16 = 0x3cf;
const GC_MISC: u8 = 6;
const GC_MISC_TEXT_AT_B8000: u8 = 0x0e; // memory map 3 (0xB8000, 32 KiB), odd/even, text
const CRTC_INDEX: u16 = 0x3d4;
const CRTC_DATA: u16 = 0x3d5;
const CRTC_CURSOR_HIGH: u8 = 0x0e;
const CRTC_CURSOR_LOW: u8 = 0x0f;

let shadow = new StaticArray<u16>(2000); // ROWS × COLUMNS
let shown = new StaticArray<u16>(2000);
let dirtyRows: u32 = 0; // bit r: row r of `shadow` may differ from `shown`
let cursorRow: i32 = 0;
let cursorColumn: i32 = 0;
let shownCursor: i32 = -1;

/** A row of blanks, copied over a row to clear it (one string instruction: the boot scrolls
 *  the screen on every line once it is full). */
let blankCells = new StaticArray<u16>(80);

function blankRow(row: i32): void {
  memory_copy(changetype<usize>(shadow) + <usize>(row * COLUMNS * 2), changetype<usize>(blankCells), <usize>(COLUMNS * 2));
  dirtyRows |= 1 << row;
}

function scrollUp(): void {
  const base = changetype<usize>(shadow);
  memory_copy(base, base + <usize>(COLUMNS * 2), <usize>((ROWS - 1) * COLUMNS * 2));
  blankRow(ROWS - 1);
  dirtyRows = ALL_ROWS;
}

function newline(): void {
  cursorColumn = 0;
  cursorRow++;
  if (cursorRow == ROWS) {
    scrollUp();
    cursorRow = ROWS - 1;
  }
}

/** Maps the text buffer at 0xB8000 and clears the screen. */
export function vgaInit(): void {
  outb(GC_INDEX, GC_MISC);
  outb(GC_DATA, GC_MISC_TEXT_AT_B8000);
  memory_fill(changetype<usize>(shown), 0, <usize>(ROWS * COLUMNS * 2)); // unknown: every cell differs once
  for (let i = 0; i < COLUMNS; i++) blankCells[i] = BLANK;
  for (let row = 0; row < ROWS; row++) blankRow(row);
  cursorRow = 0;
  cursorColumn = 0;
  vgaFlush();
}

/** Writes one character at the cursor: handles \n, \r, \b and \t, wraps and scrolls. */
export function vgaPutChar(c: u8): void {
  if (c == "\n".charCodeAt(0)) {
    newline();
  } else if (c == "\r".charCodeAt(0)) {
    cursorColumn = 0;
  } else if (c == 0x08) {
    if (cursorColumn > 0) cursorColumn--;
  } else if (c == "\t".charCodeAt(0)) {
    cursorColumn = (cursorColumn + 8) & ~7;
    if (cursorColumn >= COLUMNS) newline();
  } else {
    shadow[cursorRow * COLUMNS + cursorColumn] = (ATTRIBUTE << 8) | <u16>c;
    dirtyRows |= 1 << cursorRow;
    cursorColumn++;
    if (cursorColumn == COLUMNS) newline();
  }
}

/** Writes n bytes (vgaPutChar's rules): a run of printable characters goes straight into the
 *  shadow row, up to the end of the row, in a loop of its own. */
export function vgaWrite(buf: usize, n: u32): void {
  let i: u32 = 0;
  while (i < n) {
    const c = load<u8>(buf + i);
    if (c < 0x20) {
      vgaPutChar(c);
      i++;
      continue;
    }
    let cell = changetype<usize>(shadow) + <usize>((cursorRow * COLUMNS + cursorColumn) * 2);
    const rowEnd = cell + <usize>((COLUMNS - cursorColumn) * 2);
    const start = i;
    while (i < n && cell < rowEnd) {
      const d = load<u8>(buf + i);
      if (d < 0x20) break;
      store<u16>(cell, (ATTRIBUTE << 8) | <u16>d);
      cell += 2;
      i++;
    }
    dirtyRows |= 1 << cursorRow;
    cursorColumn += <i32>(i - start);
    if (cursorColumn == COLUMNS) newline();
  }
}

/** Brings video memory and the hardware cursor up to date with the shadow screen. */
export function vgaFlush(): void {
  if (dirtyRows != 0) {
    for (let row = 0; row < ROWS; row++) {
      if ((dirtyRows & (1 << row)) == 0) continue;
      // 32-bit stores, not a string copy, and only where the cells changed: v86 hands each
      // store to video memory to JavaScript (measured: writing whole rows after each scroll
      // made the boot 20 ms slower with half the instructions)
      const from = <usize>(row * COLUMNS * 2);
      const shadowRow = changetype<usize>(shadow) + from;
      const shownRow = changetype<usize>(shown) + from;
      for (let i: usize = 0; i < <usize>(COLUMNS * 2); i += 4) {
        const cells = load<u32>(shadowRow + i);
        if (cells != load<u32>(shownRow + i)) {
          store<u32>(VGA_TEXT + from + i, cells);
          store<u32>(shownRow + i, cells);
        }
      }
    }
    dirtyRows = 0;
  }
  const position = cursorRow * COLUMNS + cursorColumn;
  if (position == shownCursor) return;
  shownCursor = position;
  outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
  outb(CRTC_DATA, <u8>(position >> 8));
  outb(CRTC_INDEX, CRTC_CURSOR_LOW);
  outb(CRTC_DATA, <u8>position);
}
