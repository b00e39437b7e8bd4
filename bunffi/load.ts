/**
 * Compiles butter's C helpers with bun:ffi's built-in TinyCC, lazily and once per JS
 * thread (module state is per thread: the main thread and each Worker get their own copy),
 * and hands out typed symbols. Nothing here needs a system compiler or libc headers: the
 * helpers declare what they use in butter.h. (No node:url here: loading it costs more
 * at import than all of butter's own modules.)
 */
import { readFileSync } from "node:fs";
import { cc, type FFIFunction, type ConvertFns } from "bun:ffi";

// biome-ignore lint: any function
type AnyFn = (...args: any[]) => any;
let wrapCall: ((fn: AnyFn) => AnyFn) | undefined;

/**
 * Test hook: every helper symbol compiled after this call is wrapped by `wrap`. The
 * fault-injection suite uses it to mark the exact window of each helper call (see
 * harness/fiu/). Compilation itself is never inside the window.
 */
export function wrapHelpers(wrap: (fn: AnyFn) => AnyFn): void {
  wrapCall = wrap;
}

/** Returns a getter that compiles `bunffi/<file>` on first use and caches its symbols. */
export function helpers<const S extends Record<string, FFIFunction>>(
  file: string,
  symbols: S,
): () => ConvertFns<S> {
  let compiled: ConvertFns<S> | undefined;
  return () => {
    if (compiled === undefined) {
      const source = decodeURIComponent(new URL(file, import.meta.url).pathname);
      let fns = cc({ source, flags: libcFlags(), symbols }).symbols as Record<string, AnyFn>;
      if (wrapCall !== undefined) {
        const wrap = wrapCall;
        fns = Object.fromEntries(Object.entries(fns).map(([name, fn]) => [name, wrap(fn)]));
      }
      compiled = fns as ConvertFns<S>;
      compiledFiles.push(file);
    }
    return compiled;
  };
}

/** Which helper files this thread has compiled (for tests and diagnostics). */
export const compiledFiles: string[] = [];

/**
 * How TinyCC finds the C library the helpers call into. bun:ffi always links `-lc`, which
 * TinyCC resolves through libc6-dev's `libc.so` linker script (or, failing that, by
 * linking libc6-dev's static `libc.a` into each helper). A system with only Bun and the
 * C runtime (a slim container, butter's own test VM) has neither, and every helper would
 * fail with "library 'c' not found". So `-lc` finds butter's own two-line script in
 * bunffi/link/ first, and it names libc.so.6, found in the directory of the libc.so.6
 * this process runs on (from /proc/self/maps). (Passing libc.so.6 as a file with
 * -nostdlib also links, but binds symbols straight to libc, past LD_PRELOAD.) A process
 * on another C library (musl) keeps bun:ffi's default.
 */
let flags: string[] | undefined;
function libcFlags(): string[] {
  if (flags === undefined) {
    const libc = /\s(\/\S*)\/libc\.so\.6$/m.exec(readFileSync("/proc/self/maps", "latin1"))?.[1];
    const link = decodeURIComponent(new URL("link", import.meta.url).pathname);
    // bun:ffi joins flags with spaces and TinyCC splits them again, honouring "quotes"
    // (not backslashes): a path holding a quote cannot be passed, and keeps the default.
    flags = libc === undefined || /"/.test(link + libc) ? [] : [`-L"${link}"`, `-L"${libc}"`];
  }
  return flags;
}
