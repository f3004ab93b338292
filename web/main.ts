// The lab page's entry point: find the page's parts, make the terminal, the status, the lab
// session, the panels and the controls, install window.lab (api.ts), and boot.
//
// Page options (the query string):
//   ?cold        boot from the kernel even when the build made a snapshot
//   ?net=MODE    the NE2000's cable: fetch (default: v86's router), inbrowser (two tabs on one
//                wire), none (lab.ts, labNetwork). A machine other than the build's boots cold.
// The service worker (web/sw.js) is registered in a static build only: the dev server always
// serves the latest build.

import { installLabApi } from "./api.js";
import { setupFiles } from "./files.js";
import { Lab, labNetwork } from "./lab.js";
import { Panels } from "./panels.js";
import { Settings, storedSettings } from "./settings.js";
import { loadFromBrowser, loadFromFile, savedInBrowserAt, saveToBrowser, saveToFile } from "./snapshots.js";
import { ENDED_STATES, StatusIndicator } from "./status.js";
import { LabTerminal } from "./terminal.js";

/** True in a static build (vite.config.ts, serviceWorker). */
declare const __LOKUM_SERVICE_WORKER__: boolean;

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const params = new URLSearchParams(location.search);
const terminal = new LabTerminal($("#terminal"), storedSettings());
const status = new StatusIndicator($("#status"));
const lab = new Lab(terminal, status, { setup: labNetwork(location.search), useSnapshot: !params.has("cold") });
const panels = new Panels($("#panels"), lab, status);
const settings = new Settings(terminal);

// The module workbench (web/workbench/: CodeMirror, and a worker that loads TypeScript) is half
// the page's code and its worker's start-up takes a CPU for a second: it loads once the first
// boot has ended, well or badly, so that it does not slow the way to the prompt.
let loadWorkbench!: () => void;
const workbenchLoaded = new Promise<void>((resolve) => (loadWorkbench = resolve)).then(async () => {
  const { installWorkbench } = await import("./workbench/workbench.js");
  installWorkbench(terminal);
});
status.onChange((state) => {
  if (state === "ready" || ENDED_STATES.includes(state)) loadWorkbench();
});
installLabApi(lab, terminal, status, panels, workbenchLoaded);

// ---- the bar ---------------------------------------------------------------------------------

const notice = $("#notice");
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notify(text: string, bad = false): void {
  notice.textContent = text;
  notice.classList.toggle("bad", bad);
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.textContent = ""), bad ? 15_000 : 6_000);
}

const resetButton = $<HTMLButtonElement>("#reset");
resetButton.addEventListener("click", async () => {
  resetButton.disabled = true;
  try {
    await lab.reset();
  } finally {
    resetButton.disabled = false;
    terminal.focus();
  }
});
status.onChange((state) => resetButton.classList.toggle("offer", ENDED_STATES.includes(state)));

$("#font-smaller").addEventListener("click", () => settings.stepFont(-1));
$("#font-bigger").addEventListener("click", () => settings.stepFont(1));
$("#theme").addEventListener("click", () => settings.toggleTheme());
$("#panels-toggle").addEventListener("click", () => document.body.classList.toggle("panels-hidden"));

// ---- files and machines ----------------------------------------------------------------------

setupFiles(lab, {
  upload: $<HTMLInputElement>("#upload"),
  uploadButton: $<HTMLButtonElement>("#upload-button"),
  downloadPath: $<HTMLInputElement>("#download-path"),
  downloadButton: $<HTMLButtonElement>("#download-button"),
  dropZone: document.body,
}, notify);

const restoreButton = $<HTMLButtonElement>("#restore-browser");
async function showSaved(): Promise<void> {
  const at = await savedInBrowserAt().catch(() => undefined);
  restoreButton.disabled = !at;
  restoreButton.title = at ? `Continue the machine saved at ${new Date(at).toLocaleString()}` : "Nothing saved in this browser yet";
}
// (Once the first boot has ended: opening IndexedDB, which a first visit creates, costs the page
// and the browser some milliseconds they need for the boot.)
let savedShown = false;
status.onChange((state) => {
  if (savedShown || (state !== "ready" && !ENDED_STATES.includes(state))) return;
  savedShown = true;
  void showSaved();
});

async function guarded(what: string, body: () => Promise<string>): Promise<void> {
  try {
    notify(`${what}…`);
    notify(await body());
  } catch (error) {
    notify(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, true);
  } finally {
    terminal.focus();
  }
}

$("#save-browser").addEventListener("click", () => guarded("saving the machine", async () => {
  const record = await saveToBrowser(await lab.save());
  await showSaved();
  return `machine saved in this browser (${(record.state.length / 1048576).toFixed(1)} MiB)`;
}));
restoreButton.addEventListener("click", () => guarded("restoring the machine", async () => {
  const saved = await loadFromBrowser();
  if (!saved) throw new Error("nothing saved in this browser");
  await lab.restore(saved.state);
  return `restored the machine saved at ${new Date(saved.savedAt).toLocaleString()}`;
}));
$("#save-file").addEventListener("click", () => guarded("saving the machine to a file", async () => `saved ${await saveToFile(await lab.save())}`));
const stateFile = $<HTMLInputElement>("#state-file");
$("#load-file").addEventListener("click", () => stateFile.click());
stateFile.addEventListener("change", () => {
  const file = stateFile.files?.[0];
  stateFile.value = "";
  if (file) void guarded(`loading ${file.name}`, async () => {
    await lab.restore(await loadFromFile(file));
    return `restored the machine from ${file.name}`;
  });
});

// ---- go --------------------------------------------------------------------------------------

// Offline use: the service worker, registered once the first machine is ready (its precache
// downloads then, not while the page boots).
let workerRegistered = false;
status.onChange((state) => {
  if (state !== "ready" || workerRegistered || !__LOKUM_SERVICE_WORKER__ || !("serviceWorker" in navigator)) return;
  workerRegistered = true;
  navigator.serviceWorker.register("./sw.js").catch((error: Error) => notify(`offline use unavailable: ${error.message}`, true));
});

// The machine first, then the terminal: xterm.js (a chunk of its own, terminal.ts) loads and
// opens while v86 builds the PC; the machine is called ready once its prompt is on the open
// terminal (lab.ts, markReady).
void lab.boot();
void terminal.open();
terminal.focus();
panels.start();
