// Tests for the newc cpio writer/reader, checked against GNU cpio.
import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCpio, readCpio, CpioError, type CpioEntry } from "../../toolchain/src/cpio.js";

const haveCpio = spawnSync("cpio", ["--version"]).status === 0;
const bytes = (text: string) => new TextEncoder().encode(text);

const sample: CpioEntry[] = [
  { path: "bin/init", mode: 0o755, data: bytes("#!init\n") },
  { path: "etc/motd", mode: 0o100644, data: bytes("Welcome to Lokum!\n") },
  { path: "etc/empty", mode: 0o644, data: new Uint8Array(0) },
  { path: "dev", mode: 0o40755 },
  { path: "lib/modules/hello.ko", mode: 0o644, data: Uint8Array.from({ length: 1001 }, (_, i) => (i * 7) & 0xff) },
  { path: "sbin", mode: 0o777, target: "bin" },
  { path: "etc/café.txt", mode: 0o644, data: bytes("ünïcödé ✓\n") },
];

describe("writeCpio", () => {
  it("writes newc headers, padding, directories first and a trailer", () => {
    const archive = writeCpio(sample);
    expect(archive.length % 4).toBe(0);
    const text = new TextDecoder("latin1").decode(archive);
    expect(text.startsWith("070701")).toBe(true);
    expect(text).toContain("TRAILER!!!");
    const entries = readCpio(archive);
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual(["bin", "bin/init", "dev", "etc", "etc/café.txt", "etc/empty", "etc/motd", "lib", "lib/modules", "lib/modules/hello.ko", "sbin"]);
    for (const [i, p] of paths.entries()) {
      const parent = p.split("/").slice(0, -1).join("/");
      if (parent) expect(paths.indexOf(parent)).toBeLessThan(i);
    }
    expect(entries.find((e) => e.path === "bin/init")).toEqual({ path: "bin/init", mode: 0o100755, data: bytes("#!init\n") });
    expect(entries.find((e) => e.path === "sbin")).toEqual({ path: "sbin", mode: 0o120777, target: "bin" });
    expect(entries.find((e) => e.path === "lib")).toEqual({ path: "lib", mode: 0o40755 });
  });

  it("is deterministic whatever the input order", () => {
    expect(writeCpio([...sample].reverse())).toEqual(writeCpio(sample));
  });

  it("rejects bad entries", () => {
    expect(() => writeCpio([{ path: "../x", mode: 0o644, data: bytes("") }])).toThrow(CpioError);
    expect(() => writeCpio([{ path: "a", mode: 0o644, data: bytes("") }, { path: "a/b", mode: 0o644, data: bytes("") }])).toThrow(/not a directory/);
    expect(() => writeCpio([{ path: "a", mode: 0o644 }, { path: "./a", mode: 0o644 }])).toThrow(/twice/);
  });

  it.runIf(haveCpio)("extracts with GNU cpio -idm to the same tree", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-cpio-out-"));
    const result = spawnSync("cpio", ["-idm", "--quiet"], { cwd: dir, input: writeCpio(sample) });
    expect(result.stderr.toString()).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, "bin/init"), "utf8")).toBe("#!init\n");
    expect(lstatSync(join(dir, "bin/init")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dir, "etc/motd"), "utf8")).toBe("Welcome to Lokum!\n");
    expect(readFileSync(join(dir, "etc/empty")).length).toBe(0);
    expect(new Uint8Array(readFileSync(join(dir, "lib/modules/hello.ko")))).toEqual(sample[4]!.data);
    expect(lstatSync(join(dir, "dev")).isDirectory()).toBe(true);
    expect(lstatSync(join(dir, "sbin")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "sbin"))).toBe("bin");
    expect(lstatSync(join(dir, "etc/motd")).mtimeMs).toBe(0);
    expect(readFileSync(join(dir, "etc/café.txt"), "utf8")).toBe("ünïcödé ✓\n");
    // GNU cpio's listing agrees on names and order.
    const listing = spawnSync("cpio", ["-t", "--quiet"], { input: writeCpio(sample) }).stdout.toString().trim().split("\n");
    expect(listing).toEqual(readCpio(writeCpio(sample)).map((e) => e.path));
  });
});

describe("readCpio", () => {
  it.runIf(haveCpio)("reads an archive made by GNU cpio -o -H newc", () => {
    const dir = mkdtempSync(join(tmpdir(), "lokum-cpio-in-"));
    mkdirSync(join(dir, "etc"));
    writeFileSync(join(dir, "etc/hostname"), "lokum\n");
    writeFileSync(join(dir, "odd-size"), Uint8Array.from({ length: 4097 }, (_, i) => i & 0xff));
    chmodSync(join(dir, "odd-size"), 0o600);
    symlinkSync("etc/hostname", join(dir, "link"));
    const archive = new Uint8Array(execFileSync("sh", ["-c", "find . | LC_ALL=C sort | cpio -o -H newc --quiet"], { cwd: dir }));
    const entries = readCpio(archive);
    // GNU cpio may store "./etc" or "etc" depending on its version: compare without the "./".
    const byPath = new Map(entries.map((e) => [e.path.replace(/^\.\//, ""), e]));
    expect([...byPath.keys()].sort()).toEqual([".", "etc", "etc/hostname", "link", "odd-size"]);
    expect(new TextDecoder().decode(byPath.get("etc/hostname")!.data)).toBe("lokum\n");
    expect(byPath.get("odd-size")!.data!.length).toBe(4097);
    expect(byPath.get("odd-size")!.mode).toBe(0o100600);
    expect(byPath.get("link")!.target).toBe("etc/hostname");
    expect(byPath.get("etc")!.mode & 0o170000).toBe(0o040000);
  });

  it("keeps each entry's owner (uid, gid): root's when none is given", () => {
    const archive = writeCpio([
      { path: "home/student", mode: 0o040755, uid: 1000, gid: 100 },
      { path: "home/student/notes", mode: 0o100640, data: bytes("x"), uid: 1000, gid: 1000 },
      { path: "etc/shadow", mode: 0o100600, data: bytes("") },
    ]);
    const byPath = new Map(readCpio(archive).map((e) => [e.path, e]));
    expect([byPath.get("home/student")!.uid, byPath.get("home/student")!.gid]).toEqual([1000, 100]);
    expect([byPath.get("home/student/notes")!.uid, byPath.get("home/student/notes")!.gid]).toEqual([1000, 1000]);
    expect(byPath.get("etc/shadow")!.uid).toBeUndefined();
    expect(byPath.get("home")!.uid).toBeUndefined(); // a parent the writer added: root's
  });

  it("rejects garbage and truncated archives with CpioError", () => {
    expect(() => readCpio(bytes("not an archive at all, not at all, really not an archive at all......................................................"))).toThrow(/bad magic/);
    const archive = writeCpio(sample);
    for (let cut = 0; cut < archive.length - 4; cut += 37) expect(() => readCpio(archive.slice(0, cut))).toThrow(CpioError);
  });
});
