// The lab's terminal: xterm.js standing in for the serial line's far end, like a VT100 on COM1.
//
// Bytes, not characters, cross the line in both directions:
//   guest → screen  the Machine hands us console output as latin1 text (one char = one byte);
//                   we pass those bytes to xterm, which decodes them as UTF-8.
//   keys → guest    xterm gives us what a key sends as a string (Enter = "\r", ^C = "\x03",
//                   arrows = escape sequences); we encode it as UTF-8 bytes.
// No newline conversion on our side: the guest sends "\r\n" itself (its tty's job, like Linux's
// ONLCR), and turning the "\r" of Enter into "\n" is the guest tty's job too (ICRNL).
//
// Size: the terminal fills its container (measured from the font's cell size). The guest cannot
// learn the size over a serial line; that is normal for a serial console. The font size and the
// colours (dark, or light for projectors) can change at any time (settings.ts).
//
// xterm.js comes later: it is half the page's script, and the machine does not need it to start.
// So xterm.js is a chunk of its own (index.html preloads it, vite.config.ts), which open() imports
// and evaluates once the page has set the machine going (main.ts): the PC is built while xterm's
// chunk is still being compiled. What the terminal is told before that (output, notes, focus,
// links) is handed to xterm, in order, once it opens (withTerm); the lab calls the machine ready
// only once its prompt is on the open terminal (lab.ts, markReady; drained).

import type { ILinkProvider, Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

const FONT_FAMILY = '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace';
export const DEFAULT_FONT_SIZE = 15;
const THEMES = {
  dark: { background: "#16181d", foreground: "#d8dee9", cursor: "#e0a84e", selectionBackground: "#3a4150" },
  light: { background: "#fdfdf8", foreground: "#1d2026", cursor: "#b06800", selectionBackground: "#c8d4ec" },
};
export type ThemeName = keyof typeof THEMES;
const MIN_COLS = 40;
const MIN_ROWS = 10;

export class LabTerminal {
  /** xterm's terminal, once open() has loaded it. */
  private term: Terminal | undefined;
  private opening: Promise<void> | undefined;
  private readonly encoder = new TextEncoder();
  private fontSize: number;
  private theme: ThemeName;
  private readonly inputListeners: Array<(bytes: Uint8Array) => void> = [];

  /** The terminal's box; xterm opens in it at its final size, font and colours (the reader's
   *  settings, settings.ts): each later change re-lays the terminal out. */
  constructor(private readonly container: HTMLElement, initial: { fontSize?: number; theme?: ThemeName } = {}) {
    this.fontSize = initial.fontSize ?? DEFAULT_FONT_SIZE;
    this.theme = initial.theme ?? "dark";
  }

  /** Load xterm.js and open the terminal; resolves once it is open, with what was written before
   *  on it (once; later calls get the same promise). */
  open(): Promise<void> {
    this.opening ??= import("@xterm/xterm").then(({ Terminal }) => {
      const term = new Terminal({
        fontFamily: FONT_FAMILY,
        fontSize: this.fontSize,
        cursorBlink: true,
        scrollback: 5000,
        theme: THEMES[this.theme],
        ...this.cells(),
      });
      term.open(this.container);
      term.onData((data) => {
        const bytes = this.encoder.encode(data);
        for (const send of this.inputListeners) send(bytes);
      });
      this.term = term;
      new ResizeObserver(() => this.fit()).observe(this.container);
    });
    return this.opening;
  }

  /** Call `use` with xterm's terminal: now when it is open, else once open() has opened it —
   *  in the order asked, so what was written before xterm was there comes out in order. */
  private withTerm(use: (term: Terminal) => void): void {
    if (this.term) use(this.term);
    else void this.open().then(() => use(this.term!));
  }

  /** Resolves once the terminal is open and everything written to it so far is on it (xterm
   *  parses what it is given a little later, in slices). */
  drained(): Promise<void> {
    return new Promise<void>((resolve) => this.withTerm((term) => term.write("", resolve)));
  }

  /** Call `send` with the bytes of every keystroke (and paste). */
  onInput(send: (bytes: Uint8Array) => void): void {
    this.inputListeners.push(send);
  }

  /** Show console output (latin1 text: each char code is one byte from the guest). */
  writeOutput(chunk: string): void {
    const bytes = new Uint8Array(chunk.length);
    for (let i = 0; i < chunk.length; i++) bytes[i] = chunk.charCodeAt(i);
    this.write(bytes);
  }

  /** A line from the lab itself (not the guest), dimmed, e.g. "[machine stopped]". */
  writeNote(text: string): void {
    this.write(`\r\n\x1b[2m[${text}]\x1b[0m\r\n`);
  }

  private write(data: string | Uint8Array): void {
    this.withTerm((term) => term.write(data));
  }

  /** Clear screen, scrollback and modes: a fresh terminal for a fresh boot. */
  reset(): void {
    this.withTerm((term) => term.reset());
  }

  /** Change the font size (px) and refit the rows and columns. */
  setFontSize(px: number): void {
    if (px === this.fontSize) return;
    this.fontSize = px;
    if (!this.term) return;
    this.term.options.fontSize = px;
    this.fit();
  }

  setTheme(name: ThemeName): void {
    if (name === this.theme) return;
    this.theme = name;
    if (this.term) this.term.options.theme = THEMES[name];
  }

  focus(): void {
    this.withTerm((term) => term.focus());
  }

  /** Everything in the terminal (scrollback and screen), one line per row, trailing blanks cut
   *  ("" until it is open). */
  text(): string {
    if (!this.term) return "";
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? "");
    return lines.join("\n").trimEnd();
  }

  /** Make each match of `pattern` on a terminal line a link that calls `open` (the module
   *  workbench links an oops line's "modules/user/FILE.ts:LINE" to its editor). */
  linkify(pattern: RegExp, open: (match: RegExpExecArray) => void): void {
    const provider: ILinkProvider = {
      provideLinks: (y, callback) => {
        const line = this.term?.buffer.active.getLine(y - 1)?.translateToString(true) ?? "";
        const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
        const links = [...line.matchAll(global)].map((m) => ({
          range: { start: { x: m.index + 1, y }, end: { x: m.index + m[0].length, y } },
          text: m[0],
          activate: () => open(m as RegExpExecArray),
        }));
        callback(links.length ? links : undefined);
      },
    };
    this.withTerm((term) => term.registerLinkProvider(provider));
  }

  /** Resize to as many whole cells as fit in the container. */
  private fit(): void {
    if (!this.term) return;
    const { cols, rows } = this.cells();
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  /** How many whole cells fit in the container. */
  private cells(): { cols: number; rows: number } {
    const cell = measureCell(this.fontSize);
    const { width, height } = this.container.getBoundingClientRect();
    return { cols: Math.max(MIN_COLS, Math.floor(width / cell.width) - 1), rows: Math.max(MIN_ROWS, Math.floor(height / cell.height)) };
  }
}

/** The size of one character cell in the terminal's font, measured off-screen. */
function measureCell(fontSize: number): { width: number; height: number } {
  const probe = document.createElement("span");
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${FONT_FAMILY};font-size:${fontSize}px;line-height:normal`;
  probe.textContent = "W".repeat(50);
  document.body.append(probe);
  const box = probe.getBoundingClientRect();
  probe.remove();
  return { width: box.width / 50, height: Math.ceil(box.height) };
}
