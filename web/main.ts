// The lab page's entry point: find the page's parts, make the terminal, the status and the lab
// session, hook up the Reset button, and boot.
//
// For tests and curious students, `window.lab` exposes the session: `lab.terminalText()` is
// everything the terminal shows, `lab.machine` the running Machine (emulator/machine.ts).

import { Lab } from "./lab.js";
import { StatusIndicator } from "./status.js";
import { LabTerminal } from "./terminal.js";
import { installWorkbench } from "./workbench/workbench.js";

const terminal = new LabTerminal(document.querySelector<HTMLElement>("#terminal")!);
const status = new StatusIndicator(document.querySelector<HTMLElement>("#status")!);
const resetButton = document.querySelector<HTMLButtonElement>("#reset")!;
const lab = new Lab(terminal, status);

resetButton.addEventListener("click", async () => {
  resetButton.disabled = true;
  try {
    await lab.reset();
  } finally {
    resetButton.disabled = false;
    terminal.focus();
  }
});

declare global {
  interface Window {
    lab: { terminalText(): string; readonly machine: unknown };
  }
}
window.lab = {
  terminalText: () => terminal.text(),
  get machine() {
    return lab.currentMachine;
  },
};

installWorkbench(terminal); // the module editor and the exercises (web/workbench/)
terminal.focus();
void lab.boot();
