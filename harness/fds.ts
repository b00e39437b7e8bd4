/**
 * This process's open fds and what each points to, from /proc/self/fd: the snapshot the
 * fd-leak checks compare (test/setup/fd-leak.ts, the errno matrix and its soak).
 */
import { readdirSync, readlinkSync } from "node:fs";

/** fd -> readlink target. The directory fd readdir itself used is gone by then: left out. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // closed between the listing and the readlink
    }
  }
  return out;
}
