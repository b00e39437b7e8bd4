import { closeSync, openSync, writeSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { close, readCounter, readInto, writeCounter } from "../../src/core/io.ts";
import { OSError, type CallSpec } from "../../src/core/errors.ts";
import { eventfd, EFD_NONBLOCK, EFD_CLOEXEC } from "../../src/eventfd/calls.ts";
import { fifo, thrown } from "../helpers.ts";

const READ: CallSpec = { syscall: "read", family: "io-test", errnos: ["EAGAIN", "EBADF"] };
const WRITE: CallSpec = { syscall: "write", family: "io-test", errnos: ["EAGAIN", "EBADF"] };
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});
function pipe() {
  const f = fifo();
  cleanup.push(() => {
    closeSync(f.fd);
    f.dispose();
  });
  return f.fd;
}

describe("counter reads and writes", () => {
  test("a short read is reported, never taken for a value", () => {
    const fd = pipe();
    writeSync(fd, Buffer.from([1, 2, 3]));
    const e = thrown(() => readCounter(fd, READ));
    expect(e).toBeInstanceOf(OSError);
    expect(e).toMatchObject({ code: "EIO", errno: 5, syscall: "read" });
    expect(e.message).toBe(`EIO: input/output error, read (fd ${fd} gave 3 of the 8 bytes of a counter: is it the right kind of fd?)`);
  });
  test("EAGAIN is null on read and false on write", () => {
    const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    cleanup.push(() => close(fd));
    expect(readCounter(fd, READ)).toBeNull();
    expect(writeCounter(fd, 0xfffffffffffffffen, WRITE)).toBe(true);
    expect(writeCounter(fd, 1n, WRITE)).toBe(false);
    expect(readCounter(fd, READ)).toBe(0xfffffffffffffffen);
  });
  test("other errors are the call's error", () => {
    expect(thrown(() => readCounter(999_999, READ))).toBeInstanceOf(OSError);
    expect(thrown(() => writeCounter(999_999, 1n, WRITE))).toMatchObject({ code: "EBADF", syscall: "write" });
  });
});

describe("readInto", () => {
  test("reads what is there, null when nothing is", () => {
    const fd = pipe();
    const buf = new Uint8Array(16);
    expect(readInto(fd, buf, READ)).toBeNull();
    writeSync(fd, Buffer.from("hello"));
    expect(readInto(fd, buf, READ)).toBe(5);
    expect(Buffer.from(buf.subarray(0, 5)).toString()).toBe("hello");
    expect(thrown(() => readInto(999_999, buf, READ))).toMatchObject({ code: "EBADF" });
  });
});

describe("close", () => {
  test("EBADF on a closed fd, and the argument is checked", () => {
    expect(thrown(() => close(999_999))).toMatchObject({ code: "EBADF", syscall: "close" });
    expect(() => close(-1)).toThrow(RangeError);
  });
});

describe("a 1:1 read of an fd of the wrong kind: OSError EIO naming the fd, never InternalError", async () => {
  const b = await import("../../src/index.ts");
  test.each([
    ["eventfdRead", (fd: number) => b.eventfdRead(fd), "3 of the 8 bytes of a counter"],
    ["inotifyRead", (fd: number) => b.inotifyRead(fd), "3 of the 16 bytes of an inotify event"],
    ["signalfdRead", (fd: number) => b.signalfdRead(fd), "3 of the 128 bytes of a signalfd_siginfo"],
  ])("%s of a pipe holding 3 bytes, then at end of file", (_name, read, what) => {
    const f = fifo();
    try {
      writeSync(f.fd, Buffer.from([1, 2, 3]));
      const e = thrown(() => read(f.fd));
      expect(e).toBeInstanceOf(b.OSError);
      expect(e).not.toBeInstanceOf(b.InternalError);
      expect(e).toMatchObject({ code: "EIO", syscall: "read" });
      expect(e.message).toContain(`fd ${f.fd} gave ${what}`);
    } finally {
      closeSync(f.fd);
      f.dispose();
    }
  });

  test.each([
    ["eventfdRead", (fd: number) => b.eventfdRead(fd), "a counter"],
    ["inotifyRead", (fd: number) => b.inotifyRead(fd), "an inotify event"],
    ["signalfdRead", (fd: number) => b.signalfdRead(fd), "a signalfd_siginfo"],
  ])("%s at end of file (/dev/null): the same, never an empty list", (_name, read, what) => {
    const fd = openSync("/dev/null", "r");
    try {
      const e = thrown(() => read(fd));
      expect(e).toMatchObject({ code: "EIO", syscall: "read" });
      expect(e.message).toContain(`fd ${fd} gave end of file of ${what}`);
    } finally {
      closeSync(fd);
    }
  });
});
