// ops.ts — the operation tables of FAT inodes and files (what the VFS calls).

import { fatCreate, fatLookup, fatMkdir, fatRename, fatRmdir, fatUnlink } from "./namei";
import { fatRead, fatTruncate, fatWrite } from "./file";
import { fatReaddir } from "./dir";
import { fatEvict } from "./inode";

export const fatDirInodeOps: InodeOps = {
  lookup: fatLookup, create: fatCreate, mkdir: fatMkdir, unlink: fatUnlink, rmdir: fatRmdir, rename: fatRename,
  evict: fatEvict,
};
export const fatFileInodeOps: InodeOps = { truncate: fatTruncate, evict: fatEvict };
export const fatDirOps: FileOps = { readdir: fatReaddir };
export const fatFileOps: FileOps = { read: fatRead, write: fatWrite };
