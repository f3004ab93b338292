// The reader's settings: the terminal's font size (A− / A+) and the theme (dark, or light for a
// projector). Kept in localStorage so they survive a reload; the theme is the <html>
// element's data-theme attribute, which style.css keys its colours on.

import { DEFAULT_FONT_SIZE, type LabTerminal, type ThemeName } from "./terminal.js";

const FONT_KEY = "lokum-lab-font-size";
const THEME_KEY = "lokum-lab-theme";
const MIN_FONT = 10;
const MAX_FONT = 32;

/** The settings kept from an earlier visit (or the defaults): the terminal opens with them. */
export function storedSettings(): { fontSize: number; theme: ThemeName } {
  const stored = Number(localStorage.getItem(FONT_KEY));
  return {
    fontSize: stored >= MIN_FONT && stored <= MAX_FONT ? stored : DEFAULT_FONT_SIZE,
    theme: localStorage.getItem(THEME_KEY) === "light" ? "light" : "dark",
  };
}

export class Settings {
  private fontSize: number;
  private theme: ThemeName;

  constructor(private readonly terminal: LabTerminal) {
    ({ fontSize: this.fontSize, theme: this.theme } = storedSettings());
    this.apply();
  }

  get font(): number {
    return this.fontSize;
  }

  get currentTheme(): ThemeName {
    return this.theme;
  }

  /** Font size one step bigger (+1) or smaller (-1). */
  stepFont(direction: 1 | -1): void {
    this.fontSize = Math.min(MAX_FONT, Math.max(MIN_FONT, this.fontSize + direction * (this.fontSize >= 20 ? 2 : 1)));
    this.apply();
  }

  toggleTheme(): void {
    this.theme = this.theme === "dark" ? "light" : "dark";
    this.apply();
  }

  private apply(): void {
    localStorage.setItem(FONT_KEY, String(this.fontSize));
    localStorage.setItem(THEME_KEY, this.theme);
    document.documentElement.dataset.theme = this.theme;
    this.terminal.setFontSize(this.fontSize);
    this.terminal.setTheme(this.theme);
  }
}
