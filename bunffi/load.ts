/**
 * Compiles butter's C helpers with bun:ffi's built-in TinyCC, lazily and once per JS
 * thread (module state is per thread: the main thread and each Worker get their own copy),
 * and hands out typed symbols. Nothing here needs a system compiler or libc headers: the
 * helpers declare what they use in butter.h. (No node:url here: loading it costs more
 * at import than all of butter's own modules.)
 */
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
      let fns = cc({ source: decodeURIComponent(new URL(file, import.meta.url).pathname), symbols }).symbols as Record<string, AnyFn>;
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
