import { describe, expect, test } from "vitest";
import {
  OSError,
  PermissionError,
  UnknownError,
  InternalError,
  ClockChangedError,
  classFor,
  callId,
  documentedErrnos,
  errorFor,
  check,
  type CallSpec,
} from "../../src/core/errors.ts";
import { ERRNO, ERRNO_NAMES, ERRNO_MESSAGES } from "../../src/core/errno.ts";

const SPEC: CallSpec = {
  syscall: "test_call",
  family: "errors-test",
  errnos: ["ENOENT", "EINVAL", "EACCES", "ECANCELED"],
  special: { ECANCELED: ClockChangedError },
};

describe("errno table", () => {
  test("numbers and names are the kernel's, aliases included", () => {
    expect(ERRNO.EPERM).toBe(1);
    expect(ERRNO.EAGAIN).toBe(11);
    expect(ERRNO.EWOULDBLOCK).toBe(11);
    expect(ERRNO.ENOTSUP).toBe(95);
    expect(ERRNO.ECANCELED).toBe(125);
    expect(ERRNO_NAMES[11]).toBe("EAGAIN");
    expect(ERRNO_MESSAGES[13]).toBe("permission denied");
  });
});

describe("classFor: which class each errno becomes", () => {
  test.each([
    ["EPERM", PermissionError], // not documented for SPEC, still a permission error
    ["EACCES", PermissionError],
    ["EFAULT", InternalError],
    ["ENOENT", OSError],
    ["EINVAL", OSError],
    ["EIO", UnknownError], // not in SPEC's documented list
    ["ECANCELED", ClockChangedError],
  ] as const)("%s", (code, cls) => {
    expect(classFor(ERRNO[code]!, SPEC)).toBe(cls);
  });
});

describe("the errors themselves", () => {
  test("Node-shaped fields and message, with a path", () => {
    const e = errorFor(-ERRNO.EACCES!, SPEC, "/root/x") as OSError;
    expect(e).toBeInstanceOf(PermissionError);
    expect(e).toBeInstanceOf(OSError);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("EACCES: permission denied, test_call '/root/x'");
    expect(e.code).toBe("EACCES");
    expect(e.errno).toBe(13);
    expect(e.syscall).toBe("test_call");
    expect(e.path).toBe("/root/x");
    expect(e.name).toBe("PermissionError");
  });

  test("no path field when none was given", () => {
    const e = errorFor(-ERRNO.ENOENT!, SPEC) as OSError;
    expect("path" in e).toBe(false);
    expect(e.message).toBe("ENOENT: no such file or directory, test_call");
    expect(e.name).toBe("OSError");
  });

  test("UnknownError carries the undocumented errno", () => {
    const e = errorFor(-ERRNO.EIO!, SPEC) as UnknownError;
    expect(e).toBeInstanceOf(UnknownError);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(5);
    expect(e.code).toBe("EIO");
  });

  test("an errno number Linux does not define still makes a readable error", () => {
    const e = errorFor(-4000, SPEC) as OSError;
    expect(e.code).toBe("E4000");
    expect(e.message).toBe("E4000: unknown error 4000, test_call");
  });

  test("InternalError is not an OSError and asks for a report", () => {
    const e = errorFor(-ERRNO.EFAULT!, SPEC, "/p") as InternalError;
    expect(e).toBeInstanceOf(InternalError);
    expect(e).not.toBeInstanceOf(OSError);
    expect(e.name).toBe("InternalError");
    expect(e.code).toBe("EFAULT");
    expect(e.errno).toBe(14);
    expect(e.syscall).toBe("test_call");
    expect(e.path).toBe("/p");
    expect(e.message).toMatch(/^EFAULT: bad address, test_call '\/p' \(a bug in butter; please report it\)$/);
    const d = new InternalError(5, "read", undefined, "short read");
    expect(d.message).toBe("EIO: input/output error, read (short read)");
    expect("path" in d).toBe(false);
  });

  test("check passes results through and throws on -errno", () => {
    expect(check(7, SPEC)).toBe(7);
    expect(check(0, SPEC)).toBe(0);
    expect(() => check(-2, SPEC, "/nope")).toThrow("ENOENT: no such file or directory, test_call '/nope'");
  });
});

describe("a call's declaration", () => {
  test("its id is family-qualified where a family is given; its names become numbers", () => {
    expect(callId(SPEC)).toBe("errors-test/test_call");
    expect(callId({ syscall: "close", errnos: [] })).toBe("close");
    expect(documentedErrnos(SPEC)).toEqual(new Set([ERRNO.ENOENT, ERRNO.EINVAL, ERRNO.EACCES, ERRNO.ECANCELED]));
    expect(documentedErrnos(SPEC)).toBe(documentedErrnos(SPEC)); // made once
  });
  test("a misspelt errno name throws at the call's first error, naming it", () => {
    const bad: CallSpec = { syscall: "other_call", errnos: ["ENOTANERRNO"] };
    expect(check(3, bad)).toBe(3); // nothing is looked at on success
    expect(() => errorFor(-ERRNO.EIO!, bad)).toThrow(/unknown errno name ENOTANERRNO/);
    expect(() => classFor(ERRNO.EIO!, { syscall: "x", errnos: [], special: { EBOGUS: OSError } })).toThrow(/unknown errno name EBOGUS/);
  });
});
