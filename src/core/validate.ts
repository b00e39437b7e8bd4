/**
 * Argument checks done before a call reaches the kernel. They throw the builtin
 * TypeError (wrong type) or RangeError (right type, value out of range), with the
 * argument named, so that nothing is silently truncated, rounded or wrapped.
 */
import { ptr } from "bun:ffi";
import { fsencode } from "./fsname.ts";

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MAX = (1n << 63n) - 1n;

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? `an instance of ${(v as object).constructor?.name ?? "Object"}` : `type ${typeof v}`;
}

/** An integer in [min, max], given as a number (safe integer) or bigint; returned as a number. */
export function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value === "bigint") {
    if (value < BigInt(min) || value > BigInt(max)) throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
    return Number(value);
  }
  if (typeof value !== "number") throw new TypeError(`${what} must be a number, got ${typeName(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** An integer in [min, max] (bigint bounds), given as a number (safe integer) or bigint; returned as bigint. */
export function bigint(value: unknown, what: string, min: bigint, max: bigint): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer or a bigint, got ${value}`);
    v = BigInt(value);
  } else throw new TypeError(`${what} must be a bigint or a number, got ${typeName(value)}`);
  if (v < min || v > max) throw new RangeError(`${what} must be from ${min} to ${max}, got ${v}`);
  return v;
}

/** A file descriptor number: a non-negative 32-bit int. */
export function fd(value: unknown, what = "fd"): number {
  return int(value, what, 0, 0x7fffffff);
}

/** Flag bits: an int that sets no bit outside `allowed`. */
export function flags(value: unknown, what: string, allowed: number): number {
  const v = int(value, what, 0, 0x7fffffff);
  if ((v & ~allowed) !== 0) throw new RangeError(`${what} has unknown bits 0x${(v & ~allowed).toString(16)}`);
  return v;
}

/**
 * Bytes for the kernel: a string (encoded as UTF-8, with fsdecode's escaped bytes given
 * back as the bytes they stand for; see fsname.ts) or a Buffer/Uint8Array (taken as is,
 * since Linux names are bytes). A NUL byte inside is an error, never a truncation; so is
 * a name longer than `maxLen` bytes. Returns the bytes with a terminating NUL appended.
 */
export function cstring(value: unknown, what: string, maxLen = Infinity): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === "string") {
    try {
      bytes = fsencode(value);
    } catch (e) {
      throw new TypeError(`${what}: ${(e as Error).message}`);
    }
  }
  else if (value instanceof Uint8Array) bytes = value;
  else throw new TypeError(`${what} must be a string or a Uint8Array, got ${typeName(value)}`);
  if (bytes.includes(0)) throw new TypeError(`${what} must not contain NUL bytes`);
  if (bytes.length > maxLen) throw new RangeError(`${what} is ${bytes.length} bytes; the limit is ${maxLen}`);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * An options object: undefined gives `{}`; anything that is not a plain object (null, a
 * number, an array) is butter's TypeError, not an engine message about reading a
 * property of null.
 */
export function options<T extends object>(value: T | undefined, what = "options"): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object or undefined, got ${typeName(value)}`);
  }
  return value;
}

const NO_WAIT_OPTIONS: { readonly signal?: AbortSignal } = Object.freeze({});

/** A wait's options: `signal`, when given, must be an AbortSignal. */
export function waitOptions(value: { signal?: AbortSignal } | undefined): { readonly signal?: AbortSignal } {
  if (value === undefined) return NO_WAIT_OPTIONS; // (every get() without options: no allocation)
  const o = options(value, "wait options");
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${typeName(o.signal)}`);
  }
  return o;
}

/** An optional boolean option: `fallback` when undefined, else it must be a boolean. */
export function boolean(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${what} must be a boolean, got ${typeName(value)}`);
  return value;
}

/**
 * A duration in milliseconds for a JS timer: finite, not negative, and at most what
 * setTimeout takes (2^31-1 ms, about 24.8 days); beyond that Node and Bun warn and fire
 * at once, so it is a RangeError here.
 */
export function milliseconds(value: unknown, what: string): number {
  if (typeof value !== "number") throw new TypeError(`${what} must be a number of milliseconds, got ${typeName(value)}`);
  if (!(value >= 0 && value <= 0x7fffffff)) throw new RangeError(`${what} must be from 0 to 2147483647 ms, got ${value}`);
  return value;
}

/**
 * A NULL-terminated array of C strings (argv, envp), each NUL-checked as `cstring` does.
 * The strings are pushed to `keep`: the caller holds it until the native call returns,
 * so that the memory the pointers name stays alive.
 */
export function cstringTable(list: unknown, what: string, keep: Uint8Array[]): BigUint64Array {
  if (!Array.isArray(list)) throw new TypeError(`${what} must be an array of strings`);
  const t = new BigUint64Array(list.length + 1);
  list.forEach((s, i) => {
    const bytes = cstring(s, `${what}[${i}]`);
    keep.push(bytes);
    t[i] = BigInt(ptr(bytes));
  });
  return t;
}
