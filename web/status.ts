// The boot status in the bar: a dot, a word and, while downloading, a progress bar.
//
// The states, in the order a boot goes through them:
//   downloading  fetching the kernel (and the initrd) from the server
//   starting     loading v86 (its wasm) and building the PC
//   booting      the guest runs; waiting for it to be usable
//   ready        the shell's first prompt ("# ") or, until there is a shell, the kernel's idle line
//   failed       something went wrong (the text says what); Reset tries again
//   panic        the kernel panicked ("Kernel panic - not syncing: …"); Reset boots again
//   off          the guest powered off or halted (`poweroff`, `halt`); Reset boots again
//   stopped      the guest exited on its own (port 0x501)
// The state is also the element's `data-state` attribute: the stylesheet colours it and the
// end-to-end test waits on it.

export type BootState = "idle" | "downloading" | "starting" | "booting" | "ready" | "failed" | "panic" | "off" | "stopped";

/** States in which the machine is gone or dead: the page offers Reset. */
export const ENDED_STATES: readonly BootState[] = ["failed", "panic", "off", "stopped"];

export class StatusIndicator {
  private readonly text: HTMLElement;
  private readonly progress: HTMLProgressElement;

  private listeners: Array<(state: BootState) => void> = [];

  constructor(private readonly element: HTMLElement) {
    this.text = element.querySelector(".status-text")!;
    this.progress = element.querySelector(".status-progress")!;
  }

  get state(): BootState {
    return this.element.dataset.state as BootState;
  }

  /** Show `state`, with `detail` after it (e.g. the reason of a failure). */
  set(state: BootState, detail?: string): void {
    this.element.dataset.state = state;
    for (const listener of this.listeners) listener(state);
    this.text.textContent = detail ? `${state}: ${detail}` : state;
    this.element.title = detail ?? "";
    this.progress.hidden = state !== "downloading";
    if (state === "downloading") this.progress.removeAttribute("value"); // indeterminate until sizes are known
  }

  /** Call `listener` with each new state. */
  onChange(listener: (state: BootState) => void): void {
    this.listeners.push(listener);
  }

  /** Download progress: `done` of `total` bytes (total 0 = unknown). */
  setProgress(done: number, total: number): void {
    if (total <= 0) return;
    this.progress.max = total;
    this.progress.value = done;
  }
}
