/**
 * butter's errors. Every failed call becomes one of a few classes shaped like Node's
 * system errors (`code`, `errno`, `syscall`, `path`), so a program can catch by class
 * or switch on `code`:
 *
 * - `OSError`: the kernel refused the call (the default).
 * - `PermissionError` (an `OSError`): EPERM or EACCES, from any call (a seccomp filter
 *   or an LSM can make any call fail so).
 * - `UnknownError` (an `OSError`): an errno the call is not documented to return.
 * - `ClockChangedError` (an `OSError`): a timerfd with TFD_TIMER_CANCEL_ON_SET saw the
 *   clock jump (ECANCELED).
 * - `InternalError` (not an `OSError`): a condition that means a bug in butter, such as
 *   EFAULT; please report it.
 *
 * Bad arguments caught before a call throw the builtin `TypeError` or `RangeError`.
 */
import { ERRNO, ERRNO_MESSAGES, ERRNO_NAMES } from "./errno.ts";

/** The fields every butter error has, as Node's system errors have them. */
export interface SystemErrorFields {
  /** 'EACCES' */
  readonly code: string;
  /** positive errno number */
  readonly errno: number;
  /** the call that failed, by its C name: 'inotify_add_watch' */
  readonly syscall: string;
  /** the path the call was given, if any */
  readonly path?: string;
}

function describe(errno: number, syscall: string, path?: string, detail?: string): [string, string] {
  const code = ERRNO_NAMES[errno] ?? `E${errno}`;
  const text = ERRNO_MESSAGES[errno] ?? `unknown error ${errno}`;
  let message = `${code}: ${text}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (detail !== undefined) message += ` (${detail})`;
  return [code, message];
}

/** What OSError and InternalError share: the Node-shaped fields and message. */
abstract class ErrnoError extends Error implements SystemErrorFields {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  // declared, not defined: an error without a path has no `path` key at all
  declare readonly path?: string;
  constructor(errno: number, syscall: string, path?: string, detail?: string) {
    const [code, message] = describe(errno, syscall, path, detail);
    super(message);
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
  }
  /** The class's name: "OSError", "PermissionError", ... */
  override get name(): string {
    return this.constructor.name;
  }
}

/** The kernel refused a call: the default class of a documented errno. */
export class OSError extends ErrnoError {}

/** EPERM or EACCES, from any call (a seccomp filter or an LSM can make any call fail so). */
export class PermissionError extends OSError {}
/** An errno the call is not documented to return. */
export class UnknownError extends OSError {}
/** A timerfd with TFD_TIMER_CANCEL_ON_SET saw its clock set (ECANCELED). */
export class ClockChangedError extends OSError {}

/** A condition that means a bug in butter, such as EFAULT or a short transfer; please report it. Not an OSError. */
export class InternalError extends ErrnoError {
  constructor(errno: number, syscall: string, path?: string, detail?: string) {
    super(errno, syscall, path, detail ?? "a bug in butter; please report it");
  }
}

type ErrorClass = new (errno: number, syscall: string, path?: string, detail?: string) => Error;

/**
 * What butter knows about one wrapped call: its C name, the errnos its man page's
 * ERRORS section lists, and any errno that becomes a class of its own. Each module
 * declares its calls as exported object literals, and nothing runs for them at import:
 * the errno names become numbers at a call's first error. (Through a function, the
 * 110 declarations made JSC compile that function during every import of butter, about
 * 1 ms here: docs/benchmarks.md, start-up.) The errno matrix and the error table of
 * docs/errors.md find every call among the modules' exports (harness/calls.ts).
 */
export interface CallSpec {
  readonly syscall: string;
  /** qualifies a generic call (read, poll) made on one family's fds: its id is 'family/syscall' */
  readonly family?: string;
  /** the names of the errnos its man page lists */
  readonly errnos: readonly string[];
  /** errnos, by name, that become a class of their own */
  readonly special?: Readonly<Record<string, ErrorClass>>;
}

/** A call's unique key: the syscall name, or 'family/syscall' where one syscall means
 * different things per fd type (read(2) of an eventfd vs of a timerfd). */
export function callId(call: CallSpec): string {
  return call.family ? `${call.family}/${call.syscall}` : call.syscall;
}

function errnoOf(code: string): number {
  const n = ERRNO[code];
  if (n === undefined) throw new Error(`butter: unknown errno name ${code}`);
  return n;
}

// A call's names as numbers, made at its first error (or the matrix's first look).
const resolved = new WeakMap<CallSpec, { documented: ReadonlySet<number>; special: ReadonlyMap<number, ErrorClass> }>();

function resolve(call: CallSpec): { documented: ReadonlySet<number>; special: ReadonlyMap<number, ErrorClass> } {
  let r = resolved.get(call);
  if (!r) {
    const special = new Map<number, ErrorClass>();
    for (const code in call.special) special.set(errnoOf(code), call.special[code]!);
    r = { documented: new Set(call.errnos.map(errnoOf)), special };
    resolved.set(call, r);
  }
  return r;
}

/** The errnos `call`'s man page lists, as numbers; throws for a misspelt name. */
export function documentedErrnos(call: CallSpec): ReadonlySet<number> {
  return resolve(call).documented;
}

/** The class an errno from `call` becomes; the table in docs/errors.md is this function. */
export function classFor(errno: number, call: CallSpec): ErrorClass {
  const { documented, special } = resolve(call);
  const own = special.get(errno);
  if (own) return own;
  if (errno === ERRNO.EFAULT) return InternalError;
  if (errno === ERRNO.EPERM || errno === ERRNO.EACCES) return PermissionError;
  if (!documented.has(errno)) return UnknownError;
  return OSError;
}

/** Turns a helper's `-errno` into the error for `call`. */
export function errorFor(negErrno: number, call: CallSpec, path?: string, detail?: string): Error {
  const errno = -negErrno;
  const cls = classFor(errno, call);
  return new cls(errno, call.syscall, path, detail);
}

/** Returns `ret` when it is a result, throws the call's error when it is `-errno`. */
export function check(ret: number, call: CallSpec, path?: string): number {
  if (ret < 0) throw errorFor(ret, call, path);
  return ret;
}

/**
 * A read(2) or write(2) that moved only part of a record, or found end of file: the fd is
 * not of the kind the call was made for (a counter read of a pipe, say), since the kernel
 * moves these records whole. OSError EIO, naming the fd and what was moved.
 */
export function shortTransfer(call: CallSpec, fd: number, got: number, need: number, what: string): OSError {
  const moved = got === 0 ? "end of file" : `${got} of the ${need} bytes`;
  return new OSError(ERRNO.EIO!, call.syscall, undefined, `fd ${fd} gave ${moved} of ${what}: is it the right kind of fd?`);
}

export const EAGAIN = ERRNO.EAGAIN!;
export const EINTR = ERRNO.EINTR!;
export const EBADF = ERRNO.EBADF!;
