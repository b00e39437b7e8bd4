// @privileged: mountFeatures as root (every probe answers) and without CAP_SYS_ADMIN (the one that needs it says undefined)
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";

const root = process.getuid?.() === 0;

describe("mountFeatures", () => {
  test("is asked once and cached, names the kernel, and has every feature of MOUNT_FEATURE_SINCE", () => {
    const f = b.mountFeatures();
    expect(b.mountFeatures()).toBe(f);
    expect(f.kernel).toBe(b.kernelRelease());
    expect(Object.keys(f).filter((k) => k !== "kernel").sort()).toEqual(Object.keys(b.MOUNT_FEATURE_SINCE).sort());
    // what a feature says is what the call does (the version check is on every kernel of the VM matrix)
    if (f.statmount) expect(b.listmount().map((id) => b.statmount(id).mntPoint)).toContain("/");
    else expect(() => b.listmount()).toThrow(/needs Linux 6.8/);
  });

  test.skipIf(!root)("without CAP_SYS_ADMIN the calls are still found, and creating a context cannot be asked (undefined)", () => {
    const r = runChild(`report(b.mountFeatures());`, { prefix: ["setpriv", "--inh-caps=-all", "--bounding-set=-sys_admin", "--"] });
    expect(r.stderr).toBe("");
    const f = r.reports[0] as Record<string, unknown>;
    const mine = b.mountFeatures();
    expect(f.createExcl).toBe(mine.fdMountApi ? undefined : false);
    for (const k of ["fdMountApi", "mountSetattr", "statmount", "listmount", "listmountReverse"]) expect(`${k}: ${f[k]}`).toBe(`${k}: ${mine[k as b.MountFeature]}`);
  });
});
