// vga.ts — the VGA text screen: 80×25 cells at physical 0xB8000, the console's mirror.
//
// Each cell is two bytes: the character (code page 437) and its attribute (background << 4 |
// foreground; 0x07 = light grey on black). We reach the buffer through the kernel's higher-half
// mapping (virtual = physical + 0xC0000000). Without a VGA BIOS, v86 leaves the text buffer
// at 0xA0000; vgaInit() selects 0xB8000 first (Graphics Controller register 6, v86.md 3).
//
// The driver keeps its own cursor (row, column). Writing past the last column wraps, a newline
// past the last row scrolls everything up one line. The blinking hardware cursor follows via
// the CRT controller (index port 0x3D4, data 0x3D5, registers 0x0E/0x0F = cursor position).

const VGA_TEXT: usize = 0xc00b8000;
const COLUMNS: i32 = 80;
const ROWS: i32 = 25;
const ATTRIBUTE: u16 = 0x07;

const GC_INDEX: u16 = 0x3ce;
const GC_DATA: u16 = 0x3cf;
const GC_MISC: u8 = 6;
const GC_MISC_TEXT_AT_B8000: u8 = 0x0e; // memory map 3 (0xB8000, 32 KiB), odd/even, text
const CRTC_INDEX: u16 = 0x3d4;
const CRTC_DATA: u16 = 0x3d5;
const CRTC_CURSOR_HIGH: u8 = 0x0e;
const CRTC_CURSOR_LOW: u8 = 0x0f;

let cursorRow: i32 = 0;
let cursorColumn: i32 = 0;

function cellAddress(row: i32, column: i32): usize {
  return VGA_TEXT + <usize>((row * COLUMNS + column) * 2);
}

function blankRow(row: i32): void {
  for (let column = 0; column < COLUMNS; column++) store<u16>(cellAddress(row, column), (ATTRIBUTE << 8) | 0x20);
}

function scrollUp(): void {
  memory_copy(cellAddress(0, 0), cellAddress(1, 0), <usize>((ROWS - 1) * COLUMNS * 2));
  blankRow(ROWS - 1);
}

function moveHardwareCursor(): void {
  const position = cursorRow * COLUMNS + cursorColumn;
  outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
  outb(CRTC_DATA, <u8>(position >> 8));
  outb(CRTC_INDEX, CRTC_CURSOR_LOW);
  outb(CRTC_DATA, <u8>position);
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
  for (let row = 0; row < ROWS; row++) blankRow(row);
  cursorRow = 0;
  cursorColumn = 0;
  moveHardwareCursor();
}

/** Writes one character at the cursor: handles \n, \r, \b and \t, wraps and scrolls. */
export function vgaPutChar(c: u8): void {
  if (c == 0x0a) {
    newline();
  } else if (c == 0x0d) {
    cursorColumn = 0;
  } else if (c == 0x08) {
    if (cursorColumn > 0) cursorColumn--;
  } else if (c == 0x09) {
    cursorColumn = (cursorColumn + 8) & ~7;
    if (cursorColumn >= COLUMNS) newline();
  } else {
    store<u16>(cellAddress(cursorRow, cursorColumn), (ATTRIBUTE << 8) | <u16>c);
    cursorColumn++;
    if (cursorColumn == COLUMNS) newline();
  }
  moveHardwareCursor();
}
