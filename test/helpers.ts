// Small tools the tests share.
import { constants, openSync, readFileSync, rmSync } from "node:fs";
import { existsSync, mkdtempSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach } from "vitest";

/** The flags field of /proc/self/fdinfo/<fd>, as a number (octal in the file). */
export function fdFlags(fd: number): number {
  const m = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
  return Number.parseInt(m![1]!, 8);
}

/** A FIFO opened read-write and non-blocking (both ends in one fd), and a cleanup. */
export function fifo(): { fd: number; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "butter-fifo-"));
  const path = join(dir, "f");
  spawnSync("mkfifo", [path]);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  return {
    fd,
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Catches what fn throws (for asserting several fields at once). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

// vitest's threads pool runs every test file in one process, with one fd table: a test
// that closes an fd and then uses its number may meet an fd another file opened in the
// meantime, and read its events, drop its watch or close it. highFd keeps a stale
// number away from everyone else's fds.

/**
 * Moves `fd` to a number near the process's fd limit and returns it (the old number is
 * closed). The kernel gives every new fd the lowest free number, so no other test's
 * open(2) lands there: a test may close it behind an object's back and go on using the
 * number without touching another test's fd.
 */
export function highFd(fd: number): number {
  const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))![1]);
  const { dlopen } = require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", { fcntl: { args: ["i32", "i32", "i32"], returns: "i32" }, close: { args: ["i32"], returns: "i32" } });
  const F_DUPFD_CLOEXEC = 1030;
  // (a random start: a number one test closed is unlikely to be the next another one takes)
  try {
    const high = libc.symbols.fcntl(fd, F_DUPFD_CLOEXEC, limit - 1 - Math.floor(Math.random() * Math.min(1000, limit / 4)));
    if (high < 0) throw new Error(`fcntl(F_DUPFD_CLOEXEC) of fd ${fd} failed`);
    libc.symbols.close(fd);
    return high;
  } finally {
    libc.close();
  }
}

/** Runs fn with a new fd from make(), and closes it afterwards whatever happens. */
export function withFd(make: () => number, fn: (fd: number) => void, close: (fd: number) => void): void {
  const fd = make();
  try {
    fn(fd);
  } finally {
    close(fd);
  }
}

/**
 * A fresh directory for each test of the calling file (or describe block), removed after
 * it: `const tmp = tempDirs("inotify", "out")`, then `tmp.inotify`. They live on a tmpfs
 * (/dev/shm) where there is one, else under /tmp: a burst of 100,000 file operations
 * on the disk's /tmp took anywhere from 1 to over 30 s here (ext4 with discard, after
 * the VM tests' I/O), and the tests are about events, not disks.
 */
const TMPFS_MAGIC = 0x01021994;

export function tempDirs<const K extends string>(...names: K[]): Record<K, string> {
  const dirs = {} as Record<K, string>;
  const base = existsSync("/dev/shm") && statfsSync("/dev/shm").type === TMPFS_MAGIC ? "/dev/shm" : "/tmp";
  beforeEach(() => {
    for (const n of names) dirs[n] = mkdtempSync(`${base}/butter-${n}-`);
  });
  afterEach(() => {
    for (const n of names) rmSync(dirs[n], { recursive: true, force: true });
  });
  return dirs;
}

/** A Worker running `code` (which imports butter as `b`): its first message, and its end. */
export function worker(code: string) {
  const src = `import * as b from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)};\n${code}`;
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: "application/typescript" })));
  const closed = new Promise<void>((r) => w.addEventListener("close", () => r()));
  // every message, in order: `message` is the first, `next()` each following one
  const inbox: unknown[] = [];
  const waiting: ((v: unknown) => void)[] = [];
  w.onmessage = (m) => (waiting.length > 0 ? waiting.shift()!(m.data) : inbox.push(m.data));
  const next = () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise<unknown>((r) => waiting.push(r)));
  const message = next();
  return { message, next, end: () => (w.terminate(), closed) };
}
