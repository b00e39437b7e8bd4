/**
 * The loader's own calls into the C library the process runs on, bound by dlopen (not
 * helpers: the loader runs before any helper is compiled, and its calls are not part of
 * the errno matrix). They replace node:fs on the loader's paths, whose loading costs
 * 3.5-5 ms at a first use that needs nothing else of it (docs/benchmarks.md, start-up).
 *
 * Each function returns undefined (or false) on any failure, without saying why: the
 * loader then does the same with node:fs, which throws the system's own error (EMFILE
 * when no fd is free, ENOENT, ...); `readFile` does that itself, for the loader and for
 * src/core/proc.ts. One binding per JS thread, made at its first use.
 */
import { CString, dlopen, type Pointer } from "bun:ffi";

const O_CLOEXEC = 0o2000000; // (the same on x86-64 and aarch64; O_RDONLY is 0)
const DIRENT_NAME = 19; // offsetof(struct dirent, d_name) in glibc, on x86-64 and aarch64

const symbols = {
  open: { args: ["ptr", "i32"], returns: "i32" },
  pread: { args: ["i32", "ptr", "u64", "i64"], returns: "i64" },
  write: { args: ["i32", "ptr", "u64"], returns: "i64" },
  close: { args: ["i32"], returns: "i32" },
  flock: { args: ["i32", "i32"], returns: "i32" },
  memfd_create: { args: ["ptr", "u32"], returns: "i32" },
  readlink: { args: ["ptr", "ptr", "u64"], returns: "i64" },
  opendir: { args: ["ptr"], returns: "ptr" },
  readdir: { args: ["ptr"], returns: "ptr" },
  closedir: { args: ["ptr"], returns: "i32" },
} as const;

let library = "libc.so.6";
let bound: ReturnType<typeof dlopen<typeof symbols>>["symbols"] | null | undefined;
/** The binding, or null when the C library cannot be opened (not glibc: musl). */
function c() {
  if (bound === undefined) {
    try {
      bound = dlopen(library, symbols).symbols;
    } catch {
      bound = null;
    }
  }
  return bound;
}

/**
 * Test hook: this thread binds `name` from now on instead of the C library (one that
 * does not open leaves no binding, so that the loader's node:fs paths run).
 */
export function bindLibraryForTests(name = "libc.so.6"): void {
  library = name;
  bound = undefined;
}

const cstr = (s: string) => Buffer.from(`${s}\0`);

/** open(2), close-on-exec, read-only: an fd, or undefined. */
export function openRead(path: string): number | undefined {
  const fd = c()?.open(cstr(path), O_CLOEXEC);
  return fd !== undefined && fd >= 0 ? fd : undefined;
}

/** close(2): false only when there is no binding (its result does not matter to the
 * loader: Linux frees the fd either way). */
export function closeFd(fd: number): boolean {
  const lib = c();
  lib?.close(fd);
  return !!lib;
}

/** A whole file's bytes, read from its start (pread: a memfd's position stays), or undefined. */
export function readAll(fdOrPath: number | string): Buffer | undefined {
  const lib = c();
  if (!lib) return undefined;
  const fd = typeof fdOrPath === "number" ? fdOrPath : openRead(fdOrPath);
  if (fd === undefined) return undefined;
  try {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = Number(lib.pread(fd, chunk, chunk.length, at));
      if (n < 0) return undefined;
      if (n === 0) return Buffer.concat(chunks);
      chunks.push(chunk.subarray(0, n));
      at += n;
    }
  } finally {
    if (typeof fdOrPath === "string") lib.close(fd);
  }
}

/**
 * A whole file (a path, or an fd read from its start): the C library's reads, or
 * node:fs's when they fail, which then throw the system's own error. node:fs is
 * loaded only then.
 */
export function readFile(fdOrPath: number | string): Buffer {
  const got = readAll(fdOrPath);
  if (got !== undefined) return got;
  const fs = require("node:fs") as typeof import("node:fs");
  if (typeof fdOrPath === "string") return fs.readFileSync(fdOrPath);
  const chunks: Buffer[] = [];
  for (let at = 0; ; ) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fdOrPath, chunk, 0, chunk.length, at);
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(chunk.subarray(0, n));
    at += n;
  }
}

/** write(2) of all of `bytes`: whether it was all written; undefined when there is no binding. */
export function writeAll(fd: number, bytes: Uint8Array): boolean | undefined {
  const lib = c();
  if (!lib) return undefined;
  for (let at = 0; at < bytes.length; ) {
    const n = Number(lib.write(fd, bytes.subarray(at), bytes.length - at));
    if (n <= 0) return false;
    at += n;
  }
  return true;
}

/** flock(2): whether it succeeded. */
export function flock(fd: number, op: number): boolean {
  return (c()?.flock(fd, op) ?? -1) === 0;
}

/** memfd_create(2): an fd, or undefined. */
export function memfdCreate(name: string, flags: number): number | undefined {
  const fd = c()?.memfd_create(cstr(name), flags);
  return fd !== undefined && fd >= 0 ? fd : undefined;
}

/**
 * The fd of this process whose /proc/self/fd link is `target`, null when there is none,
 * undefined when the listing failed.
 */
export function findFdLinkingTo(target: string): number | null | undefined {
  const lib = c();
  if (!lib) return undefined;
  const dir = lib.opendir(cstr("/proc/self/fd"));
  if (dir === null) return undefined;
  const link = Buffer.allocUnsafe(4096);
  try {
    for (;;) {
      const entry = lib.readdir(dir);
      if (entry === null) return null; // (the end; an error too, which an fd list does not have)
      const name = new CString((Number(entry) + DIRENT_NAME) as Pointer).toString();
      if (name === "." || name === "..") continue;
      const n = Number(lib.readlink(cstr(`/proc/self/fd/${name}`), link, link.length));
      if (n > 0 && link.toString("utf8", 0, n) === target) return Number(name);
    }
  } finally {
    lib.closedir(dir);
  }
}
