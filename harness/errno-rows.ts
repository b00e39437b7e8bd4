/**
 * What a row of the errno matrix is. A row names one (call, errno) pair from the ERRORS
 * section of the man page of a call butter wraps, or a recovery butter promises (EINTR
 * retried, EAGAIN turned into a wait, a short transfer reported), and what the public
 * API must do when the libfiu shim forces it. Each family keeps its scenarios and rows
 * in `test/<family>/errno.rows.ts`; harness/errno-matrix.ts gathers them.
 *
 * A family's rows file exports `scenarios` (per call: which libc function its failures
 * come from, how the public API makes the call, and how to show that the object still
 * works afterwards) and `matrix` (its rows).
 */
import type * as Butter from "../src/index.ts";

export type B = typeof Butter;
// biome-ignore lint: scenario contexts are whatever their setup returns
export type Ctx = any;

export interface Scenario {
  /** the libc function the call's failures come from */
  fn: string;
  /** made before the failure window: the object the call is made on */
  setup?(b: B): Ctx;
  /** the public API call; it runs with the failure planned */
  call(b: B, ctx: Ctx): unknown;
  /**
   * For rows that expect "retried", "passes" or "waits": what the call returned must be
   * right, not only that nothing was thrown.
   */
  returns?(b: B, ctx: Ctx, result: unknown): unknown;
  /** after the failure: the object (or, for a constructor, the family) still works */
  usable(b: B, ctx: Ctx): unknown;
  teardown?(b: B, ctx: Ctx): void;
  /**
   * The call changes what belongs to the test thread's namespaces (host name, mounts):
   * the row runs only once the thread has UTS and mount namespaces of its own
   * (harness/fiu/rows.ts, isolateForRows), never against the host's.
   */
  isolated?: true;
  /**
   * A call that came with a Linux version (`version`). On a kernel without it (`has` is
   * false: a guest of the matrix) the row cannot force anything; it checks instead that
   * `lacking` fails as the kernel does there: OSError ENOSYS naming the version.
   */
  needs?: { version: string; has(b: B): boolean; lacking(b: B): unknown };
}

/**
 * - an error class name: the call throws (or its promise rejects with) that class, with
 *   `code` the row's errno (EIO for a short transfer) and `syscall` the call's name;
 * - "retried": the call succeeds, after the failure was retried inside butter;
 * - "passes": the call succeeds: the errno means something butter documents as no
 *   error (a thread that exited while processSigmask was reaching it);
 * - "waits": an async get() turned EAGAIN into a wait and got the next value.
 */
export type Expect = "OSError" | "PermissionError" | "UnknownError" | "InternalError" | "ClockChangedError" | "retried" | "passes" | "waits";

export interface Row {
  /** the call id (callId of its CallSpec: harness/calls.ts) */
  call: string;
  /** the errno forced; absent for a short transfer */
  errno?: string;
  /** a short transfer of this many bytes instead of an errno */
  short?: number;
  /** the libc function to fail, when not the scenario's */
  fn?: string;
  /** the scenario, when not the call's own */
  scenario?: string;
  /** fail the nth call to the function instead of the first */
  nth?: number;
  expect: Expect;
  /** what the error message must say (a short transfer's default: "moved K of the 8 bytes") */
  message?: RegExp;
  /** why this row cannot be forced (the row is listed, and reported as not forced) */
  cannot?: string;
  /**
   * The failure is in something butter makes once and keeps: per JS thread ("thread":
   * the reactor; such rows run first in their thread, the core family's file going
   * first) or per process ("process": the signal machinery's handler and pipes; such
   * a row runs in a fresh child process). Long runs of rows (the soak) leave them out.
   */
  once?: "thread" | "process";
  /** environment for a `once: "process"` row's child (BUTTER_REACTOR=thread, say) */
  env?: Record<string, string>;
}

/** An errno no wrapped call documents: every call must report it as UnknownError. */
export const UNDOCUMENTED = "ENOTRECOVERABLE";

/** One row per errno, all with the same call, expectation and extras. */
export const rows = (call: string, expect: Expect, errnos: string[], extra: Partial<Row> = {}): Row[] =>
  errnos.map((errno) => ({ call, errno, expect, ...extra }));

/** A row's label, as the tests and the table print it. */
export function label(r: Row): string {
  const what = (r.short !== undefined ? `short ${r.fn ?? ""}${r.short} bytes` : r.errno) + (r.nth ? ` (call ${r.nth})` : "");
  const via = [r.scenario ? `in ${r.scenario}` : "", r.fn ? `via ${r.fn}` : ""].filter(Boolean).join(", ");
  return `${r.call} ${what}${via ? ` (${via})` : ""} -> ${r.expect}`;
}

/**
 * A row for every errno a call's man page lists, each expecting the class classFor gives
 * a documented errno (EPERM and EACCES PermissionError, EFAULT InternalError, any other
 * OSError), and the undocumented-errno row.
 */
export function rowsByClass(call: string, listed: string[], extra: Partial<Row> = {}): Row[] {
  const perm: string[] = listed.filter((e) => e === "EPERM" || e === "EACCES");
  const internal: string[] = listed.filter((e) => e === "EFAULT");
  const os = listed.filter((e) => !perm.includes(e) && !internal.includes(e));
  return [
    ...rows(call, "OSError", os, extra),
    ...rows(call, "PermissionError", perm, extra),
    ...rows(call, "InternalError", internal, extra),
    ...rows(call, "UnknownError", [UNDOCUMENTED], extra),
  ];
}
