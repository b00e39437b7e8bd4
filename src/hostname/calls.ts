/**
 * gethostname(2), sethostname(2), getdomainname(2), setdomainname(2). Names are at most
 * 64 bytes (the kernel's __NEW_UTS_LEN) and are set in the caller's UTS namespace.
 * The setters need CAP_SYS_ADMIN in that namespace. Names are bytes, as paths are: one
 * that is not UTF-8 is decoded losslessly (fsdecode), so `sethostname(gethostname())`
 * sets the very same bytes.
 */
import { helpers } from "../../bunffi/load.ts";
import { check, type CallSpec } from "../core/errors.ts";
import { fsdecode } from "../core/fsname.ts";
import * as v from "../core/validate.ts";

const lib = helpers("hostname.c", {
  bt_gethostname: { args: ["ptr", "i64"], returns: "i32" },
  bt_sethostname: { args: ["ptr", "i64"], returns: "i32" },
  bt_getdomainname: { args: ["ptr", "i64"], returns: "i32" },
  bt_setdomainname: { args: ["ptr", "i64"], returns: "i32" },
});

/** The longest host or domain name the kernel keeps, in bytes. */
export const HOST_NAME_MAX = 64;

export const GETHOSTNAME: CallSpec = { syscall: "gethostname", errnos: ["EFAULT", "EINVAL", "ENAMETOOLONG"] };
export const SETHOSTNAME: CallSpec = { syscall: "sethostname", errnos: ["EFAULT", "EINVAL", "EPERM"] };
export const GETDOMAINNAME: CallSpec = { syscall: "getdomainname", errnos: ["EFAULT", "EINVAL", "ENAMETOOLONG"] };
export const SETDOMAINNAME: CallSpec = { syscall: "setdomainname", errnos: ["EFAULT", "EINVAL", "EPERM"] };

const buf = new Uint8Array(HOST_NAME_MAX + 1);

function get(fn: (b: Uint8Array, n: number) => number, call: typeof GETHOSTNAME): string {
  check(fn(buf, buf.length), call);
  const end = buf.indexOf(0);
  return fsdecode(buf, 0, end < 0 ? buf.length : end);
}

function set(fn: (b: Uint8Array, n: number) => number, call: typeof SETHOSTNAME, name: unknown): void {
  const bytes = v.cstring(name, "name", HOST_NAME_MAX);
  check(fn(bytes, bytes.length - 1), call);
}

/**
 * The host name of the caller's UTS namespace.
 * @throws {@link OSError} with an errno gethostname(2) lists.
 */
export function gethostname(): string {
  return get(lib().bt_gethostname, GETHOSTNAME);
}

/**
 * Sets the host name (0 to 64 bytes, no NUL). Needs CAP_SYS_ADMIN: PermissionError otherwise.
 * @throws {@link PermissionError} EPERM without CAP_SYS_ADMIN in the UTS namespace; RangeError for a name over HOST_NAME_MAX bytes, TypeError for one with a NUL byte.
 */
export function sethostname(name: string | Uint8Array): void {
  set(lib().bt_sethostname, SETHOSTNAME, name);
}

/**
 * The NIS domain name of the caller's UTS namespace ("(none)" when unset).
 * @throws {@link OSError} with an errno getdomainname(2) lists.
 */
export function getdomainname(): string {
  return get(lib().bt_getdomainname, GETDOMAINNAME);
}

/**
 * Sets the NIS domain name (0 to 64 bytes, no NUL). Needs CAP_SYS_ADMIN.
 * @throws {@link PermissionError} EPERM without CAP_SYS_ADMIN in the UTS namespace; RangeError for a name over HOST_NAME_MAX bytes, TypeError for one with a NUL byte.
 */
export function setdomainname(name: string | Uint8Array): void {
  set(lib().bt_setdomainname, SETDOMAINNAME, name);
}
