/**
 * The C coverage run's helpers (harness/c-coverage.ts): the same bunffi/*.c built by gcc
 * with --coverage into `<dir>/<name>.so`, which bunffi/load.ts opens instead of
 * compiling when BUTTER_HELPERS_PREBUILT names that directory. Test infrastructure only:
 * this file runs in `bun run test:c`, which is its test (it is left out of the
 * TypeScript coverage of `bun run test`, where it never runs).
 */
import { dlopen, type FFIFunction } from "bun:ffi";

let copies = 0;
const dumps: (() => void)[] = [];

/**
 * Opens the prebuilt helper for `source`. A per-thread helper is opened from a copy of
 * its own, so that the thread gets its own statics, as with TinyCC; a shared one from
 * the file itself (dlopen gives every thread the same copy).
 */
export function openPrebuilt(dir: string, source: string, symbols: Record<string, FFIFunction>, shared: boolean) {
  const name = source.slice(source.lastIndexOf("/") + 1).replace(/\.c$/, "");
  let so = `${dir}/${name}.so`;
  if (!shared) {
    // (node:fs and node:worker_threads only here: importing them costs at every start-up)
    const { copyFileSync, mkdirSync } = require("node:fs") as typeof import("node:fs");
    const { threadId } = require("node:worker_threads") as typeof import("node:worker_threads");
    mkdirSync(`${dir}/threads`, { recursive: true });
    const copy = `${dir}/threads/${name}-${process.pid}-${threadId}-${copies++}.so`;
    copyFileSync(so, copy);
    so = copy;
  }
  const lib = dlopen(so, { ...symbols, bt_coverage_dump: { args: [], returns: "void" }, bt_coverage_arm: { args: ["i32"], returns: "void" } });
  (lib.symbols.bt_coverage_arm as unknown as (perThread: number) => void)(shared ? 0 : 1); // this thread's end writes the counts
  if (dumps.length === 0) process.on("exit", dumpCoverage);
  dumps.push(lib.symbols.bt_coverage_dump as unknown as () => void);
  return lib;
}

/**
 * In the C coverage run, writes the counts of the helpers this thread opened (Bun ends a
 * process without the exit handlers that would). Called after each test file
 * (test/setup/c-coverage.ts) and at 'exit'; does nothing otherwise.
 */
export function dumpCoverage(): void {
  for (const dump of dumps) dump();
}
