// Every argument is normalised once, and the normalised value is what is used: an integer
// given as a number or as a bigint gives the same result, and an invalid value gives the
// documented TypeError or RangeError with nothing done (no fd made, no watch added, no
// timer armed). Property-based, with fast-check, over the public functions that take
// integers.
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { openFds } from "../../harness/fds.ts";

const RUNS = { numRuns: 60 };
const dir = mkdtempSync("/dev/shm/butter-args-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A valid integer in [min, max], in both forms.
const both = (min: number, max: number) => fc.integer({ min, max }).map((n) => [n, BigInt(n)] as const);

// Values no integer argument takes: the wrong type (TypeError) or not an integer in range (RangeError).
// (undefined is left out: an optional argument takes it as "the default")
const wrongType = fc.oneof(fc.constant(null), fc.string(), fc.boolean(), fc.object(), fc.constant([1]), fc.constant(() => 1));
const notInRange = (min: number, max: number) =>
  fc.oneof(
    fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5, min - 1, max + 1, 2 ** 53 + 2),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.bigInt({ min: BigInt(max) + 1n, max: 2n ** 70n }),
    fc.bigInt({ min: -(2n ** 70n), max: BigInt(min) - 1n }),
  );

// The fds a butter call makes (other threads of the test runner open fds of their own
// meanwhile, so the whole table is not compared).
const KINDS = /^anon_inode:(\[(eventfd|timerfd|signalfd)\]|inotify)$|^pipe:/;
const butterFds = () => [...openFds()].filter(([, target]) => KINDS.test(target)).map(([fd]) => fd).sort();

/** Runs `f` and asserts it throws `cls`, and that no eventfd, timerfd, inotify, signalfd or pipe was made. */
function refusedCleanly(f: () => unknown, cls: new (...a: never[]) => Error): void {
  const before = butterFds();
  expect(f).toThrow(cls);
  expect(butterFds()).toEqual(before);
}

describe("the same integer as a number or a bigint gives the same result", () => {
  test("eventfd(initval, flags), eventfdWrite, eventfdRead", () => {
    fc.assert(
      fc.property(both(0, 0xffffffff), both(0, 1000), ([n, nb], [w, wb]) => {
        const a = b.eventfd(n, b.EFD_CLOEXEC | b.EFD_NONBLOCK);
        const c = b.eventfd(nb as never, BigInt(b.EFD_CLOEXEC | b.EFD_NONBLOCK) as never);
        try {
          b.eventfdWrite(a, w);
          b.eventfdWrite(BigInt(c) as never, wb);
          expect(b.eventfdRead(BigInt(c) as never)).toBe(b.eventfdRead(a));
        } finally {
          for (const fd of [a, c]) require("node:fs").closeSync(fd);
        }
      }),
      RUNS,
    );
  });

  test("timerfdSettime(fd, flags, ...) with a bigint fd arms that timer, not another fd", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1_000_000_000n, max: 10n ** 15n }), (ns) => {
        const fd = b.timerfdCreate();
        try {
          b.timerfdSettime(BigInt(fd) as never, 0n as never, { interval: 0n, value: ns });
          const left = b.timerfdGettime(BigInt(fd) as never).value;
          expect(left > 0n && left <= ns).toBe(true);
        } finally {
          require("node:fs").closeSync(fd);
        }
      }),
      RUNS,
    );
  });

  test("Timerfd(clockid): a clock given as a bigint is the same clock (at(Date) on CLOCK_REALTIME)", () => {
    for (const c of [b.CLOCK_REALTIME, BigInt(b.CLOCK_REALTIME)]) {
      using t = new b.Timerfd(c as never);
      expect(t.clockid).toBe(b.CLOCK_REALTIME);
      t.at(new Date(Date.now() + 60_000));
      expect(t.gettime().value > 0n).toBe(true);
    }
    expect(b.clockGettime(BigInt(b.CLOCK_MONOTONIC) as never)).toBeTypeOf("bigint");
  });

  test("Inotify watch(path, mask), pathOf(wd), unwatch(wd): the registry keys by number", () => {
    const masks = [b.IN_ATTRIB, b.IN_ATTRIB | b.IN_CREATE, b.IN_ALL_EVENTS, b.IN_ATTRIB | b.IN_EXCL_UNLINK | b.IN_MASK_ADD];
    fc.assert(
      fc.property(fc.constantFrom(...masks), fc.boolean(), (mask, asBig) => {
        using ino = new b.Inotify(b.IN_NONBLOCK);
        const wd = ino.watch(dir, (asBig ? BigInt(mask >>> 0) : mask) as never);
        expect(ino.pathOf(BigInt(wd) as never)).toBe(dir);
        utimesSync(dir, 1, 2);
        const [ev] = ino.readEvents();
        expect(ev?.path).toBe(dir); // the event of a bigint-mask watch has its path
        ino.unwatch(BigInt(wd) as never);
        // the watch leaves the registry with its IN_IGNORED, which still carries the path
        const ignored = ino.readEvents().at(-1);
        expect(ignored?.flags).toContain("IN_IGNORED");
        expect(ignored?.path).toBe(dir);
        expect(ino.watches.size).toBe(0);
      }),
      RUNS,
    );
  });

  test("inotifyAddWatch / inotifyRmWatch, 1:1", () => {
    const fd = b.inotifyInit1(BigInt(b.IN_NONBLOCK | b.IN_CLOEXEC) as never);
    try {
      const wd = b.inotifyAddWatch(BigInt(fd) as never, dir, BigInt(b.IN_ATTRIB) as never);
      expect(wd).toBeGreaterThan(0);
      b.inotifyRmWatch(BigInt(fd) as never, BigInt(wd) as never);
    } finally {
      require("node:fs").closeSync(fd);
    }
  });

  test("signals: signum, pthreadSigmask's how, tgkill's ids", () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 10, 12, 15, 17, 23, 28, 35, 50), (n) => {
        expect(b.signum(BigInt(n) as never)).toBe(b.signum(n));
      }),
      RUNS,
    );
    expect(b.pthreadSigmask(BigInt(b.SIG_BLOCK) as never, null)).toEqual(b.pthreadSigmask(b.SIG_BLOCK, null));
    b.tgkill(BigInt(b.getpid()) as never, BigInt(b.gettid()) as never, "SIGURG"); // ignored by default
  });
});

describe("an invalid value: the documented error, and nothing done", () => {
  test("fd arguments", () => {
    fc.assert(
      fc.property(fc.oneof(wrongType.map((v) => [v, TypeError] as const), notInRange(0, 0x7fffffff).map((v) => [v, RangeError] as const)), ([bad, cls]) => {
        refusedCleanly(() => b.eventfdRead(bad as never), cls);
        refusedCleanly(() => b.eventfdWrite(bad as never, 1), cls);
        refusedCleanly(() => b.timerfdSettime(bad as never, 0, { interval: 0n, value: 1n }), cls);
        refusedCleanly(() => b.timerfdGettime(bad as never), cls);
        refusedCleanly(() => b.inotifyAddWatch(bad as never, dir, b.IN_ATTRIB), cls);
        refusedCleanly(() => b.inotifyRead(bad as never), cls);
        refusedCleanly(() => b.signalfdRead(bad as never), cls);
      }),
      RUNS,
    );
  });

  test("flags and masks", () => {
    fc.assert(
      fc.property(fc.oneof(wrongType.map((v) => [v, TypeError] as const), notInRange(0, 0x7fffffff).map((v) => [v, RangeError] as const)), ([bad, cls]) => {
        refusedCleanly(() => b.eventfd(0, bad as never), cls);
        refusedCleanly(() => new b.Eventfd(0, bad as never), cls);
        refusedCleanly(() => b.timerfdCreate(b.CLOCK_MONOTONIC, bad as never), cls);
        refusedCleanly(() => new b.Timerfd(b.CLOCK_MONOTONIC, bad as never), cls);
        refusedCleanly(() => b.inotifyInit1(bad as never), cls);
        refusedCleanly(() => new b.Inotify(bad as never), cls);
        refusedCleanly(() => new b.Signalfd(["SIGURG"], { flags: bad as never }), cls);
      }),
      RUNS,
    );
  });

  test("unknown flag bits are a RangeError", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }).map((s) => 1 << s), (bit) => {
        fc.pre((bit & (b.EFD_CLOEXEC | b.EFD_NONBLOCK | b.EFD_SEMAPHORE)) === 0);
        refusedCleanly(() => b.eventfd(0, bit), RangeError);
      }),
      RUNS,
    );
  });

  test("an inotify mask: a watch is not added", () => {
    fc.assert(
      fc.property(fc.oneof(wrongType.map((v) => [v, TypeError] as const), notInRange(-0x80000000, 0xffffffff).map((v) => [v, RangeError] as const)), ([bad, cls]) => {
        using ino = new b.Inotify(b.IN_NONBLOCK);
        expect(() => ino.watch(dir, bad as never)).toThrow(cls);
        expect(ino.watches.size).toBe(0);
        expect(() => ino.unwatch(bad as never)).toThrow();
      }),
      RUNS,
    );
  });

  test("times: a timer is not armed", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(-1, Number.NaN, Infinity, -1n, 2n ** 63n, undefined), wrongType), (bad) => {
        using t = new b.Timerfd();
        expect(() => t.after(bad as never)).toThrow();
        expect(() => b.timerfdSettime(t.fd, 0, { interval: 0n, value: bad as never })).toThrow();
        expect(t.gettime().value).toBe(0n);
      }),
      RUNS,
    );
  });

  test("options that are not objects: butter's TypeError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.constant([])), (bad) => {
        refusedCleanly(() => new b.Signalfd(["SIGURG"], bad as never), TypeError);
        refusedCleanly(() => new b.SignalfdAsync(["SIGURG"], bad as never), TypeError);
        using t = new b.Timerfd(b.CLOCK_REALTIME);
        expect(() => t.at(new Date(Date.now() + 1000), bad as never)).toThrow(/options must be an object/);
        using q = new b.EventfdAsync();
        expect(() => q.get(bad as never)).toThrow(TypeError);
      }),
      RUNS,
    );
  });
});
