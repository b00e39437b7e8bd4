import { describe, expect, test } from "vitest";
import {
  eventfd,
  eventfdRead,
  eventfdWrite,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EFD_SEMAPHORE,
  EVENTFD_MAX,
} from "../../src/eventfd/calls.ts";
import { close } from "../../src/core/io.ts";
import { OSError } from "../../src/core/errors.ts";
import { fdFlags, thrown, withFd } from "../helpers.ts";

const withEventfd = (initval: number, flags: number, fn: (fd: number) => void) =>
  withFd(() => eventfd(initval, flags), fn, close);

describe("eventfd", () => {
  test("close-on-exec by default; flags as given otherwise", () => {
    withEventfd(0, undefined as unknown as number, (fd) => expect(fdFlags(fd) & EFD_CLOEXEC).toBe(EFD_CLOEXEC));
    const fd = eventfd();
    expect(fdFlags(fd) & EFD_CLOEXEC).toBe(EFD_CLOEXEC);
    close(fd);
    withEventfd(0, EFD_NONBLOCK, (fd) => {
      expect(fdFlags(fd) & EFD_CLOEXEC).toBe(0);
      expect(fdFlags(fd) & EFD_NONBLOCK).toBe(EFD_NONBLOCK);
    });
  });

  test("initval is the first value read; a read resets the counter", () => {
    withEventfd(7, EFD_NONBLOCK | EFD_CLOEXEC, (fd) => {
      expect(eventfdRead(fd)).toBe(7n);
      expect(thrown(() => eventfdRead(fd))).toMatchObject({ code: "EAGAIN", syscall: "read" });
    });
  });

  test("writes add up, to the 64-bit limit, exactly", () => {
    withEventfd(0, EFD_NONBLOCK, (fd) => {
      eventfdWrite(fd, 2);
      eventfdWrite(fd, 3n);
      expect(eventfdRead(fd)).toBe(5n);
      eventfdWrite(fd, EVENTFD_MAX);
      expect(eventfdRead(fd)).toBe(0xfffffffffffffffen);
    });
  });

  test("a write that would overflow the counter is EAGAIN on a non-blocking fd", () => {
    withEventfd(0, EFD_NONBLOCK, (fd) => {
      eventfdWrite(fd, EVENTFD_MAX - 1n);
      eventfdWrite(fd, 1n);
      const e = thrown(() => eventfdWrite(fd, 1n));
      expect(e).toBeInstanceOf(OSError);
      expect(e).toMatchObject({ code: "EAGAIN", errno: 11, syscall: "write" });
      expect(eventfdRead(fd)).toBe(EVENTFD_MAX);
    });
  });

  test("EFD_SEMAPHORE reads 1 at a time", () => {
    withEventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK, (fd) => {
      expect([eventfdRead(fd), eventfdRead(fd), eventfdRead(fd)]).toEqual([1n, 1n, 1n]);
      expect(() => eventfdRead(fd)).toThrow(OSError);
    });
  });

  test("a blocking read waits for a writer on another thread", async () => {
    const fd = eventfd(0, EFD_CLOEXEC);
    const worker = new Worker(new URL("./writer.ts", import.meta.url).href);
    worker.postMessage({ fd, value: "42", delayMs: 50 });
    const t0 = performance.now();
    const value = eventfdRead(fd);
    expect(value).toBe(42n);
    expect(performance.now() - t0).toBeGreaterThan(20);
    await new Promise((r) => worker.addEventListener("message", r, { once: true }));
    worker.terminate();
    close(fd);
  });

  test("bad arguments are refused before the call", () => {
    expect(() => eventfd(-1)).toThrow(RangeError);
    expect(() => eventfd(2 ** 32)).toThrow(RangeError);
    expect(() => eventfd(1.5)).toThrow(RangeError);
    expect(() => eventfd("1" as never)).toThrow(TypeError);
    expect(() => eventfd(0, 0o10)).toThrow(/unknown bits/);
    withEventfd(0, EFD_NONBLOCK, (fd) => {
      expect(() => eventfdWrite(fd, -1)).toThrow(RangeError);
      expect(() => eventfdWrite(fd, EVENTFD_MAX + 1n)).toThrow(RangeError); // the kernel's EINVAL, caught first
      expect(() => eventfdWrite(fd, 2 ** 60)).toThrow(RangeError); // not a safe integer: would round
      expect(() => eventfdWrite(fd, "1" as never)).toThrow(TypeError);
    });
    expect(() => eventfdRead(-3)).toThrow(RangeError);
  });

  test("an fd that is not open is OSError EBADF", () => {
    // (not an fd just closed: another thread of this process may get its number at once)
    const fd = 1_000_000;
    expect(thrown(() => eventfdRead(fd))).toMatchObject({ code: "EBADF", syscall: "read" });
    expect(thrown(() => eventfdWrite(fd, 1))).toMatchObject({ code: "EBADF", syscall: "write" });
  });
});
