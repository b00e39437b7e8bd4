/** getpid(2), getppid(2), gettid(2) through the raw syscall, never a libc cache. */
import { helpers } from "../../bunffi/load.ts";
import { defineCall, check } from "../core/errors.ts";

const lib = helpers("process.c", {
  bt_getpid: { args: [], returns: "i32" },
  bt_getppid: { args: [], returns: "i32" },
  bt_gettid: { args: [], returns: "i32" },
});

// "These functions are always successful." Any errno at all is therefore UnknownError.
const GETPID = defineCall("getpid", []);
const GETPPID = defineCall("getppid", []);
const GETTID = defineCall("gettid", []);

/** getpid(2), the raw syscall (never a libc cache): the process id in the caller's pid namespace. Always succeeds. */
export function getpid(): number {
  return check(lib().bt_getpid(), GETPID);
}

/** getppid(2): the parent's process id (0 when the parent is outside the caller's pid namespace). Always succeeds. */
export function getppid(): number {
  return check(lib().bt_getppid(), GETPPID);
}

/** gettid(2): the calling thread's id; equal to getpid() on the main JS thread, different in a Worker. Always succeeds. */
export function gettid(): number {
  return check(lib().bt_gettid(), GETTID);
}
