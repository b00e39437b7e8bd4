import { existsSync, readlinkSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { FdObject } from "../../src/core/fd.ts";
import { OSError } from "../../src/core/errors.ts";
import { eventfd, EFD_CLOEXEC } from "../../src/eventfd/calls.ts";
import { close } from "../../src/core/io.ts";
import { highFd } from "../helpers.ts";

const isOpen = (fd: number) => existsSync(`/proc/self/fd/${fd}`);

describe("FdObject", () => {
  test("owns its fd and closes it once", () => {
    const o = new FdObject(eventfd(0, EFD_CLOEXEC));
    const fd = o.fd;
    expect(o.fileno()).toBe(fd);
    expect(o.closed).toBe(false);
    expect(isOpen(fd)).toBe(true);
    o.close();
    expect(o.closed).toBe(true);
    expect(o.fd).toBe(-1);
    expect(isOpen(fd)).toBe(false);
    o.close(); // idempotent: no error, and no close(2) of a number someone else now owns
  });

  test("use after close is OSError EBADF naming the class", () => {
    const o = new FdObject(eventfd());
    o.close();
    let err: unknown;
    try {
      o.fileno();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OSError);
    expect((err as OSError).code).toBe("EBADF");
    expect((err as OSError).syscall).toBe("fileno");
    expect((err as OSError).message).toBe("EBADF: bad file descriptor, fileno (this FdObject is closed)");
  });

  test("`using` closes at the end of the block", () => {
    let fd: number;
    {
      using o = new FdObject(eventfd());
      fd = o.fd;
      expect(isOpen(fd)).toBe(true);
    }
    expect(isOpen(fd)).toBe(false);
  });

  test("a close(2) error is thrown, and the object is closed anyway", () => {
    const fd = highFd(eventfd());
    const o = new FdObject(fd);
    close(fd); // someone closed it behind the object's back
    expect(() => o.close()).toThrow(expect.objectContaining({ code: "EBADF", syscall: "close" }));
    expect(o.closed).toBe(true);
    expect(() => o.close()).not.toThrow();
  });

  test("a forgotten object's fd is closed by the garbage collector", async () => {
    const make = () => new FdObject(eventfd()).fd;
    const fd = make();
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe("anon_inode:[eventfd]");
    for (let i = 0; i < 50 && isOpen(fd); i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(isOpen(fd)).toBe(false);
  });
});

test("an FdObject takes only an fd number: -1, a fraction or a string is refused before anything", () => {
  expect(() => new FdObject(-1)).toThrow(RangeError);
  expect(() => new FdObject(1.5)).toThrow(RangeError);
  expect(() => new FdObject("3" as unknown as number)).toThrow(TypeError);
});
