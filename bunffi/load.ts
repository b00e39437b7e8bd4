/**
 * Compiles butter's C helpers with bun:ffi's built-in TinyCC, lazily, and hands out
 * typed symbols. Nothing here needs a system compiler or libc headers: the helpers
 * declare what they use in butter.h. (No node:url here: loading it costs more at import
 * than all of butter's own modules.)
 *
 * Two kinds of helper file:
 * - per thread (the default): compiled once per JS thread, since module state is per
 *   thread (the main thread and each Worker get their own copy). For stateless helpers,
 *   and for state that really is per thread (a thread's reactor).
 * - shared (`{ shared: true }`): compiled once per PROCESS. The first thread to need it
 *   compiles it and publishes its symbols' addresses in a memfd named
 *   `butter:<file>:<hash of its source>`; every other thread finds that memfd in
 *   /proc/self/fd and calls the same code, so the file's statics are the process's
 *   state. A flock on the source file makes the first compile happen once. For state
 *   the kernel keeps per process (signal dispositions, every thread's mask).
 * TinyCC's code is never freed: Bun keeps it after the compiling Worker ends and after
 * its library object is collected (tested in test/bunffi/loader.test.ts), which is what
 * lets every thread call a copy another thread compiled.
 */
import { CFunction, type FFIFunction, type ConvertFns } from "bun:ffi";
import { compileBound } from "./bind.ts";
import * as libc from "./libc.ts";
// (imported, not required at its use: a require() would load a second copy of it beside
// the one the C coverage run's test set-up imports, and its counts would go unwritten)
import { openPrebuilt } from "./prebuilt.ts";

// node:fs at first use, not at import (src/core/lazy-node.ts says why; the loader
// imports nothing of src/): every use here is at a first compile or after it.
const fs = () => require("node:fs") as typeof import("node:fs");

// The C coverage run's helpers, built by gcc (bunffi/prebuilt.ts), when it sets this.
// (read at a compile, not at import: Bun makes process.env at its first use, 0.1 ms)
const prebuilt = () => process.env.BUTTER_HELPERS_PREBUILT;

// biome-ignore lint: any function
type AnyFn = (...args: any[]) => any;
let wrapCall: ((fn: AnyFn) => AnyFn) | undefined;
let testDefines: Record<string, string> | undefined;

/**
 * Test hook: every helper symbol compiled after this call is wrapped by `wrap`. The
 * fault-injection suite uses it to mark the exact window of each helper call (see
 * harness/fiu/). Compilation itself is never inside the window. `define`: macros for
 * the helpers compiled after it (the suite's: malloc, realloc and free, which TinyCC
 * binds to Bun's own allocator, past LD_PRELOAD, go to the shim's instead).
 */
export function wrapHelpers(wrap: (fn: AnyFn) => AnyFn, define?: Record<string, string>): void {
  wrapCall = wrap;
  testDefines = define;
}

/** The path of `bunffi/<file>` (resolved at a compile, not at import: docs/benchmarks.md). */
const pathOf = (file: string) => decodeURIComponent(new URL(file, import.meta.url).pathname);

/** A per-thread helper file whose module is loaded and which this thread has not compiled. */
interface Unbuilt {
  file: string;
  symbols: Record<string, FFIFunction>;
  take(fns: Record<string, AnyFn>): void;
}
const unbuilt = new Set<Unbuilt>();

/**
 * Returns a getter that compiles `bunffi/<file>` on first use and caches its symbols:
 * once per JS thread, or with `shared` once per process (see the module comment).
 *
 * A per-thread file is compiled together with every other per-thread file whose module
 * is loaded and not compiled yet, in one cc: a compile costs about 0.5 ms whatever it
 * holds (TinyCC's set-up and the one bound symbol), so a program that imports every
 * family pays one compile, not seventeen, and one that imports `butter/<family>` compiles
 * only that family's files (and core's). A file that fails to compile fails alone: the
 * others are then compiled one by one, each at its own first use. `alone`: a file
 * seldom needed (a fallback) stays out of the batches and is compiled at its own use.
 */
export function helpers<const S extends Record<string, FFIFunction>>(
  file: string,
  symbols: S,
  opts: { shared?: boolean; alone?: boolean } = {},
): () => ConvertFns<S> {
  let compiled: ConvertFns<S> | undefined;
  const take = (all: Record<string, AnyFn>) => {
    let fns: Record<string, AnyFn> = {};
    for (const name of Object.keys(symbols)) fns[name] = all[name]!;
    if (wrapCall !== undefined) {
      const wrap = wrapCall;
      fns = Object.fromEntries(Object.entries(fns).map(([name, fn]) => [name, wrap(fn)]));
    }
    compiled = fns as ConvertFns<S>;
    compiledFiles.push(file);
  };
  const entry: Unbuilt = { file, symbols, take };
  if (!opts.shared && !opts.alone) unbuilt.add(entry);
  return () => {
    if (compiled === undefined) {
      if (opts.shared) take(sharedSymbols(file, pathOf(file), symbols));
      else build(entry);
    }
    return compiled!;
  };
}

/** Compiles `needed` with every other unbuilt per-thread file, or alone if that fails. */
function build(needed: Unbuilt): void {
  if (prebuilt() === undefined && unbuilt.size > 1 && unbuilt.has(needed)) {
    const batch = [...unbuilt];
    let all: Record<string, AnyFn> | undefined;
    try {
      all = compile(
        batch.map((u) => pathOf(u.file)),
        Object.assign({}, ...batch.map((u) => u.symbols)),
      ).symbols as Record<string, AnyFn>;
    } catch {
      // one file cannot be compiled: `needed` alone below, the others at their first use
    }
    if (all !== undefined) {
      unbuilt.clear();
      for (const u of batch) u.take(all);
      return;
    }
  }
  unbuilt.delete(needed); // failing alone, it fails at each use, and no batch holds it
  needed.take(compile([pathOf(needed.file)], needed.symbols).symbols as Record<string, AnyFn>);
}

/**
 * cc(), with a failure that says what went wrong: TinyCC reports a source it could not
 * open as "not found" even when the process is out of fds; then the error is the
 * system's own (EMFILE, ENFILE: a Node system error with `code`).
 */
function compile(sources: string[], symbols: Record<string, FFIFunction>, shared = false) {
  const dir = prebuilt();
  if (dir !== undefined) return openPrebuilt(dir, sources[0]!, symbols, shared);
  try {
    return compileBound(sources, symbols, libcFlags(), testDefines);
  } catch (e) {
    // each source and butter.h open at once: throws the real reason when they cannot be
    const header = pathOf("butter.h");
    const fds: number[] = [];
    try {
      for (const source of [...sources, header]) fds.push(fs().openSync(source, "r"));
    } finally {
      for (const fd of fds) fs().closeSync(fd);
    }
    throw e;
  }
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
/** (Exported for the tests' own C programs, compiled the same way.) */
export function libcFlags(): string[] {
  if (flags === undefined) {
    const libcDir = /\s(\/\S*)\/libc\.so\.6$/m.exec(procSelfMaps())?.[1];
    const link = pathOf("link");
    // bun:ffi joins flags with spaces and TinyCC splits them again, honouring "quotes"
    // (not backslashes): a path holding a quote cannot be passed, and keeps the default.
    flags = libcDir === undefined || /"/.test(link + libcDir) ? [] : [`-L"${link}"`, `-L"${libcDir}"`];
  }
  return flags;
}

/** /proc/self/maps (the C library's reads, bunffi/libc.ts; node:fs when they fail, to throw). */
function procSelfMaps(): string {
  return libc.readFile("/proc/self/maps").toString("latin1");
}

// ---- shared helpers: one compiled copy per process ----

const LOCK_EX = 2;
const LOCK_UN = 8;
const MFD_CLOEXEC = 1;

/** The fds of the registries of shared helpers (one memfd per shared file), for leak checks. */
export function sharedFds(): number[] {
  return [...registries.values()];
}
const registries = new Map<string, number>();

function findRegistry(name: string): number | undefined {
  const target = `/memfd:${name} (deleted)`;
  const found = libc.findFdLinkingTo(target);
  if (found !== undefined) return found ?? undefined;
  for (const entry of fs().readdirSync("/proc/self/fd")) {
    try {
      if (fs().readlinkSync(`/proc/self/fd/${entry}`) === target) return Number(entry);
    } catch {
      // closed meanwhile
    }
  }
  return undefined;
}

const names = new Map<string, string>();
function registryName(file: string): string {
  let name = names.get(file);
  if (name === undefined) {
    name = `butter:${file}:${Bun.hash(libc.readFile(pathOf(file))).toString(16)}`;
    names.set(file, name);
  }
  return name;
}

/**
 * Whether some thread of this process has compiled the shared helper `file` already
 * (without compiling it): state it keeps exists only then.
 */
export function sharedCompiled(file: string): boolean {
  if (registries.has(file)) return true;
  const fd = findRegistry(registryName(file));
  if (fd === undefined) return false;
  registries.set(file, fd); // found once: no more listing of /proc/self/fd for it
  return true;
}

function sharedSymbols(file: string, source: string, symbols: Record<string, FFIFunction>): Record<string, AnyFn> {
  const name = registryName(file);
  let fd = registries.get(file) ?? findRegistry(name);
  if (fd === undefined) {
    const lock = libc.openRead(source) ?? fs().openSync(source, "r");
    try {
      // (flock(2) has no node:fs twin: without the C library's binding, no shared helper)
      if (!libc.flock(lock, LOCK_EX)) throw new Error(`butter: cannot lock ${source} to compile it once per process`);
      fd = findRegistry(name);
      if (fd === undefined) {
        const lib = compile([source], symbols, true);
        const table: Record<string, number> = {};
        for (const [sym, fn] of Object.entries(lib.symbols)) table[sym] = (fn as unknown as { ptr: number }).ptr;
        const made = libc.memfdCreate(name, MFD_CLOEXEC);
        if (made === undefined) throw new Error(`butter: memfd_create failed: cannot publish ${file} to the process's other threads`);
        // (written with the binding: the lock above needed it)
        if (!libc.writeAll(made, Buffer.from(JSON.stringify(table)))) {
          libc.closeFd(made);
          throw new Error(`butter: cannot write ${file}'s symbols to its memfd for the process's other threads`);
        }
        fd = made;
      }
    } finally {
      libc.flock(lock, LOCK_UN);
      if (!libc.closeFd(lock)) fs().closeSync(lock);
    }
  }
  registries.set(file, fd);
  const table = JSON.parse(libc.readFile(fd).toString()) as Record<string, number>;
  const out: Record<string, AnyFn> = {};
  for (const [sym, def] of Object.entries(symbols)) {
    const ptr = table[sym];
    if (ptr === undefined) throw new Error(`butter: ${file}'s published symbols lack ${sym}`);
    out[sym] = CFunction({ ...def, ptr } as FFIFunction & { ptr: number }) as unknown as AnyFn;
  }
  return out;
}