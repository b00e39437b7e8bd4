/**
 * The tests' handle on the fault-injection shim, when the process runs with it preloaded
 * (LD_PRELOAD; `bun run test` does that). dlopen() of the preloaded file returns the
 * same instance, so plans made here are the ones the wrappers see.
 */
import { dlopen } from "bun:ffi";
import { wrapHelpers } from "../../bunffi/load.ts";
import { ERRNO } from "../../src/core/errno.ts";

const path = process.env.BUTTER_FIU_SHIM;
const preloaded = path !== undefined && (process.env.LD_PRELOAD ?? "").split(/[: ]/).includes(path);

const shim = preloaded
  ? dlopen(path!, {
      butter_fiu_enter: { args: [], returns: "void" },
      butter_fiu_leave: { args: [], returns: "void" },
      butter_fiu_fail: { args: ["cstring", "i32", "i32"], returns: "i32" },
      butter_fiu_short: { args: ["cstring", "i64", "i32"], returns: "i32" },
      butter_fiu_fired: { args: ["cstring"], returns: "i32" },
      butter_fiu_reset: { args: [], returns: "void" },
      butter_fiu_arm: { args: ["i32"], returns: "void" },
    }).symbols
  : undefined;

/** Why fault injection is unavailable here, or undefined when it works. */
export const unavailable: string | undefined = preloaded
  ? undefined
  : "the libfiu shim is not preloaded: run the suite with `bun run test` (needs gcc and libfiu-dev)";

/** Marks every helper call as a window in which planned failures may fire. Call once, first. */
export function markHelperCalls(): void {
  if (!shim) return;
  const { butter_fiu_enter: enter, butter_fiu_leave: leave } = shim;
  wrapHelpers(
    (fn) =>
      (...args) => {
        enter();
        try {
          return fn(...args);
        } finally {
          leave();
        }
      },
    // (the helpers' allocations, to the shim's failure points)
    { malloc: "butter_fiu_malloc", realloc: "butter_fiu_realloc", free: "butter_fiu_free" },
  );
}

const cstr = (s: string) => Buffer.from(`${s}\0`);

function must(r: number, what: string): void {
  if (r !== 0) throw new Error(`fault injection: could not plan ${what}`);
}

/** The nth call (default: the next) to libc function `fn` from a butter helper fails with `errno`. */
export function failCall(fn: string, errno: string, nth = 1): void {
  const n = ERRNO[errno];
  if (n === undefined) throw new Error(`unknown errno ${errno}`);
  must(shim!.butter_fiu_fail(cstr(fn), n, nth), `${fn} ${errno}`);
}

/** The nth call to `fn` (read or write) from a butter helper moves at most `bytes` bytes. */
export function shortCall(fn: "read" | "write", bytes: number, nth = 1): void {
  must(shim!.butter_fiu_short(cstr(fn), bytes, nth), `short ${fn}`);
}

/** How many times the plan for `fn` fired since it was made. */
export function fired(fn: string): number {
  return shim!.butter_fiu_fired(cstr(fn));
}

/**
 * Calls fn with this thread armed: planned failures fire only inside it (and only in
 * butter's helper calls). For an async call, only its synchronous part is armed.
 */
export function armed<T>(fn: () => T): T {
  shim!.butter_fiu_arm(1);
  try {
    return fn();
  } finally {
    shim!.butter_fiu_arm(0);
  }
}

/**
 * Arms (or disarms) this thread until told otherwise: for failures planned in work
 * butter does later, on its own (the reactor's listing after a doorbell). Disarm after.
 */
export function armThread(on: boolean): void {
  shim!.butter_fiu_arm(on ? 1 : 0);
}

/** Cancels every plan. */
export function resetFaults(): void {
  shim?.butter_fiu_reset();
}
