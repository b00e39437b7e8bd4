import { describe, expect, test } from "vitest";
import { Eventfd, EventfdAsync } from "../../src/eventfd/eventfd.ts";
import { EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE } from "../../src/eventfd/calls.ts";
import { OSError } from "../../src/core/errors.ts";
import { QueueClosed, QueueEmpty } from "../../src/core/queue.ts";
import { fdFlags, sleep, thrown } from "../helpers.ts";

describe("Eventfd", () => {
  test("read, write, readEvent, readEvents", () => {
    using e = new Eventfd(3, EFD_NONBLOCK);
    expect(fdFlags(e.fd) & EFD_CLOEXEC).toBe(EFD_CLOEXEC);
    expect(e.read()).toBe(3n);
    e.write();
    e.write(4n);
    expect(e.readEvent()).toBe(5n);
    expect(e.readEvents()).toEqual([]);
    e.write(9);
    expect(e.readEvents()).toEqual([9n]);
    expect(thrown(() => e.readEvent())).toMatchObject({ code: "EAGAIN", syscall: "read" });
    expect(thrown(() => e.read())).toMatchObject({ code: "EAGAIN", syscall: "read" });
  });

  test("read() hands out a value empty() peeked before reading the kernel again", () => {
    using e = new EventfdAsync(4);
    expect(e.empty()).toBe(false);
    e.write(6);
    expect(e.read()).toBe(4n);
    expect(e.read()).toBe(6n);
  });

  test("blocking by default (a read on an empty counter would wait)", () => {
    using e = new Eventfd();
    expect(fdFlags(e.fd) & EFD_NONBLOCK).toBe(0);
  });

  test("the largest initval (2^32-1) arrives intact (bun:ffi mangles a u32 argument above 2^31)", () => {
    for (const n of [0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]) {
      using e = new Eventfd(n, EFD_NONBLOCK);
      expect(e.read()).toBe(BigInt(n));
    }
  });

  test("EFD_SEMAPHORE", () => {
    using e = new Eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    expect([e.read(), e.read()]).toEqual([1n, 1n]);
  });

  test("a full counter is EAGAIN on a non-blocking fd", () => {
    using e = new Eventfd(0, EFD_NONBLOCK);
    e.write(0xfffffffffffffffen);
    expect(thrown(() => e.write(1))).toMatchObject({ code: "EAGAIN", syscall: "write" });
  });

  test("bad arguments and use after close", () => {
    expect(() => new Eventfd(-1)).toThrow(RangeError);
    expect(() => new Eventfd(0, 0o10)).toThrow(RangeError);
    const e = new Eventfd();
    expect(() => e.write(-1)).toThrow(RangeError);
    expect(() => e.write(1.5)).toThrow(RangeError);
    e.close();
    for (const op of [() => e.read(), () => e.write(1), () => e.readEvents()]) {
      const err = thrown(op);
      expect(err).toBeInstanceOf(OSError);
      expect(err.code).toBe("EBADF");
      expect(err.message).toMatch(/this Eventfd is closed/);
    }
  });
});

describe("EventfdAsync", () => {
  test("non-blocking and close-on-exec whatever the flags", () => {
    using e = new EventfdAsync(0, EFD_SEMAPHORE);
    expect(fdFlags(e.fd) & (EFD_NONBLOCK | EFD_CLOEXEC)).toBe(EFD_NONBLOCK | EFD_CLOEXEC);
    expect(e).toBeInstanceOf(Eventfd);
  });

  test("get() resolves at once when the counter is set, and waits when it is not", async () => {
    await using e = new EventfdAsync(5);
    expect(await e.get()).toBe(5n);
    setTimeout(() => e.write(7), 20);
    const t0 = performance.now();
    expect(await e.get()).toBe(7n);
    expect(performance.now() - t0).toBeGreaterThan(10);
  });

  test("a writer on another thread wakes get()", async () => {
    await using e = new EventfdAsync();
    const worker = new Worker(new URL("./writer.ts", import.meta.url).href);
    worker.postMessage({ fd: e.fd, value: "99", delayMs: 30 });
    expect(await e.get()).toBe(99n);
    worker.terminate();
  });

  test("getNowait, size, empty", () => {
    using e = new EventfdAsync();
    expect(e.size).toBe(0);
    expect(e.empty()).toBe(true);
    expect(thrown(() => e.getNowait())).toBeInstanceOf(QueueEmpty);
    e.write(2);
    expect(e.empty()).toBe(false); // peeked: the value is now buffered, not lost
    expect(e.size).toBe(1);
    e.write(3); // the kernel counter starts again from 0
    expect(e.getNowait()).toBe(2n);
    expect(e.getNowait()).toBe(3n);
  });

  test("concurrent get()s are served in call order, one value each", async () => {
    await using e = new EventfdAsync(0, EFD_SEMAPHORE);
    const got = [e.get(), e.get(), e.get()];
    expect(e.getNowait.bind(e)).toThrow(QueueEmpty); // waiters come first
    e.write(3);
    expect(await Promise.all(got)).toEqual([1n, 1n, 1n]);
  });

  test("no event is lost: 10,000 writes, every unit is read", async () => {
    await using e = new EventfdAsync(0, EFD_SEMAPHORE);
    const N = 10_000;
    let writes = 0;
    const writer = setInterval(() => {
      for (let i = 0; i < 500 && writes < N; i++, writes++) e.write(1);
      if (writes >= N) clearInterval(writer);
    }, 0);
    let n = 0;
    for await (const v of e) {
      expect(v).toBe(1n);
      if (++n === N) break;
    }
    expect(n).toBe(N);
    expect(e.empty()).toBe(true);
  });

  test("abort: the waiting get() rejects with the reason and consumes nothing", async () => {
    await using e = new EventfdAsync();
    const ac = new AbortController();
    const p = e.get({ signal: ac.signal });
    const reason = new Error("stop");
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    e.write(4);
    expect(await e.get()).toBe(4n);
    await expect(e.get({ signal: AbortSignal.abort("already") })).rejects.toBe("already");
  });

  test("abort of one of two waiters leaves the other served", async () => {
    await using e = new EventfdAsync();
    const ac = new AbortController();
    const a = e.get({ signal: ac.signal });
    const b = e.get({ signal: new AbortController().signal });
    ac.abort();
    e.write(6);
    await expect(a).rejects.toMatchObject({ name: "AbortError" });
    expect(await b).toBe(6n);
  });

  test("close(): pending get()s reject with QueueClosed, for await ends, the fd is released", async () => {
    const e = new EventfdAsync();
    const pending = e.get();
    const iterated = (async () => {
      const seen: bigint[] = [];
      for await (const v of e) seen.push(v);
      return seen;
    })();
    await sleep(5);
    e.close();
    await expect(pending).rejects.toBeInstanceOf(QueueClosed);
    expect(await iterated).toEqual([]);
    await expect(e.get()).rejects.toBeInstanceOf(QueueClosed);
    expect(thrown(() => e.getNowait())).toBeInstanceOf(QueueClosed);
    expect(e.empty()).toBe(true);
  });

  test("values read before close() are still handed out after it", async () => {
    const e = new EventfdAsync(8);
    expect(e.empty()).toBe(false); // reads 8 into the buffer
    e.close();
    expect(e.size).toBe(1);
    expect(await e.get()).toBe(8n);
    await expect(e.get()).rejects.toBeInstanceOf(QueueClosed);
  });

  test("await using closes", async () => {
    let fd = -1;
    let obj: EventfdAsync | undefined;
    {
      await using e = new EventfdAsync();
      fd = e.fd;
      obj = e;
    }
    expect(fd).toBeGreaterThan(2);
    expect(obj!.closed).toBe(true);
  });
});
