import { describe, expect, test } from "vitest";
import { Timerfd, TimerfdAsync, toNanoseconds } from "../../src/timerfd/timerfd.ts";
import { CLOCK_MONOTONIC, CLOCK_REALTIME, TFD_CLOEXEC, TFD_NONBLOCK, clockGettime } from "../../src/timerfd/calls.ts";
import { QueueClosed } from "../../src/core/queue.ts";
import { ClockChangedError } from "../../src/core/errors.ts";
import { fdFlags, sleep, thrown } from "../helpers.ts";

describe("toNanoseconds", () => {
  test("numbers are milliseconds, exactly; bigints are nanoseconds", () => {
    expect(toNanoseconds(1, "d")).toBe(1_000_000n);
    expect(toNanoseconds(0.5, "d")).toBe(500_000n);
    expect(toNanoseconds(2.000001, "d")).toBe(2_000_001n);
    expect(toNanoseconds(2 ** 40 + 1, "d")).toBe((2n ** 40n + 1n) * 1_000_000n); // no float rounding
    expect(toNanoseconds(7n, "d")).toBe(7n);
  });
  test("refuses what is not a duration", () => {
    expect(() => toNanoseconds(-1, "delay")).toThrow("delay must be a finite, non-negative number of milliseconds, got -1");
    expect(() => toNanoseconds(Number.POSITIVE_INFINITY, "d")).toThrow(RangeError);
    expect(() => toNanoseconds(Number.NaN, "d")).toThrow(RangeError);
    expect(() => toNanoseconds(-1n, "d")).toThrow(RangeError);
    expect(() => toNanoseconds("5" as never, "d")).toThrow(TypeError);
    expect(() => toNanoseconds(Number.MAX_VALUE, "d")).toThrow(/longer than a timer can be set/);
  });
});

describe("Timerfd", () => {
  test("blocking, close-on-exec, CLOCK_MONOTONIC by default", () => {
    using t = new Timerfd();
    expect(t.clockid).toBe(CLOCK_MONOTONIC);
    expect(fdFlags(t.fd) & (TFD_CLOEXEC | TFD_NONBLOCK)).toBe(TFD_CLOEXEC);
  });

  test("after(): a one-shot; read() waits for it", () => {
    using t = new Timerfd().after(15);
    const t0 = performance.now();
    expect(t.read()).toBe(1n);
    expect(performance.now() - t0).toBeGreaterThan(10);
    expect(t.gettime()).toEqual({ interval: 0n, value: 0n });
  });

  test("after(0) fires at once instead of disarming", () => {
    using t = new Timerfd(CLOCK_MONOTONIC, TFD_NONBLOCK).after(0);
    Bun.sleepSync(1);
    expect(t.readEvent()).toBe(1n);
  });

  test("every(): expirations are counted, never lost, while nobody reads", () => {
    using t = new Timerfd(CLOCK_MONOTONIC, TFD_NONBLOCK).every(2);
    Bun.sleepSync(25);
    const n = t.readEvent();
    expect(n).toBeGreaterThanOrEqual(8n);
    expect(t.gettime().interval).toBe(2_000_000n);
    expect(() => t.every(0)).toThrow(RangeError);
  });

  test("every() with a different first expiry", () => {
    using t = new Timerfd(CLOCK_MONOTONIC, TFD_NONBLOCK).every(1000, 0);
    Bun.sleepSync(1);
    expect(t.readEvent()).toBe(1n);
    expect(t.gettime().value).toBeGreaterThan(900_000_000n);
  });

  test("at(): an absolute deadline on the timer's clock, with an interval", () => {
    // (100 ms ahead: an emulated guest can take some ms between the two calls)
    using t = new Timerfd(CLOCK_MONOTONIC, TFD_NONBLOCK).at(clockGettime(CLOCK_MONOTONIC) + 100_000_000n, { interval: 500 });
    expect(t.readEvents()).toEqual([]);
    Bun.sleepSync(150);
    expect(t.readEvent()).toBe(1n);
    expect(t.gettime().interval).toBe(500_000_000n);
  });

  test("at(Date) on CLOCK_REALTIME, cancelOnSet accepted there", () => {
    // The first tick, waited for up to 2 s (an emulated guest runs the timer's expiry
    // late); in the VM guest, test/timerfd/clock.test.ts may set the realtime clock
    // meanwhile, which a cancelOnSet timer reports as ClockChangedError.
    const firstTick = (t: Timerfd): bigint | "clock set" => {
      for (const until = Date.now() + 2000; ; Bun.sleepSync(5)) {
        try {
          return t.readEvent();
        } catch (e) {
          if (e instanceof ClockChangedError && process.env.BUTTER_VM === "1") return "clock set";
          if ((e as { code?: string }).code !== "EAGAIN" || Date.now() > until) throw e;
        }
      }
    };
    using t = new Timerfd(CLOCK_REALTIME, TFD_NONBLOCK).at(new Date(Date.now() + 3), { cancelOnSet: true });
    expect([1n, "clock set"]).toContain(firstTick(t));
    using past = new Timerfd(CLOCK_REALTIME, TFD_NONBLOCK).at(new Date(0));
    expect(firstTick(past)).toBe(1n); // a deadline already past fires at once
  });

  test("at(): a Date or cancelOnSet needs a realtime clock", () => {
    using t = new Timerfd();
    expect(() => t.at(new Date())).toThrow(TypeError);
    expect(() => t.at(1n, { cancelOnSet: true })).toThrow(RangeError);
  });

  test("disarm() stops it; settime() returns the old setting", () => {
    using t = new Timerfd(CLOCK_MONOTONIC, TFD_NONBLOCK).after(1000);
    expect(t.disarm().gettime().value).toBe(0n);
    const old = t.settime(0, { interval: 0n, value: 5_000_000_000n });
    expect(old).toEqual({ interval: 0n, value: 0n });
  });

  test("use after close is EBADF naming the class", () => {
    const t = new Timerfd();
    t.close();
    expect(thrown(() => t.after(1))).toMatchObject({ code: "EBADF", syscall: "timerfd_settime" });
    expect(thrown(() => t.gettime())).toMatchObject({ code: "EBADF", message: /this Timerfd is closed/ });
    expect(thrown(() => t.read())).toMatchObject({ code: "EBADF", syscall: "read" });
  });

  test("bad constructor arguments", () => {
    expect(() => new Timerfd(CLOCK_MONOTONIC, 1)).toThrow(RangeError);
    expect(thrown(() => new Timerfd(4242))).toMatchObject({ code: "EINVAL", syscall: "timerfd_create" });
  });
});

describe("TimerfdAsync", () => {
  test("non-blocking; for await yields ticks", async () => {
    await using t = new TimerfdAsync().every(5);
    expect(fdFlags(t.fd) & TFD_NONBLOCK).toBe(TFD_NONBLOCK);
    let ticks = 0n;
    let loops = 0;
    const t0 = performance.now();
    for await (const n of t) {
      ticks += n;
      if (++loops === 4) break;
    }
    expect(ticks).toBeGreaterThanOrEqual(4n);
    expect(performance.now() - t0).toBeGreaterThan(15);
    expect(t.closed).toBe(false); // break ends the loop, not the timer
  });

  test("get() with a signal; close() ends waits", async () => {
    const t = new TimerfdAsync().after(10_000);
    await expect(t.get({ signal: AbortSignal.timeout(20) })).rejects.toMatchObject({ name: "TimeoutError" });
    const p = t.get();
    await sleep(5);
    t.close();
    await expect(p).rejects.toBeInstanceOf(QueueClosed);
  });
});
