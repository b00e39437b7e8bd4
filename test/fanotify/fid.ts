// FID groups mark only filesystems with an fsid: tmpfs on older kernels has none (5.10 in
// the VM says ENODEV), and the VM guests have nothing but tmpfs. Tests of FID groups
// check there that the error says so, instead of the events.
import { expect } from "vitest";
import * as b from "../../src/index.ts";
import { thrown } from "../helpers.ts";

/** Whether a FID group can mark `dir` on this kernel and filesystem. */
export function fidMarkable(dir: string): boolean {
  const fd = b.fanotifyInit(b.FAN_CLOEXEC | b.FAN_REPORT_FID);
  try {
    b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD, b.AT_FDCWD, dir);
    return true;
  } catch (e) {
    if ((e as b.OSError).code === "ENODEV") return false;
    throw e;
  } finally {
    require("node:fs").closeSync(fd);
  }
}

/** Where FID groups cannot mark `dir`: the object's error names the reason. */
export function expectNoFsid(dir: string): void {
  using fan = new b.Fanotify(b.FAN_REPORT_DFID_NAME);
  const e = thrown(() => fan.mark(dir, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD));
  expect(e.code).toBe("ENODEV");
  expect(e.message).toMatch(/a FID group marks only filesystems with an fsid/);
}
