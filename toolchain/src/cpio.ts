// cpio "newc" archives: the format of Linux (and Lokum) initramfs images.
//
// Design note
// -----------
// A newc archive is a sequence of entries, each a 110-byte ASCII header, the path name, then
// the file data, with name and data each padded so the next part starts on a 4-byte boundary:
//
//   "070701" + 13 fields of 8 hex digits:
//     ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
//   name + NUL, zero padding to a multiple of 4 (counting from the header's start)
//   data (a symlink's data is its target), zero padding to a multiple of 4
//
// The archive ends with an entry named "TRAILER!!!". An extractor creates entries in order,
// so the writer puts every directory before its contents: it adds any missing parent
// directories and sorts entries by path component. The output is deterministic: owner 0:0
// unless an entry names its uid/gid (a user's home directory), mtime 0, inode numbers 1, 2, 3... in archive order, whatever order the entries came in.
//
// Modes: `mode` may carry the file type bits (0o040000 directory, 0o100000 regular file,
// 0o120000 symlink) or just permissions; without type bits an entry with `target` is a
// symlink, one with `data` a regular file, and one with neither a directory.

import { utf8Decode, utf8Encode } from "./utf8.js";

export class CpioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CpioError";
  }
}

export interface CpioEntry {
  path: string;
  mode: number;
  data?: Uint8Array;
  target?: string; // symlink target
  uid?: number; // owner (default 0, root)
  gid?: number; // group (default 0)
}

const MAGIC = "070701";
const MAGIC_WITH_CRC = "070702";
const HEADER_SIZE = 110;
const TRAILER = "TRAILER!!!";

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const DEFAULT_DIRECTORY_MODE = 0o755;

function alignUp4(n: number): number {
  return (n + 3) & ~3;
}

/** "./usr//bin/" → "usr/bin"; the archive stores relative paths without dots. */
function normalisePath(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new CpioError(`cpio: path '${path}' contains '..'`);
  if (parts.length === 0) throw new CpioError(`cpio: empty path '${path}'`);
  return parts.join("/");
}

function fullMode(entry: CpioEntry): number {
  if ((entry.mode & S_IFMT) !== 0) return entry.mode;
  if (entry.target !== undefined) return S_IFLNK | entry.mode;
  if (entry.data !== undefined) return S_IFREG | entry.mode;
  return S_IFDIR | entry.mode;
}

/** Orders paths so that a directory precedes everything inside it ("a" < "a/b" < "a-b"). */
function comparePaths(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

interface PreparedEntry {
  path: string;
  mode: number;
  contents: Uint8Array;
  uid: number;
  gid: number;
}

export function writeCpio(entries: CpioEntry[]): Uint8Array {
  const byPath = new Map<string, PreparedEntry>();
  for (const entry of entries) {
    const path = normalisePath(entry.path);
    if (byPath.has(path)) throw new CpioError(`cpio: '${path}' is listed twice`);
    const mode = fullMode(entry);
    const type = mode & S_IFMT;
    let contents: Uint8Array = new Uint8Array(0);
    if (type === S_IFLNK) {
      if (entry.target === undefined) throw new CpioError(`cpio: symlink '${path}' has no target`);
      contents = utf8Encode(entry.target);
    } else if (type === S_IFREG) {
      contents = entry.data ?? new Uint8Array(0);
    } else if (entry.data !== undefined && entry.data.length > 0) {
      throw new CpioError(`cpio: '${path}' has data but is not a regular file`);
    }
    byPath.set(path, { path, mode, contents, uid: entry.uid ?? 0, gid: entry.gid ?? 0 });
  }
  // Add parent directories nobody listed, so extraction never needs to invent them.
  for (const path of [...byPath.keys()]) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const existing = byPath.get(parent);
      if (!existing) byPath.set(parent, { path: parent, mode: S_IFDIR | DEFAULT_DIRECTORY_MODE, contents: new Uint8Array(0), uid: 0, gid: 0 });
      else if ((existing.mode & S_IFMT) !== S_IFDIR) throw new CpioError(`cpio: '${parent}' is not a directory but contains '${path}'`);
    }
  }
  const ordered = [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));

  const chunks: Uint8Array[] = [];
  let size = 0;
  const emit = (ino: number, mode: number, nlink: number, name: string, contents: Uint8Array, uid = 0, gid = 0) => {
    const nameBytes = utf8Encode(name);
    const fields = [ino, mode, uid, gid, nlink, 0, contents.length, 0, 0, 0, 0, nameBytes.length + 1, 0];
    const header = MAGIC + fields.map((f) => (f >>> 0).toString(16).padStart(8, "0")).join("");
    const nameEnd = alignUp4(HEADER_SIZE + nameBytes.length + 1);
    const entry = new Uint8Array(nameEnd + alignUp4(contents.length));
    entry.set(utf8Encode(header), 0);
    entry.set(nameBytes, HEADER_SIZE);
    entry.set(contents, nameEnd);
    chunks.push(entry);
    size += entry.length;
  };
  ordered.forEach((e, i) => emit(i + 1, e.mode, (e.mode & S_IFMT) === S_IFDIR ? 2 : 1, e.path, e.contents, e.uid, e.gid));
  emit(0, 0, 1, TRAILER, new Uint8Array(0));

  const archive = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    archive.set(chunk, offset);
    offset += chunk.length;
  }
  return archive;
}

/**
 * Reads a newc (070701) or newc-with-checksum (070702) archive. Paths are returned as stored
 * (GNU cpio may write "." and "./x" or "x" when fed `find .`); symlinks come back with `target`,
 * regular files with `data`, directories with neither.
 */
export function readCpio(bytes: Uint8Array): CpioEntry[] {
  const entries: CpioEntry[] = [];
  let offset = 0;
  for (;;) {
    if (offset + HEADER_SIZE > bytes.length) throw new CpioError(`cpio: truncated archive (no header at offset ${offset}; missing ${TRAILER}?)`);
    const header = String.fromCharCode(...bytes.subarray(offset, offset + HEADER_SIZE));
    const magic = header.slice(0, 6);
    if (magic !== MAGIC && magic !== MAGIC_WITH_CRC) throw new CpioError(`cpio: bad magic '${magic}' at offset ${offset} (newc "070701" expected)`);
    const field = (index: number): number => {
      const text = header.slice(6 + index * 8, 14 + index * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new CpioError(`cpio: bad header field at offset ${offset}`);
      return parseInt(text, 16);
    };
    const mode = field(1);
    const fileSize = field(6);
    const nameSize = field(11);
    if (nameSize === 0) throw new CpioError(`cpio: empty name at offset ${offset}`);
    const nameStart = offset + HEADER_SIZE;
    const dataStart = offset + alignUp4(HEADER_SIZE + nameSize);
    if (nameStart + nameSize > bytes.length || dataStart + fileSize > bytes.length) throw new CpioError(`cpio: truncated entry at offset ${offset}`);
    const path = utf8Decode(bytes.subarray(nameStart, nameStart + nameSize - 1));
    if (path === TRAILER) return entries;
    const contents = bytes.slice(dataStart, dataStart + fileSize);
    const type = mode & S_IFMT;
    const owner = field(2) !== 0 || field(3) !== 0 ? { uid: field(2), gid: field(3) } : {};
    if (type === S_IFLNK) entries.push({ path, mode, target: utf8Decode(contents), ...owner });
    else if (type === S_IFDIR) entries.push({ path, mode, ...owner });
    else entries.push({ path, mode, data: contents, ...owner });
    offset = dataStart + alignUp4(fileSize);
  }
}
