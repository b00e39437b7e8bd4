// @privileged: unshare(1) of every namespace type, to check what the kernel really offers
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { NAMESPACE_TYPES, kernelRelease, kernelVersion, namespaces } from "../../src/core/features.ts";
import { canUnshare } from "../../harness/child.ts";

describe("feature detection agrees with the running kernel", () => {
  test("kernelRelease() is what uname -r prints, and kernelVersion() its numbers", () => {
    const uname = spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim();
    expect(kernelRelease()).toBe(uname);
    const [major, minor, patch] = kernelVersion();
    expect(uname).toMatch(new RegExp(`^${major}\\.${minor}(\\.${patch})?(?![0-9])`));
    expect(major).toBeGreaterThanOrEqual(5);
  });

  test("namespaces() is read once: every call hands out the same set", () => {
    expect(namespaces()).toBe(namespaces());
  });

  // unshare(1)'s option for each type
  const option: Record<string, string[]> = {
    cgroup: ["--cgroup"], ipc: ["--ipc"], mnt: ["--mount"], net: ["--net"],
    pid: ["--pid", "--fork"], time: ["--time"], user: ["--user"], uts: ["--uts"],
  };

  test.skipIf(!canUnshare(["--uts"]))(
    "namespaces() names exactly the types that unshare(1) can create (needs CAP_SYS_ADMIN)",
    () => {
      const created = NAMESPACE_TYPES.filter((t) => spawnSync("unshare", [...option[t]!, "true"]).status === 0);
      expect([...namespaces()].sort()).toEqual(created);
      // every Linux this library supports has these
      expect(created).toEqual(expect.arrayContaining(["mnt", "pid", "user", "uts"]));
    },
  );
});
