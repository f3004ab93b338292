// Files between the computer and the guest, without a reboot and without touching the shell:
//
//   upload     the "Upload" button (a file chooser) or dropping files anywhere on the page:
//              each file goes to UPLOAD_DIR/NAME in the guest (Machine.putFile over the side
//              channel; mode 0644, or 0755 when the name has no dot — probably a program).
//   download   a guest path in the box, then "Download": Machine.getFile, saved by the browser
//              under the path's last part.
// Messages go to the bar's notice line (main.ts), never into the terminal.

import type { Lab } from "./lab.js";
import { downloadBytes } from "./snapshots.js";

export const UPLOAD_DIR = "/root";

export interface FilesUi {
  upload: HTMLInputElement;
  uploadButton: HTMLButtonElement;
  downloadPath: HTMLInputElement;
  downloadButton: HTMLButtonElement;
  dropZone: HTMLElement;
}

/** Copy `file` into the guest as UPLOAD_DIR/name; returns the guest path. */
export async function uploadFile(lab: Lab, file: File): Promise<string> {
  const machine = await lab.whenReady();
  const name = file.name.replace(/[/\0]/g, "_");
  const path = `${UPLOAD_DIR}/${name}`;
  await machine.putFile(path, new Uint8Array(await file.arrayBuffer()), name.includes(".") ? 0o644 : 0o755);
  return path;
}

/** Fetch the guest file `path` and hand it to the browser as a download. */
export async function downloadFile(lab: Lab, path: string): Promise<number> {
  const machine = await lab.whenReady();
  const bytes = await machine.getFile(path);
  downloadBytes(bytes, path.split("/").filter(Boolean).pop() ?? "download");
  return bytes.length;
}

export function setupFiles(lab: Lab, ui: FilesUi, notify: (text: string, bad?: boolean) => void): void {
  const sendAll = async (files: Iterable<File>): Promise<void> => {
    for (const file of files) {
      try {
        notify(`uploading ${file.name} (${file.size} bytes)…`);
        const path = await uploadFile(lab, file);
        notify(`uploaded ${file.name} → ${path}`);
      } catch (error) {
        notify(`upload of ${file.name} failed: ${error instanceof Error ? error.message : String(error)}`, true);
      }
    }
  };
  ui.uploadButton.addEventListener("click", () => ui.upload.click());
  ui.upload.addEventListener("change", () => {
    void sendAll([...(ui.upload.files ?? [])]).finally(() => (ui.upload.value = ""));
  });
  ui.dropZone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    ui.dropZone.classList.add("dropping");
  });
  ui.dropZone.addEventListener("dragleave", () => ui.dropZone.classList.remove("dropping"));
  ui.dropZone.addEventListener("drop", (event) => {
    ui.dropZone.classList.remove("dropping");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    void sendAll([...event.dataTransfer.files]);
  });
  const download = async (): Promise<void> => {
    const path = ui.downloadPath.value.trim();
    if (!path.startsWith("/")) return notify("give an absolute guest path, e.g. /root/notes.txt", true);
    try {
      const bytes = await downloadFile(lab, path);
      notify(`downloaded ${path} (${bytes} bytes)`);
    } catch (error) {
      notify(`download of ${path} failed: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  };
  ui.downloadButton.addEventListener("click", () => void download());
  ui.downloadPath.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void download();
  });
}
