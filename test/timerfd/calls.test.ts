import { describe, expect, test } from "vitest";
import {
  timerfdCreate,
  timerfdSettime,
  timerfdGettime,
  clockGettime,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  CLOCK_BOOTTIME,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
  TFD_TIMER_ABSTIME,
  MAX_NS,
  TIMERFD_READ,
} from "../../src/timerfd/calls.ts";
import { close, readCounter } from "../../src/core/io.ts";
import { classFor, ClockChangedError, OSError, UnknownError } from "../../src/core/errors.ts";
import { ERRNO } from "../../src/core/errno.ts";
import { fdFlags, thrown, withFd } from "../helpers.ts";

const withTimer = (fn: (fd: number) => void) => withFd(() => timerfdCreate(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), fn, close);

describe("timerfdCreate", () => {
  test("CLOCK_MONOTONIC and close-on-exec by default", () => {
    const fd = timerfdCreate();
    expect(fdFlags(fd) & TFD_CLOEXEC).toBe(TFD_CLOEXEC);
    expect(timerfdGettime(fd)).toEqual({ interval: 0n, value: 0n });
    close(fd);
  });
  test("the kernel refuses a clock it does not know: OSError EINVAL", () => {
    const e = thrown(() => timerfdCreate(1234));
    expect(e).toBeInstanceOf(OSError);
    expect(e).toMatchObject({ code: "EINVAL", syscall: "timerfd_create" });
  });
  test("flags are checked", () => {
    expect(() => timerfdCreate(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME)).toThrow(RangeError);
    expect(() => timerfdCreate(-1)).toThrow(RangeError);
  });
});

describe("timerfdSettime / timerfdGettime", () => {
  test("a relative one-shot timer fires and reports one expiration", async () => {
    withTimer((fd) => {
      // (100 ms: an emulated guest can take some ms between two calls)
      const old = timerfdSettime(fd, 0, { interval: 0n, value: 100_000_000n });
      expect(old).toEqual({ interval: 0n, value: 0n });
      const now = timerfdGettime(fd);
      expect(now.interval).toBe(0n);
      expect(now.value).toBeGreaterThan(0n);
      expect(now.value).toBeLessThanOrEqual(100_000_000n);
      Bun.sleepSync(150);
      expect(readCounter(fd, TIMERFD_READ)).toBe(1n);
      expect(readCounter(fd, TIMERFD_READ)).toBeNull();
    });
  });
  test("settime returns the previous setting, to the nanosecond", () => {
    withTimer((fd) => {
      timerfdSettime(fd, 0, { interval: 1_500_000_001n, value: 3_000_000_000n });
      const old = timerfdSettime(fd, 0, { interval: 0n, value: 0n });
      expect(old.interval).toBe(1_500_000_001n);
      expect(old.value).toBeGreaterThan(2_000_000_000n);
    });
  });
  test("an absolute deadline from clockGettime", () => {
    withTimer((fd) => {
      const deadline = clockGettime(CLOCK_MONOTONIC) + 2_000_000n;
      timerfdSettime(fd, TFD_TIMER_ABSTIME, { interval: 0n, value: deadline });
      Bun.sleepSync(5);
      expect(readCounter(fd, TIMERFD_READ)).toBe(1n);
    });
  });
  test("arguments are checked before the call", () => {
    withTimer((fd) => {
      expect(() => timerfdSettime(fd, 0, { interval: -1n, value: 1n })).toThrow(RangeError);
      expect(() => timerfdSettime(fd, 0, { interval: 0n, value: MAX_NS + 1n })).toThrow(RangeError);
      expect(() => timerfdSettime(fd, 0, { interval: 0n, value: 2 ** 60 } as never)).toThrow(RangeError);
      expect(() => timerfdSettime(fd, 8, { interval: 0n, value: 1n })).toThrow(RangeError);
      expect(() => timerfdSettime(fd, 0, null as never)).toThrow(TypeError);
      expect(() => timerfdSettime(fd, 0, { interval: "1", value: 1n } as never)).toThrow(TypeError);
    });
  });
  test("the longest timer the kernel keeps is accepted and read back unclamped", () => {
    withTimer((fd) => {
      timerfdSettime(fd, 0, { interval: MAX_NS, value: MAX_NS });
      expect(timerfdGettime(fd).interval).toBe(MAX_NS);
    });
  });
  test("a file that is not a timerfd: OSError EINVAL; an fd that is not open: EBADF", () => {
    const fd = 1_000_000; // (not one just closed: another thread may reuse its number)
    expect(thrown(() => timerfdGettime(fd))).toMatchObject({ code: "EBADF", syscall: "timerfd_gettime" });
    expect(thrown(() => timerfdSettime(fd, 0, { interval: 0n, value: 0n }))).toMatchObject({ code: "EBADF" });
    expect(thrown(() => timerfdGettime(0))).toMatchObject({ code: "EINVAL" });
  });
});

describe("clockGettime", () => {
  test("CLOCK_REALTIME agrees with Date.now", () => {
    const ms = Number(clockGettime(CLOCK_REALTIME) / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThan(1000);
  });
  test("CLOCK_MONOTONIC moves forward; CLOCK_BOOTTIME is at least monotonic", () => {
    const a = clockGettime();
    const b = clockGettime(CLOCK_MONOTONIC);
    expect(b).toBeGreaterThanOrEqual(a);
    expect(clockGettime(CLOCK_BOOTTIME)).toBeGreaterThanOrEqual(a);
  });
  test("an unknown clock is OSError EINVAL", () => {
    expect(thrown(() => clockGettime(99))).toMatchObject({ code: "EINVAL", syscall: "clock_gettime" });
  });
});

describe("the errno classes of a timerfd read", () => {
  // The kernel reports ECANCELED only when the realtime clock is set, which a test on
  // the host must not do; the VM suite sets the clock for real.
  test("ECANCELED becomes ClockChangedError; EIO stays OSError; EPIPE is unknown", () => {
    expect(classFor(ERRNO.ECANCELED!, TIMERFD_READ)).toBe(ClockChangedError);
    expect(classFor(ERRNO.EIO!, TIMERFD_READ)).toBe(OSError);
    expect(classFor(ERRNO.EPIPE!, TIMERFD_READ)).toBe(UnknownError);
  });
});
