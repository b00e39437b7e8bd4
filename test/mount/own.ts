// The mount tests' ground: the test thread in mount and UTS namespaces of its own, every
// mount private (harness/own-namespaces.ts), fresh directories, and after each test no
// mount left under them and the host's mount table as it was.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import * as b from "../../src/index.ts";
import { mainThreadMounts, ownNamespaces } from "../../harness/own-namespaces.ts";
import { tempDirs } from "../helpers.ts";

/** Whether this thread could get namespaces of its own (CAP_SYS_ADMIN); call at file level. */
export const own = (() => {
  try {
    return ownNamespaces();
  } catch {
    return false;
  }
})();

export const NO_CAP = "needs CAP_SYS_ADMIN to give the test thread a mount namespace of its own";

/** Detaches every mount at or under `dir` in this thread's namespace, innermost first. */
export function unmountUnder(dir: string): void {
  const under = b.mountinfo().filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(`${dir}/`));
  for (const m of under.reverse()) {
    try {
      b.umount2(m.mountPoint, b.MNT_DETACH);
    } catch {
      // already gone with its parent
    }
  }
}

/** Fresh directories per test, with no mount left in them afterwards; the host's table checked at the end. */
export function mountDirs<const K extends string>(...names: K[]): Record<K, string> {
  const dirs = tempDirs(...names);
  let hostBefore: string[] = [];
  beforeAll(() => {
    hostBefore = mainThreadMounts();
  });
  afterEach(() => {
    for (const n of names) unmountUnder(dirs[n]);
  });
  afterAll(() => {
    expect(mainThreadMounts(), "the host's mount table").toEqual(hostBefore);
  });
  return dirs;
}

/** The mountinfo entry on top at `dir`, if any. */
export const at = (dir: string) => b.mountinfo().filter((m) => m.mountPoint === dir).at(-1);
