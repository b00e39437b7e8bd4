/**
 * node:fs and node:os, loaded at their first use rather than at import: loading
 * node:fs costs more at start-up (3.5-5 ms on the machine of docs/benchmarks.md) than
 * most of butter's own modules, and many programs that import a family never reach a
 * call that needs it (docs/benchmarks.md, start-up). Bun caches each module, so a
 * later call is a lookup.
 */
import type * as NodeFs from "node:fs";
import type * as NodeOs from "node:os";

let fs: typeof NodeFs | undefined;
let os: typeof NodeOs | undefined;

/** node:fs, loaded on the first call. */
export function nodeFs(): typeof NodeFs {
  return (fs ??= require("node:fs") as typeof NodeFs);
}

/** node:os, loaded on the first call. */
export function nodeOs(): typeof NodeOs {
  return (os ??= require("node:os") as typeof NodeOs);
}
