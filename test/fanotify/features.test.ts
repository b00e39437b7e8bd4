// How the features probe reads the kernel's answers, forced through the fault-injection
// shim on this machine's kernel (the privileged suite checks the real answers on every
// kernel of the matrix: test/harness/kernel-report.test.ts): EPERM is "may not ask",
// EINVAL is "no", ENODEV and EOPNOTSUPP from a mark are the kernel's "yes" (they come
// after its flag checks), ENOENT from a response is "yes", anything else is an error.
// And the EINVAL an object turns into a named feature.
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { explainEinval, probeFanotifyFeatures } from "../../src/fanotify/features.ts";
import { armed, failCall, fired, resetFaults, unavailable } from "../../harness/fiu/control.ts";
import { thrown } from "../helpers.ts";

const root = process.getuid?.() === 0;

describe.skipIf(!root || unavailable !== undefined)(`the probe's reading of errnos (needs root, and ${unavailable ?? "the shim"})`, () => {
  const probe = (fn: string, errno: string, nth = 1) => {
    failCall(fn, errno, nth);
    try {
      return armed(() => probeFanotifyFeatures());
    } finally {
      expect(fired(fn)).toBe(1);
      resetFaults();
    }
  };

  test("fanotify_init: EPERM is undefined, EINVAL is false, another errno is thrown", () => {
    // (the first group the probe makes is the FID group, the second the pre-content one's)
    expect(probe("fanotify_init", "EPERM").fid).toBeUndefined();
    expect(probe("fanotify_init", "EINVAL").fid).toBe(false);
    expect(thrown(() => probe("fanotify_init", "EMFILE")).code).toBe("EMFILE");
  });

  test("fanotify_mark: ENODEV and EOPNOTSUPP are the kernel's yes, EINVAL its no, another errno is thrown", () => {
    // (the first mark is the pre-content group's FAN_PRE_ACCESS)
    expect(probe("fanotify_mark", "EOPNOTSUPP").preContent).toBe(true);
    expect(probe("fanotify_mark", "ENODEV").preContent).toBe(true);
    expect(probe("fanotify_mark", "EINVAL").preContent).toBe(false);
    expect(thrown(() => probe("fanotify_mark", "ENOMEM")).code).toBe("ENOMEM");
  });

  test("a response: EINVAL is no, ENOENT (nothing waits) is yes, another errno is thrown", () => {
    // (the first response written is the audit rule's)
    expect(probe("write", "EINVAL").auditRule).toBe(false);
    expect(probe("write", "ENOENT").auditRule).toBe(true);
    expect(thrown(() => probe("write", "EIO")).code).toBe("EIO");
  });
});

describe.skipIf(!root)("the EINVAL an object names (needs root)", () => {
  const lacking = { ...b.fanotifyFeatures(), mountEvents: false, rename: false, evictableMarks: false } as b.FanotifyFeatures;

  test("a missing feature in the init flags, the mark flags or the mask is named, with its version", () => {
    expect(explainEinval(b.FAN_REPORT_MNT, 0, 0, lacking)).toBe(`mountEvents needs Linux 6.15; this kernel is ${lacking.kernel}`);
    expect(explainEinval(0, b.FAN_MARK_EVICTABLE, 0, lacking)).toMatch(/^evictableMarks needs Linux 5\.19/);
    expect(explainEinval(b.FAN_REPORT_DFID_NAME, 0, b.FAN_RENAME, lacking)).toMatch(/^rename needs Linux 5\.17/);
  });

  test("every feature present: the plain EINVAL stands", () => {
    expect(explainEinval(b.FAN_REPORT_MNT, b.FAN_MARK_EVICTABLE, b.FAN_RENAME, { ...lacking, mountEvents: true, rename: true, evictableMarks: true })).toBeUndefined();
  });
});
