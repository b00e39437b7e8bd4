/**
 * This process's open fds and what each points to, from /proc/self/fd: the snapshot the
 * fd-leak checks compare (test/setup/fd-leak.ts, the errno matrix and its soak).
 */
import { readdirSync, readlinkSync } from "node:fs";
import { sharedFds } from "../bunffi/load.ts";
import { reactorFds } from "../src/core/reactor.ts";
import { machineryFds } from "../src/signal/holds.ts";

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

/**
 * The fds butter keeps by design, which a leak check must not count: this thread's
 * reactor (epoll fd, pipe, stop eventfd: they live as long as this JS thread), the
 * process-wide signal machinery's two pipes, and the memfds that publish helpers
 * compiled once per process.
 */
export function libraryFds(): Set<number> {
  return new Set([...reactorFds(), ...machineryFds(), ...sharedFds()]);
}
