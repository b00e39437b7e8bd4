/**
 * Namespaces of the test thread's own: namespaces belong to each thread, so a test
 * thread that unshares UTS and mount namespaces (every mount private) can set host
 * names and mount for real without the host ever seeing it. Used by the errno matrix
 * and the mount tests; what the host sees is read through its main thread.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dlopen } from "bun:ffi";

/**
 * Moves the calling thread (only it: namespaces are per thread) into UTS and mount
 * namespaces of its own, every mount in it private, so that the hostname setters and the
 * mount calls forced in the matrix can never reach the host's names or mount table, even
 * if a planned failure did not fire. Returns false without CAP_SYS_ADMIN.
 */
let owned: boolean | undefined; // per thread: each test thread has its own module state

export function ownNamespaces(): boolean {
  if (owned !== undefined) return owned;
  const libc = dlopen("libc.so.6", {
    unshare: { args: ["i32"], returns: "i32" },
    mount: { args: ["ptr", "cstring", "ptr", "u64", "ptr"], returns: "i32" },
  });
  const ok =
    libc.symbols.unshare(0x04000000 /* CLONE_NEWUTS */ | 0x20000 /* CLONE_NEWNS */) === 0 &&
    libc.symbols.mount(null, Buffer.from("/\0"), null, BigInt(0x4000 /* MS_REC */ | 0x40000 /* MS_PRIVATE */), null) === 0;
  libc.close();
  owned = ok;
  return ok;
}

/** The host name as the process's main thread sees it (not this thread's namespace). */
export function mainThreadHostname(): string {
  const uts = `/proc/${process.pid}/task/${process.pid}/ns/uts`;
  return spawnSync("nsenter", [`--uts=${uts}`, "hostname"], { encoding: "utf8" }).stdout.trim();
}

/** The mount table as the process's main thread sees it: mount points and sources. */
export function mainThreadMounts(): string[] {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/mountinfo`, "utf8")
    .split("\n")
    .map((l) => l.split(" ").slice(4, 5).join(" "))
    .filter(Boolean);
}
