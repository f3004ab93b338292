// ext2 images: a whole file system written from a list of files, for `lokum build`'s disk.img
// and for tests. No Node: the lab runs it in the browser too.
//
// Design note
// -----------
// What is written is "revision 1" ext2 as mke2fs makes it with
//   mke2fs -t ext2 -b 1024 -I 128|256 -m 0 -O ^dir_index,^resize_inode,^ext_attr
// i.e. 1 KiB blocks and the features filetype (INCOMPAT 0x2), sparse_super (RO_COMPAT 0x1) and
// large_file (RO_COMPAT 0x2) — exactly what Linux's ext2 and Lokum's ext2 module read.
//
// The disk is cut into block groups of BLOCKS_PER_GROUP blocks; block 0 (the boot block) is
// before the first group, so group g covers blocks 1 + g·8192 … . A group is laid out as
//
//   [superblock][group descriptor table]   only in groups 0, 1 and powers of 3, 5, 7 (sparse_super)
//   [block bitmap][inode bitmap][inode table]
//   [data blocks …]
//
// Superblock (1024 bytes at byte 1024; the fields written here, little-endian):
//   0 inodes_count  4 blocks_count  8 r_blocks_count  12 free_blocks  16 free_inodes
//   20 first_data_block (1)  24 log_block_size (0 = 1 KiB)  28 log_frag_size  32 blocks_per_group
//   36 frags_per_group  40 inodes_per_group  44 mtime  48 wtime  52 mnt_count:16
//   54 max_mnt_count:16 (-1)  56 magic:16 0xEF53  58 state:16 (1 clean)  60 errors:16 (1 continue)
//   64 lastcheck  72 creator_os (0 Linux)  76 rev_level (1)  84 first_ino (11)  88 inode_size:16
//   90 block_group_nr:16  92 feature_compat  96 feature_incompat  100 feature_ro_compat
//   104 uuid[16]  120 volume_name[16]  264 mkfs_time  348 min_extra_isize:16  350 want_extra_isize:16
// Group descriptor (32 bytes): 0 block_bitmap 4 inode_bitmap 8 inode_table 12 free_blocks:16
//   14 free_inodes:16 16 used_dirs:16
// Inode (128 bytes, +extra for 256-byte inodes): 0 mode:16 2 uid:16 4 size 8 atime 12 ctime
//   16 mtime 20 dtime 24 gid:16 26 links:16 28 blocks (in 512-byte sectors, indirect blocks
//   included) 32 flags 40 block[15] (12 direct, single, double, triple indirect) 108 size_high
//   120 uid_high:16 122 gid_high:16 | 128 extra_isize:16 (32 here)
// Directory entry: 0 inode 4 rec_len:16 6 name_len:8 7 file_type:8 (1 file, 2 dir, 3 chr,
//   4 blk, 5 fifo, 6 sock, 7 symlink) 8 name, padded to 4; the last entry of a block reaches
//   the block's end, and no entry crosses a block.
//
// Special inodes: 1 bad blocks (empty), 2 the root directory, 11 lost+found (12 blocks, as
// mke2fs leaves it, so that e2fsck can reconnect files without allocating). Files get inodes from
// 12 on and blocks in order, each file's blocks contiguous with its indirect blocks in between,
// as ext2's own allocator would lay out a file written in one go.
//
// A symlink whose target is shorter than 60 bytes is "fast": the target lives in block[].
// A device node keeps its number in block[0] (Linux's old encoding, major:8 minor:8) or, when
// either is above 255, in block[1] (the new one: minor low byte | major << 8 | minor high << 12).

import { utf8Encode } from "./utf8.js";

export class Ext2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Ext2Error";
  }
}

export interface Ext2Entry {
  /** Inside the file system, "etc/motd" or "/etc/motd". Missing parent directories are made. */
  path: string;
  /** With the file type bits: 0o100644 file, 0o040755 directory, 0o120777 symlink,
   *  0o020600 character device, 0o060600 block device, 0o010644 fifo. Without type bits an
   *  entry with `target` is a symlink, with `data` a file, with neither a directory. */
  mode: number;
  data?: Uint8Array;
  target?: string;
  /** Device number of a character or block device. */
  rdev?: { major: number; minor: number };
  uid?: number;
  gid?: number;
  /** Seconds since 1970; default: the image's `time`. */
  mtime?: number;
}

export interface Ext2Options {
  /** Size in 1 KiB blocks. Default: what the files need, plus half again and 2 MiB free. */
  blocks?: number;
  /** 128 (classic) or 256 (mke2fs's default). Default 256. */
  inodeSize?: 128 | 256;
  /** Number of inodes (rounded up to fill each group's table). Default: one per 4 KiB, at least
   *  twice the number of entries. */
  inodes?: number;
  /** The time stamps of the file system and of entries without their own. Default 0. */
  time?: number;
  volumeName?: string;
  /** 16 bytes; default derived from the contents, so the same input gives the same image. */
  uuid?: Uint8Array;
}

export const EXT2_BLOCK_SIZE = 1024;
export const EXT2_SUPER_MAGIC = 0xef53;
const BLOCKS_PER_GROUP = 8192;
const ROOT_INO = 2;
const LOST_FOUND_INO = 11;
const FIRST_INO = 11;
const LOST_FOUND_BLOCKS = 12;
const DESCRIPTOR_SIZE = 32;
const EXTRA_ISIZE = 32;
const FEATURE_INCOMPAT_FILETYPE = 0x2;
const FEATURE_RO_COMPAT_SPARSE_SUPER = 0x1;
const FEATURE_RO_COMPAT_LARGE_FILE = 0x2;
const POINTERS_PER_BLOCK = EXT2_BLOCK_SIZE / 4;
const FAST_SYMLINK_MAX = 59;

const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000, S_IFBLK = 0o060000;
const S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

/** Directory entry file_type for each inode type. */
const FILE_TYPE: Record<number, number> = {
  [S_IFREG]: 1, [S_IFDIR]: 2, [S_IFCHR]: 3, [S_IFBLK]: 4, [S_IFIFO]: 5, [S_IFSOCK]: 6, [S_IFLNK]: 7,
};

/** One file of the image while it is being laid out. */
interface Node {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  links: number;
  data: Uint8Array; // file contents, slow symlink target, or the directory's blocks once built
  target?: string;
  rdev?: { major: number; minor: number };
  children?: Map<string, Node>; // directories, in insertion order
  parent?: Node; // directories: where ".." points
  extraDirBlocks?: number; // empty directory blocks after the entries (lost+found)
}

/** Sparse superblock backups: groups 0, 1 and the powers of 3, 5 and 7. */
export function groupHasSuperblock(group: number): boolean {
  if (group <= 1) return true;
  for (const base of [3, 5, 7]) {
    let n = base;
    while (n < group) n *= base;
    if (n === group) return true;
  }
  return false;
}

/** Build an ext2 file system holding `entries`; returns the image (a whole partition). */
export function writeExt2(entries: readonly Ext2Entry[], options: Ext2Options = {}): Uint8Array {
  const time = options.time ?? 0;
  const inodeSize = options.inodeSize ?? 256;
  if (inodeSize !== 128 && inodeSize !== 256) throw new Ext2Error(`ext2: inode size ${inodeSize} (must be 128 or 256)`);
  const tree = buildTree(entries, time);
  const nodes = numberInodes(tree);
  for (const node of nodes) if (node.children) node.data = directoryBlocks(node);

  // Size the file system: data and indirect blocks of every node, plus the metadata per group.
  const dataBlocks = nodes.reduce((sum, n) => sum + blocksWithIndirect(blocksOf(n)), 0);
  const entryCount = nodes.length;
  let blocks = options.blocks ?? Math.max(2048, Math.ceil(dataBlocks * 1.5) + 2048 + Math.ceil(dataBlocks / 16));
  const wantedInodes = Math.max(options.inodes ?? Math.max(Math.ceil(blocks / 4), entryCount * 2), entryCount + FIRST_INO);
  const layout = planGroups(blocks, wantedInodes, inodeSize);
  blocks = layout.blocks;
  if (layout.groups * layout.inodesPerGroup < entryCount + FIRST_INO) {
    throw new Ext2Error(`ext2: no space left: ${entryCount} files need more inodes than ${blocks} blocks can hold`);
  }

  const image = new Uint8Array(blocks * EXT2_BLOCK_SIZE);
  const view = new DataView(image.buffer);
  const used = new Uint8Array(blocks); // 1 = block in use (metadata or data)
  for (let g = 0; g < layout.groups; g++) for (const b of layout.metadata(g)) used[b] = 1;
  used[0] = 1; // the boot block, before group 0 (not in any bitmap)

  // Place every node's blocks, in inode order.
  let next = 1;
  const allocate = (): number => {
    while (next < blocks && used[next]) next++;
    if (next >= blocks) throw new Ext2Error(`ext2: no space left: the files need more than ${blocks} blocks`);
    used[next] = 1;
    return next++;
  };
  const inodeTable = (ino: number): number => {
    const g = Math.floor((ino - 1) / layout.inodesPerGroup);
    return layout.inodeTable(g) * EXT2_BLOCK_SIZE + ((ino - 1) % layout.inodesPerGroup) * inodeSize;
  };
  const dirsPerGroup = new Array<number>(layout.groups).fill(0);
  for (const node of nodes) {
    const at = inodeTable(node.ino);
    writeInode(view, at, node, inodeSize, (count) => placeBlocks(image, view, node, count, allocate));
    if (node.children) dirsPerGroup[Math.floor((node.ino - 1) / layout.inodesPerGroup)]++;
  }

  // Bitmaps, descriptors, superblocks.
  const lastIno = nodes[nodes.length - 1].ino;
  let freeBlocks = 0, freeInodes = 0;
  const descriptors: { blockBitmap: number; inodeBitmap: number; inodeTable: number; freeBlocks: number; freeInodes: number; dirs: number }[] = [];
  for (let g = 0; g < layout.groups; g++) {
    const first = 1 + g * BLOCKS_PER_GROUP;
    const count = Math.min(BLOCKS_PER_GROUP, blocks - first);
    const blockBitmap = layout.blockBitmap(g) * EXT2_BLOCK_SIZE;
    let groupFreeBlocks = 0;
    for (let i = 0; i < BLOCKS_PER_GROUP; i++) {
      // Bits past the last block of the last group are set: "in use", as mke2fs pads them.
      if (i >= count || used[first + i]) image[blockBitmap + (i >> 3)] |= 1 << (i & 7);
      else groupFreeBlocks++;
    }
    const inodeBitmap = layout.inodeBitmap(g) * EXT2_BLOCK_SIZE;
    let groupFreeInodes = 0;
    for (let i = 0; i < EXT2_BLOCK_SIZE * 8; i++) {
      const ino = g * layout.inodesPerGroup + i + 1;
      const inUse = i >= layout.inodesPerGroup || ino < FIRST_INO || ino <= lastIno;
      if (inUse) image[inodeBitmap + (i >> 3)] |= 1 << (i & 7);
      else groupFreeInodes++;
    }
    freeBlocks += groupFreeBlocks;
    freeInodes += groupFreeInodes;
    descriptors.push({ blockBitmap: layout.blockBitmap(g), inodeBitmap: layout.inodeBitmap(g), inodeTable: layout.inodeTable(g),
      freeBlocks: groupFreeBlocks, freeInodes: groupFreeInodes, dirs: dirsPerGroup[g] });
  }
  const uuid = options.uuid ?? uuidFrom(image, blocks);
  if (uuid.length !== 16) throw new Ext2Error("ext2: the uuid must be 16 bytes");
  for (let g = 0; g < layout.groups; g++) {
    if (!groupHasSuperblock(g)) continue;
    const superAt = g === 0 ? 1024 : (1 + g * BLOCKS_PER_GROUP) * EXT2_BLOCK_SIZE;
    writeSuperblock(view, image, superAt, {
      inodes: layout.groups * layout.inodesPerGroup, blocks, freeBlocks, freeInodes, inodesPerGroup: layout.inodesPerGroup,
      time, inodeSize, group: g, uuid, volumeName: options.volumeName ?? "",
    });
    const gdtAt = (g === 0 ? 2 : 2 + g * BLOCKS_PER_GROUP) * EXT2_BLOCK_SIZE;
    descriptors.forEach((d, i) => {
      const at = gdtAt + i * DESCRIPTOR_SIZE;
      view.setUint32(at, d.blockBitmap, true);
      view.setUint32(at + 4, d.inodeBitmap, true);
      view.setUint32(at + 8, d.inodeTable, true);
      view.setUint16(at + 12, d.freeBlocks, true);
      view.setUint16(at + 14, d.freeInodes, true);
      view.setUint16(at + 16, d.dirs, true);
    });
  }
  return image;
}

// ---- the tree of files -------------------------------------------------------------------------

function typeOf(entry: Ext2Entry): number {
  if ((entry.mode & S_IFMT) !== 0) return entry.mode & S_IFMT;
  return entry.target !== undefined ? S_IFLNK : entry.data !== undefined ? S_IFREG : S_IFDIR;
}

function newDirectory(mode: number, time: number): Node {
  return { ino: 0, mode: S_IFDIR | mode, uid: 0, gid: 0, mtime: time, links: 2, data: new Uint8Array(0), children: new Map() };
}

function buildTree(entries: readonly Ext2Entry[], time: number): Node {
  const root = newDirectory(0o755, time);
  const lostFound = newDirectory(0o700, time);
  lostFound.extraDirBlocks = LOST_FOUND_BLOCKS - 1;
  root.children!.set("lost+found", lostFound);
  root.links++;
  for (const entry of entries) {
    const parts = entry.path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) throw new Ext2Error(`ext2: path '${entry.path}' contains '..'`);
    for (const p of parts) if (utf8Encode(p).length > 255) throw new Ext2Error(`ext2: '${entry.path}': File name too long`);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let child = dir.children!.get(part);
      if (!child) {
        child = newDirectory(0o755, time);
        dir.children!.set(part, child);
        dir.links++;
      }
      if (!child.children) throw new Ext2Error(`ext2: '${entry.path}': Not a directory`);
      dir = child;
    }
    const type = typeOf(entry);
    if (!(type in FILE_TYPE)) throw new Ext2Error(`ext2: '${entry.path}': unknown file type 0${type.toString(8)}`);
    const node: Node = {
      ino: 0, mode: type | (entry.mode & 0o7777), uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime: entry.mtime ?? time, links: 1,
      data: type === S_IFREG ? entry.data ?? new Uint8Array(0) : new Uint8Array(0), target: entry.target, rdev: entry.rdev,
    };
    if (type === S_IFLNK) {
      if (entry.target === undefined || entry.target === "") throw new Ext2Error(`ext2: '${entry.path}': a symlink needs a target`);
      const bytes = utf8Encode(entry.target);
      if (bytes.length >= EXT2_BLOCK_SIZE) throw new Ext2Error(`ext2: '${entry.path}': File name too long (symlink target)`);
      if (bytes.length > FAST_SYMLINK_MAX) node.data = bytes;
    }
    if ((type === S_IFCHR || type === S_IFBLK) && !entry.rdev) throw new Ext2Error(`ext2: '${entry.path}': a device node needs rdev`);
    if (parts.length === 0) { // the root itself: take its mode and owner
      if (type !== S_IFDIR) throw new Ext2Error("ext2: '/' must be a directory");
      Object.assign(root, { mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime });
      continue;
    }
    const name = parts[parts.length - 1];
    const old = dir.children!.get(name);
    if (old?.children && type === S_IFDIR) { // a directory made earlier as a parent: set its attributes
      Object.assign(old, { mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime });
      continue;
    }
    if (old) throw new Ext2Error(`ext2: '${entry.path}': File exists`);
    if (type === S_IFDIR) {
      node.children = new Map();
      node.links = 2;
      dir.links++;
    }
    dir.children!.set(name, node);
  }
  return root;
}

/** Inode numbers: the root 2, lost+found 11, then the rest depth-first from 12. */
function numberInodes(root: Node): Node[] {
  root.ino = ROOT_INO;
  root.parent = root;
  const order: Node[] = [root];
  let next = FIRST_INO;
  const walk = (dir: Node): void => {
    for (const child of dir.children!.values()) {
      child.ino = next++;
      child.parent = dir;
      order.push(child);
      if (child.children) walk(child);
    }
  };
  walk(root);
  return order;
}

/** A directory's blocks: ".", "..", then the children, each entry in one block. */
function directoryBlocks(dir: Node): Uint8Array {
  const entries: { ino: number; name: Uint8Array; type: number }[] = [
    { ino: dir.ino, name: utf8Encode("."), type: 2 },
    { ino: dir.parent!.ino, name: utf8Encode(".."), type: 2 },
  ];
  for (const [name, child] of dir.children!) entries.push({ ino: child.ino, name: utf8Encode(name), type: FILE_TYPE[child.mode & S_IFMT] });
  const blocks: Uint8Array[] = [];
  let block = new Uint8Array(EXT2_BLOCK_SIZE);
  let used = 0, lastAt = -1;
  const view = (): DataView => new DataView(block.buffer);
  for (const e of entries) {
    const size = (8 + e.name.length + 3) & ~3;
    if (used + size > EXT2_BLOCK_SIZE) {
      view().setUint16(lastAt + 4, EXT2_BLOCK_SIZE - lastAt, true);
      blocks.push(block);
      block = new Uint8Array(EXT2_BLOCK_SIZE);
      used = 0;
    }
    const v = view();
    v.setUint32(used, e.ino, true);
    v.setUint16(used + 4, size, true);
    block[used + 6] = e.name.length;
    block[used + 7] = e.type;
    block.set(e.name, used + 8);
    lastAt = used;
    used += size;
  }
  view().setUint16(lastAt + 4, EXT2_BLOCK_SIZE - lastAt, true);
  blocks.push(block);
  for (let i = 0; i < (dir.extraDirBlocks ?? 0); i++) {
    const empty = new Uint8Array(EXT2_BLOCK_SIZE);
    new DataView(empty.buffer).setUint16(4, EXT2_BLOCK_SIZE, true); // inode 0: an unused entry over the block
    blocks.push(empty);
  }
  const out = new Uint8Array(blocks.length * EXT2_BLOCK_SIZE);
  blocks.forEach((b, i) => out.set(b, i * EXT2_BLOCK_SIZE));
  return out;
}

/** Data blocks a node needs (0 for fast symlinks and device nodes). */
function blocksOf(node: Node): number {
  return Math.ceil(node.data.length / EXT2_BLOCK_SIZE);
}

/** Data blocks plus the indirect blocks that map them. */
function blocksWithIndirect(n: number): number {
  let total = n;
  if (n > 12) total += 1; // single indirect
  if (n > 12 + POINTERS_PER_BLOCK) {
    const rest = n - 12 - POINTERS_PER_BLOCK;
    total += 1 + Math.ceil(rest / POINTERS_PER_BLOCK); // double indirect + its indirect blocks
  }
  return total;
}

// ---- groups ------------------------------------------------------------------------------------

interface GroupLayout {
  blocks: number;
  groups: number;
  inodesPerGroup: number;
  blockBitmap(g: number): number;
  inodeBitmap(g: number): number;
  inodeTable(g: number): number;
  /** Every metadata block of group g. */
  metadata(g: number): number[];
}

function planGroups(requestedBlocks: number, wantedInodes: number, inodeSize: number): GroupLayout {
  let blocks = requestedBlocks;
  if (blocks < 64) throw new Ext2Error(`ext2: ${blocks} blocks is too small for a file system`);
  for (;;) {
    const groups = Math.ceil((blocks - 1) / BLOCKS_PER_GROUP);
    const inodesPerGroup = Math.min(EXT2_BLOCK_SIZE * 8, Math.ceil(wantedInodes / groups / 8) * 8);
    const tableBlocks = inodesPerGroup * inodeSize / EXT2_BLOCK_SIZE;
    const gdtBlocks = Math.ceil(groups * DESCRIPTOR_SIZE / EXT2_BLOCK_SIZE);
    const start = (g: number): number => 1 + g * BLOCKS_PER_GROUP + (groupHasSuperblock(g) ? 1 + gdtBlocks : 0);
    const lastSize = blocks - 1 - (groups - 1) * BLOCKS_PER_GROUP;
    const overhead = (groupHasSuperblock(groups - 1) ? 1 + gdtBlocks : 0) + 2 + tableBlocks;
    if (groups > 1 && lastSize < overhead + 50) { // as mke2fs: drop a last group too small to be useful
      blocks = 1 + (groups - 1) * BLOCKS_PER_GROUP;
      continue;
    }
    if (lastSize < overhead + 1) throw new Ext2Error(`ext2: ${requestedBlocks} blocks cannot hold the metadata of ${wantedInodes} inodes`);
    return {
      blocks, groups, inodesPerGroup,
      blockBitmap: (g) => start(g),
      inodeBitmap: (g) => start(g) + 1,
      inodeTable: (g) => start(g) + 2,
      metadata: (g) => {
        const first = 1 + g * BLOCKS_PER_GROUP;
        const out: number[] = [];
        for (let b = first; b < start(g) + 2 + tableBlocks; b++) out.push(b);
        return out;
      },
    };
  }
}

// ---- inodes and their blocks -------------------------------------------------------------------

/** Write node's data into freshly allocated blocks and fill its block map; returns the block
 *  map (15 entries) and the number of blocks used, indirect blocks included. */
function placeBlocks(image: Uint8Array, view: DataView, node: Node, count: number, allocate: () => number): { map: number[]; used: number } {
  const map = new Array<number>(15).fill(0);
  let used = 0;
  let single = 0, double = 0, secondLevel = 0;
  for (let i = 0; i < count; i++) {
    let slot: number; // byte offset of the pointer to this data block
    if (i < 12) {
      slot = -1;
    } else if (i < 12 + POINTERS_PER_BLOCK) {
      if (i === 12) { single = allocate(); used++; map[12] = single; }
      slot = single * EXT2_BLOCK_SIZE + (i - 12) * 4;
    } else {
      const k = i - 12 - POINTERS_PER_BLOCK;
      if (k >= POINTERS_PER_BLOCK * POINTERS_PER_BLOCK) throw new Ext2Error("ext2: files above 64 MiB (triple indirect blocks) are not supported");
      if (k === 0) { double = allocate(); used++; map[13] = double; }
      if (k % POINTERS_PER_BLOCK === 0) {
        secondLevel = allocate();
        used++;
        view.setUint32(double * EXT2_BLOCK_SIZE + (k / POINTERS_PER_BLOCK) * 4, secondLevel, true);
      }
      slot = secondLevel * EXT2_BLOCK_SIZE + (k % POINTERS_PER_BLOCK) * 4;
    }
    const block = allocate();
    used++;
    if (slot < 0) map[i] = block;
    else view.setUint32(slot, block, true);
    image.set(node.data.subarray(i * EXT2_BLOCK_SIZE, (i + 1) * EXT2_BLOCK_SIZE), block * EXT2_BLOCK_SIZE);
  }
  return { map, used };
}

function writeInode(view: DataView, at: number, node: Node, inodeSize: number,
                    place: (count: number) => { map: number[]; used: number }): void {
  const type = node.mode & S_IFMT;
  let size = node.data.length;
  let map: number[] = new Array<number>(15).fill(0);
  let sectors = 0;
  if (type === S_IFLNK && node.data.length === 0) { // fast symlink: the target in block[]
    const target = utf8Encode(node.target!);
    size = target.length;
    new Uint8Array(view.buffer, at + 40, 60).set(target);
  } else if (type === S_IFCHR || type === S_IFBLK) {
    const { major, minor } = node.rdev!;
    if (major < 256 && minor < 256) map[0] = (major << 8) | minor;
    else map[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
  } else {
    const placed = place(blocksOf(node));
    map = placed.map;
    sectors = placed.used * (EXT2_BLOCK_SIZE / 512);
  }
  if (type !== S_IFLNK || node.data.length > 0) for (let i = 0; i < 15; i++) view.setUint32(at + 40 + i * 4, map[i], true);
  view.setUint16(at, node.mode, true);
  view.setUint16(at + 2, node.uid & 0xffff, true);
  view.setUint32(at + 4, size % 2 ** 32, true);
  view.setUint32(at + 8, node.mtime, true); // atime
  view.setUint32(at + 12, node.mtime, true); // ctime
  view.setUint32(at + 16, node.mtime, true); // mtime
  view.setUint16(at + 24, node.gid & 0xffff, true);
  view.setUint16(at + 26, node.links, true);
  view.setUint32(at + 28, sectors, true);
  if (type === S_IFREG) view.setUint32(at + 108, Math.floor(size / 2 ** 32), true);
  view.setUint16(at + 120, node.uid >>> 16, true);
  view.setUint16(at + 122, node.gid >>> 16, true);
  if (inodeSize > 128) view.setUint16(at + 128, EXTRA_ISIZE, true);
}

interface SuperblockFields {
  inodes: number;
  blocks: number;
  freeBlocks: number;
  freeInodes: number;
  inodesPerGroup: number;
  time: number;
  inodeSize: number;
  group: number;
  uuid: Uint8Array;
  volumeName: string;
}

function writeSuperblock(view: DataView, image: Uint8Array, at: number, s: SuperblockFields): void {
  view.setUint32(at + 0, s.inodes, true);
  view.setUint32(at + 4, s.blocks, true);
  view.setUint32(at + 8, 0, true); // reserved blocks: none (mke2fs -m 0)
  view.setUint32(at + 12, s.freeBlocks, true);
  view.setUint32(at + 16, s.freeInodes, true);
  view.setUint32(at + 20, 1, true); // first data block (1 KiB blocks)
  view.setUint32(at + 24, 0, true); // log2(block size) - 10
  view.setUint32(at + 28, 0, true);
  view.setUint32(at + 32, BLOCKS_PER_GROUP, true);
  view.setUint32(at + 36, BLOCKS_PER_GROUP, true);
  view.setUint32(at + 40, s.inodesPerGroup, true);
  view.setUint32(at + 44, 0, true); // last mount time: never mounted
  view.setUint32(at + 48, s.time, true); // last write
  view.setUint16(at + 52, 0, true);
  view.setInt16(at + 54, -1, true); // no forced check after N mounts
  view.setUint16(at + 56, EXT2_SUPER_MAGIC, true);
  view.setUint16(at + 58, 1, true); // EXT2_VALID_FS: clean
  view.setUint16(at + 60, 1, true); // EXT2_ERRORS_CONTINUE
  view.setUint32(at + 64, s.time, true); // last check
  view.setUint32(at + 72, 0, true); // creator OS: Linux
  view.setUint32(at + 76, 1, true); // EXT2_DYNAMIC_REV
  view.setUint32(at + 84, FIRST_INO, true);
  view.setUint16(at + 88, s.inodeSize, true);
  view.setUint16(at + 90, s.group, true);
  view.setUint32(at + 92, 0, true);
  view.setUint32(at + 96, FEATURE_INCOMPAT_FILETYPE, true);
  view.setUint32(at + 100, FEATURE_RO_COMPAT_SPARSE_SUPER | FEATURE_RO_COMPAT_LARGE_FILE, true);
  image.set(s.uuid, at + 104);
  const label = utf8Encode(s.volumeName);
  if (label.length > 16) throw new Ext2Error(`ext2: volume name '${s.volumeName}' is longer than 16 bytes`);
  image.set(label, at + 120);
  view.setUint32(at + 264, s.time, true); // mkfs time
  if (s.inodeSize > 128) {
    view.setUint16(at + 348, EXTRA_ISIZE, true);
    view.setUint16(at + 350, EXTRA_ISIZE, true);
  }
}

/** A version-4-shaped UUID from a hash of the image, so equal inputs give equal images. */
function uuidFrom(image: Uint8Array, blocks: number): Uint8Array {
  let h1 = 0x811c9dc5 ^ blocks, h2 = 0x01000193;
  for (let i = 0; i < image.length; i += 61) {
    h1 = Math.imul(h1 ^ image[i], 16777619) >>> 0;
    h2 = Math.imul(h2 + image[i] + i, 2246822519) >>> 0;
  }
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint32(0, h1);
  v.setUint32(4, h2);
  v.setUint32(8, Math.imul(h1, 3266489917) >>> 0);
  v.setUint32(12, Math.imul(h2 ^ h1, 668265263) >>> 0);
  out[6] = (out[6] & 0x0f) | 0x40;
  out[8] = (out[8] & 0x3f) | 0x80;
  return out;
}
