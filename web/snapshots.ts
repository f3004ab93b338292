// Keeping machines: a v86 state (Lab.save) in the browser's storage or in a file.
//
//   browser   IndexedDB database "lokum-lab", object store "machines", one record under the key
//             "saved": { state (gzip-compressed bytes), savedAt, bytes }. IndexedDB, not
//             localStorage: a state is megabytes of binary, and IndexedDB stores Blobs/bytes
//             without turning them into strings.
//   file      the same gzip bytes, downloaded as lokum-YYYYMMDD-HHMMSS.v86.gz; loading accepts
//             a gzip file or a raw state.
// Compression uses the browser's own CompressionStream (a state is mostly zeros: 7 MB → ~1.5 MB).

const DB_NAME = "lokum-lab";
const STORE = "machines";
const SAVED_KEY = "saved";

export interface SavedMachine {
  state: Uint8Array;
  savedAt: string;
  bytes: number;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB: cannot open"));
  });
}

async function withStore<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = body(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB: transaction failed"));
    });
  } finally {
    db.close();
  }
}

/** Store `state` in the browser (replacing the previous one). */
export async function saveToBrowser(state: ArrayBuffer): Promise<SavedMachine> {
  const record: SavedMachine = { state: await gzip(new Uint8Array(state)), savedAt: new Date().toISOString(), bytes: state.byteLength };
  await withStore("readwrite", (store) => store.put(record, SAVED_KEY));
  return record;
}

/** The machine stored in the browser, or undefined. */
export async function loadFromBrowser(): Promise<{ state: ArrayBuffer; savedAt: string } | undefined> {
  const record = await withStore<SavedMachine | undefined>("readonly", (store) => store.get(SAVED_KEY) as IDBRequest<SavedMachine | undefined>);
  if (!record) return undefined;
  return { state: (await gunzip(record.state)).buffer as ArrayBuffer, savedAt: record.savedAt };
}

/** When the stored machine was saved, without reading it; undefined if there is none. */
export async function savedInBrowserAt(): Promise<string | undefined> {
  const record = await withStore<SavedMachine | undefined>("readonly", (store) => store.get(SAVED_KEY) as IDBRequest<SavedMachine | undefined>);
  return record?.savedAt;
}

/** Offer `state` as a download (gzip). */
export async function saveToFile(state: ArrayBuffer): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const name = `lokum-${stamp}.v86.gz`;
  downloadBytes(await gzip(new Uint8Array(state)), name, "application/gzip");
  return name;
}

/** A state from a file the user chose (gzip or raw). */
export async function loadFromFile(file: Blob): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
  return raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
}

/** Make the browser download `bytes` as `name`. */
export function downloadBytes(bytes: Uint8Array, name: string, type = "application/octet-stream"): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
