import { nodeFs } from "./lazy-node.ts";
import { readProcFile } from "./proc.ts";
/**
 * What the running kernel offers, for callers that must choose before they call (a
 * sandbox that needs a UTS or mount namespace, later: seccomp actions, fanotify report
 * modes). Each answer comes from the kernel itself, never from a version table: a distro
 * kernel may leave a feature out or backport one. Read once and cached; the kernel does
 * not change under a running process.
 *
 * The privileged suite checks every answer against the kernel on every kernel of the test
 * matrix (the host's and the VM guests'): see test/core/features.test.ts and
 * test/harness/kernel-report.test.ts, whose reports make docs/kernels.md.
 */

/** The namespace types Linux has, by their /proc/self/ns name and unshare(1) option. */
export const NAMESPACE_TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"] as const;
/** One of {@link NAMESPACE_TYPES}. */
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

let release: string | undefined;
let namespaceSet: ReadonlySet<NamespaceType> | undefined;

/**
 * The running kernel's release string, as `uname -r` prints it (e.g. "6.1.0-56-amd64").
 * @throws Error when /proc is not mounted (the read of /proc/sys/kernel/osrelease fails).
 */
export function kernelRelease(): string {
  release ??= readProcFile("/proc/sys/kernel/osrelease").toString("latin1").trim();
  return release;
}

/**
 * The running kernel's version as [major, minor, patch], from its release string
 * (a missing part is 0). For messages and reports: decide by feature, not by version.
 */
export function kernelVersion(): [number, number, number] {
  return versionOf(kernelRelease());
}

/** [major, minor, patch] of a release string (a missing part is 0). @internal */
export function versionOf(release: string): [number, number, number] {
  // always matches; an absent part is "" and Number("") is 0
  const [, major, minor, patch] = /^(\d*)\.?(\d*)\.?(\d*)/.exec(release)!;
  return [Number(major), Number(minor), Number(patch)];
}

/**
 * The namespace types this kernel was built with: each has an entry in /proc/self/ns
 * exactly when its CONFIG_*_NS is set. Whether this process may create one is a question
 * of privilege (CAP_SYS_ADMIN, or a user namespace and its sysctls), not of the kernel.
 */
export function namespaces(): ReadonlySet<NamespaceType> {
  if (namespaceSet === undefined) {
    const entries = nodeFs().readdirSync("/proc/self/ns");
    namespaceSet = new Set(NAMESPACE_TYPES.filter((t) => entries.includes(t)));
  }
  return namespaceSet;
}
