// AioContext: requests as promises, compared byte for byte with pread over thousands in
// flight; batching, back-pressure, O_DIRECT on a real disk, cancellation, closing with
// requests in flight; Workers, process.on listeners, and what the collector and a
// Worker's end give back.
import { closeSync, constants, openSync, readFileSync, readSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { tempDirs, worker } from "../helpers.ts";
import { ptr } from "bun:ffi";
import { pendingWaits } from "../../src/core/reactor.ts";

const tmp = tempDirs("aio");
const rings = () => readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => l.includes("/[aio]")).length;
/** A context of 1 with one poll in the kernel and one in line, on an eventfd nothing wrote yet. */
async function oneOutOneInLine(ctx: b.AioContext, e: b.Eventfd) {
  const first = ctx.poll(e.fd, 1);
  const second = ctx.poll(e.fd, 1);
  await new Promise((r) => setTimeout(r, 5));
  expect([ctx.inFlight, ctx.queued]).toEqual([1, 1]);
  return [first, second] as const;
}
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a rejection"); }, (e) => e);

function file(data: Uint8Array | string, name = "f"): number {
  writeFileSync(`${tmp.aio}/${name}`, data);
  return openSync(`${tmp.aio}/${name}`, "r+");
}

/** A directory on the disk (not tmpfs) whose filesystem takes O_DIRECT, or why not. */
function directDir(): { dir?: string; why?: string } {
  const dir = mkdtempSync(`${tmpdir()}/butter-aio-direct-`);
  try {
    closeSync(openSync(`${dir}/probe`, constants.O_CREAT | constants.O_RDWR | constants.O_DIRECT));
    return { dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `the filesystem of ${tmpdir()} refuses O_DIRECT (${(e as Error).message})` };
  }
}
const direct = directDir();
process.on("exit", () => direct.dir && rmSync(direct.dir, { recursive: true, force: true }));

describe("requests as promises", () => {
  test("read, write, readv, writev, fsync, fdsync: results and bytes", async () => {
    const fd = file("0123456789");
    await using ctx = new b.AioContext(8);
    const a = new Uint8Array(4);
    expect(await ctx.read(fd, a, 3)).toBe(4);
    expect(Buffer.from(a).toString()).toBe("3456");
    expect(await ctx.write(fd, Buffer.from("ab"), 8n)).toBe(2);
    const parts = [new Uint8Array(2), new Uint8Array(8)];
    expect(await ctx.readv(fd, parts, 0)).toBe(10);
    expect(parts.map((p) => Buffer.from(p).toString())).toEqual(["01", "234567ab"]);
    expect(await ctx.writev(fd, [Buffer.from("X"), Buffer.from("YZ")], 10)).toBe(3);
    expect(await ctx.fsync(fd)).toBe(0);
    expect(await ctx.fdsync(fd)).toBe(0);
    expect(readFileSync(`${tmp.aio}/f`, "utf8")).toBe("01234567abXYZ");
    expect(await ctx.read(fd, new Uint8Array(4), 100)).toBe(0); // past the end
    closeSync(fd);
  });

  test("four thousand random reads in flight through a context of 128, each byte for byte what pread gives", async () => {
    const data = randomBytes(8 << 20);
    const fd = file(data);
    using ctx = new b.AioContext(128);
    const reqs = Array.from({ length: 4096 }, () => {
      const off = Math.floor(Math.random() * (data.length - 8192));
      const buf = new Uint8Array(1 + Math.floor(Math.random() * 8192));
      return { off, buf, p: ctx.read(fd, buf, off) };
    });
    expect(ctx.queued + ctx.inFlight).toBe(4096);
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, ctx.inFlight)), 0);
    const got = await Promise.all(reqs.map((r) => r.p));
    clearInterval(sample);
    expect(most).toBeLessThanOrEqual(128);
    for (let i = 0; i < reqs.length; i++) {
      const { off, buf } = reqs[i]!;
      expect(got[i]).toBe(buf.length);
      const ref = Buffer.alloc(buf.length);
      readSync(fd, ref, 0, buf.length, off);
      if (!ref.equals(buf)) throw new Error(`request ${i} (offset ${off}, ${buf.length} bytes) differs from pread`);
    }
    expect(ctx.inFlight + ctx.queued).toBe(0);
    closeSync(fd);
  });

  test("requests made in one synchronous run go to the kernel together at its end, in io_submit calls of submitBatch; submit() sends them at once", async () => {
    const fd = file(randomBytes(65536));
    for (const [batch, calls] of [[undefined, 25], [64, 1], [7, 8]] as const) {
      using ctx = new b.AioContext(64, batch === undefined ? undefined : { submitBatch: batch });
      expect(ctx.submitBatch).toBe(batch ?? b.DEFAULT_SUBMIT_BATCH);
      const ps = Array.from({ length: 50 }, (_, i) => ctx.read(fd, new Uint8Array(100), i * 100));
      expect(ctx.submits).toBe(0);
      expect(ctx.queued).toBe(50);
      expect(await Promise.all(ps)).toEqual(Array(50).fill(100));
      expect(ctx.submits).toBe(calls); // 50 in calls of 2, of 64 (one), of 7
      const p = ctx.read(fd, new Uint8Array(10), 0);
      expect(ctx.submit()).toBe(1);
      expect(ctx.submits).toBe(calls + 1);
      expect(ctx.queued).toBe(0);
      expect(await p).toBe(10);
    }
    expect(b.DEFAULT_SUBMIT_BATCH).toBe(2);
    expect(() => new b.AioContext(4, { submitBatch: 0 })).toThrow(RangeError);
    expect(() => new b.AioContext(4, { submitBatch: 1.5 })).toThrow(RangeError);
    expect(() => new b.AioContext(4, { submitBatch: "2" as never })).toThrow(TypeError);
    expect(() => new b.AioContext(4, null as never)).toThrow(TypeError);
    closeSync(fd);
  });

  test("back-pressure: a context of 2 takes 200 requests in turn, none failing with EAGAIN", async () => {
    const fd = file(randomBytes(200 * 64));
    using ctx = new b.AioContext(2);
    const ps = Array.from({ length: 200 }, (_, i) => ctx.read(fd, new Uint8Array(64), i * 64));
    expect(await Promise.all(ps)).toEqual(Array(200).fill(64));
    expect(ctx.submits).toBeGreaterThanOrEqual(100);
    closeSync(fd);
  });

  test("poll: resolves with the events when they happen; the context keeps the process waiting only while a request is out", async () => {
    using ctx = new b.AioContext();
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const p = ctx.poll(e.fd, 1);
    setTimeout(() => e.write(1), 10);
    expect((await p) & 1).toBe(1);
    expect(pendingWaits()).toBe(0);
  });
});

test("an idle context does not keep the process alive: a program that read and did not close ends by itself", () => {
  const code = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
    import { openSync } from "node:fs";
    const fd = openSync(process.argv[2], "r");
    const ctx = new b.AioContext();
    const e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const p = ctx.poll(e.fd, 1);
    setTimeout(() => e.write(1), 5);
    console.log(await ctx.read(fd, new Uint8Array(4), 0), (await p) & 1);
    const q = ctx.read(fd, new Uint8Array(4), 0);
    ctx.submit();
    ctx.reap();
    console.log(await q, ctx.inFlight);`;
  writeFileSync(`${tmp.aio}/idle.ts`, code);
  writeFileSync(`${tmp.aio}/data`, "abcd");
  const r = Bun.spawnSync([process.execPath, `${tmp.aio}/idle.ts`, `${tmp.aio}/data`], { timeout: 10_000, env: { ...process.env, BUTTER_HELPERS_PREBUILT: undefined } });
  expect(r.exitCode, r.stderr.toString()).toBe(0);
  expect(r.stdout.toString()).toBe("4 1\n4 0\n");
});

describe("errors", () => {
  test("a negative result is the documented class: EBADF at submit, EISDIR from the read; bad arguments reject with TypeError and RangeError", async () => {
    using ctx = new b.AioContext();
    expect(await errorOf(ctx.read(0x7ffffff0, new Uint8Array(1), 0))).toMatchObject({ name: "OSError", code: "EBADF", syscall: "io_submit" });
    const dir = openSync(tmp.aio, "r");
    const e = await errorOf(ctx.read(dir, new Uint8Array(1), 0));
    expect(e).toBeInstanceOf(b.OSError);
    expect(["EISDIR", "EINVAL"]).toContain(e.code);
    closeSync(dir);
    expect(await errorOf(ctx.read(-1, new Uint8Array(1), 0))).toBeInstanceOf(RangeError);
    expect(await errorOf(ctx.read(0, "x" as never, 0))).toBeInstanceOf(TypeError);
    expect(await errorOf(ctx.read(0, new Uint8Array(1), -1))).toBeInstanceOf(RangeError);
    expect(await errorOf(ctx.readv(0, [], 0))).toBeInstanceOf(TypeError);
    expect(await errorOf(ctx.poll(0, 0))).toBeInstanceOf(RangeError);
    expect(await errorOf(ctx.read(0, new Uint8Array(1), 0, { rwFlags: 1 << 20 }))).toBeInstanceOf(RangeError);
    expect(await errorOf(ctx.read(0, new Uint8Array(1), 0, { signal: {} as never }))).toBeInstanceOf(TypeError);
    expect(() => new b.AioContext(0)).toThrow(RangeError);
    expect(ctx.inFlight + ctx.queued).toBe(0);
  });

  test("an EFBIG write (at an offset beyond RLIMIT_FSIZE, in a child) is an OSError from the completion", () => {
    const code = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
      import { openSync } from "node:fs";
      process.on("SIGXFSZ", () => {});
      const fd = openSync(process.argv[2], "w");
      const ctx = new b.AioContext();
      ctx.write(fd, new Uint8Array(8192), 4096).then((n) => console.log("wrote", n), (e) => console.log(e.name, e.code, e.syscall));`;
    const script = `${tmp.aio}/efbig.ts`;
    writeFileSync(script, code);
    const r = Bun.spawnSync(["sh", "-c", `ulimit -f 4 && exec "$0" "$1" "$2"`, process.execPath, script, `${tmp.aio}/big`], {
      env: { ...process.env, BUTTER_HELPERS_PREBUILT: undefined },
    });
    expect(r.stdout.toString().trim(), r.stderr.toString()).toBe("OSError EFBIG write");
  });

  test.skipIf(!direct.dir)(`O_DIRECT on the disk: aligned memory works, misaligned is EINVAL with the reason; RWF_ flags and every opcode on the device ${direct.why ?? ""}`, async () => {
    const path = `${direct.dir}/d`;
    writeFileSync(path, randomBytes(1 << 16));
    const fd = openSync(path, constants.O_RDWR | constants.O_DIRECT);
    await using ctx = new b.AioContext();
    const buf = b.alignedBuffer(8192);
    expect(await ctx.read(fd, buf, 4096)).toBe(8192);
    const ref = Buffer.alloc(8192);
    const plain = openSync(path, "r");
    readSync(plain, ref, 0, 8192, 4096);
    closeSync(plain);
    expect(Buffer.from(buf).equals(ref)).toBe(true);
    buf.fill(7);
    expect(await ctx.write(fd, buf, 0)).toBe(8192);
    const e = await errorOf(ctx.read(fd, new Uint8Array(100), 0));
    expect(e).toMatchObject({ name: "OSError", code: "EINVAL", syscall: "read" });
    expect(e.message).toMatch(/O_DIRECT.*alignedBuffer/);
    const e2 = await errorOf(ctx.read(fd, buf, 100));
    expect(e2.message).toMatch(/not aligned/);
    // per-request flags and every vector opcode on the device
    expect(await ctx.write(fd, buf, 8192, { rwFlags: b.RWF_DSYNC })).toBe(8192);
    expect(await ctx.write(fd, buf, 16384, { rwFlags: b.RWF_SYNC, ioprio: (2 << 13) | 4 })).toBe(8192);
    const halves = [b.alignedBuffer(4096), b.alignedBuffer(4096)];
    expect(await ctx.readv(fd, halves, 8192, { rwFlags: b.RWF_HIPRI })).toBe(8192);
    expect(halves.every((h) => h.every((x) => x === 7))).toBe(true);
    expect(await ctx.writev(fd, halves, 32768)).toBe(8192);
    expect(await ctx.read(fd, buf, 32768, { rwFlags: b.RWF_NOWAIT }).catch((x) => x.code)).toBeOneOf([8192, "EAGAIN"]);
    expect([await ctx.fsync(fd), await ctx.fdsync(fd)]).toEqual([0, 0]);
    closeSync(fd);
  });

  test("alignedBuffer: page-aligned, zeroed, the size asked; bad sizes and alignments are RangeErrors", () => {
    const x = b.alignedBuffer(10);
    expect(x.length).toBe(10);
    expect(x.every((v) => v === 0)).toBe(true);
    expect(ptr(x) % b.pageSize()).toBe(0);
    expect(b.alignedBuffer(100, 512).length).toBe(100);
    expect(() => b.alignedBuffer(0)).toThrow(RangeError);
    expect(() => b.alignedBuffer(10, 3)).toThrow(/power of two/);
    expect(() => b.alignedBuffer(10, 1 << 20)).toThrow(RangeError);
  });
});

describe("cancellation and closing", () => {
  test("abort of a poll in flight: the kernel cancels it and the promise rejects with the reason once it has", async () => {
    using ctx = new b.AioContext();
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const ac = new AbortController();
    const p = ctx.poll(e.fd, 1, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 5));
    expect(ctx.inFlight).toBe(1);
    ac.abort(new Error("enough"));
    expect((await errorOf(p)).message).toBe("enough");
    expect(ctx.inFlight).toBe(0);
  });

  test("abort before the request went out: it is never submitted; an aborted signal rejects at once", async () => {
    const fd = file("abc");
    using ctx = new b.AioContext();
    const ac = new AbortController();
    const p = ctx.read(fd, new Uint8Array(3), 0, { signal: ac.signal });
    ac.abort("stop");
    expect(await errorOf(p)).toBe("stop");
    expect(ctx.submits).toBe(0);
    expect(await errorOf(ctx.read(fd, new Uint8Array(3), 0, { signal: AbortSignal.abort("already") }))).toBe("already");
    closeSync(fd);
  });

  test("abort of a file read the kernel would not cancel: the promise settles with what the kernel did", async () => {
    const fd = file("abcdef");
    using ctx = new b.AioContext();
    const ac = new AbortController();
    const buf = new Uint8Array(6);
    const p = ctx.read(fd, buf, 0, { signal: ac.signal });
    await null; // the batch went out (a microtask queued before this one)
    expect(ctx.submits).toBe(1);
    ac.abort("too late");
    expect(await p).toBe(6);
    expect(Buffer.from(buf).toString()).toBe("abcdef");
    closeSync(fd);
  });

  test("close() with requests in flight and in line: io_destroy waits, each rejects with ECANCELED, and the object says EBADF after", async () => {
    const ctx = new b.AioContext(1);
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const [inKernel, inLine] = await oneOutOneInLine(ctx, e);
    const before = rings();
    ctx.close();
    expect(rings()).toBe(before - 1);
    expect(await errorOf(inKernel)).toMatchObject({ name: "OSError", code: "ECANCELED", syscall: "io_destroy" });
    expect((await errorOf(inLine)).message).toMatch(/before this request was submitted/);
    expect(await errorOf(ctx.read(0, new Uint8Array(1), 0))).toMatchObject({ code: "EBADF" });
    ctx.close();
  });

  test("close() right after a request was made: it never goes to the kernel", async () => {
    const fd = file("abc");
    const ctx = new b.AioContext();
    const p = ctx.read(fd, new Uint8Array(3), 0);
    ctx.close();
    expect((await errorOf(p)).message).toMatch(/before this request was submitted/);
    await null;
    expect(ctx.submits).toBe(0);
    closeSync(fd);
  });

  test("requests in line go when a completion woken by the reactor makes room", async () => {
    using ctx = new b.AioContext(1);
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const [first, second] = await oneOutOneInLine(ctx, e);
    e.write(1);
    expect([(await first) & 1, (await second) & 1]).toEqual([1, 1]);
    expect(ctx.submits).toBe(2);
  });

  test("await using waits for every request, then closes", async () => {
    const fd = file("abc");
    let ctx!: b.AioContext;
    const results: number[] = [];
    {
      await using c = new b.AioContext();
      ctx = c;
      for (let i = 0; i < 3; i++) c.read(fd, new Uint8Array(1), i).then((n) => results.push(n));
    }
    expect(results).toEqual([1, 1, 1]);
    expect(ctx.closed).toBe(true);
    closeSync(fd);
  });
});

describe("threads, listeners, the collector", () => {
  test("contexts dropped without close() are destroyed by the collector: their rings unmapped", async () => {
    const before = rings();
    (() => {
      for (let i = 0; i < 10; i++) new b.AioContext(4);
    })();
    expect(rings()).toBeGreaterThanOrEqual(before + 10);
    for (let i = 0; i < 50 && rings() > before; i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(rings()).toBe(before);
  });

  test("a Worker's contexts are destroyed when it ends, with a request in flight", async () => {
    const before = rings();
    const w = worker(`const ctx = new b.AioContext(4); const e = new b.Eventfd(0, b.EFD_NONBLOCK);
      ctx.poll(e.fd, 1); globalThis.keep = [ctx, e];
      setTimeout(() => postMessage(ctx.inFlight), 5);`);
    expect(await w.message).toBe(1);
    expect(rings()).toBeGreaterThan(before);
    await w.end();
    for (let i = 0; i < 50 && rings() > before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(rings()).toBe(before);
  });

  test("a Worker and the main thread read at once, with process.on listeners installed", async () => {
    const data = randomBytes(1 << 20);
    const fd = file(data, "shared");
    const listener = () => {};
    process.on("SIGWINCH", listener);
    process.on("exit", listener);
    try {
      const w = worker(`const ctx = new b.AioContext(32); const buf = new Uint8Array(${1 << 20});
        const ps = []; for (let i = 0; i < 256; i++) ps.push(ctx.read(${fd}, buf.subarray(i * 4096, (i + 1) * 4096), i * 4096));
        Promise.all(ps).then((r) => { postMessage([r.reduce((a, x) => a + x, 0), Buffer.from(buf).toString("base64").length]); ctx.close(); });`);
      using ctx = new b.AioContext(32);
      const buf = new Uint8Array(1 << 20);
      const here = Promise.all(Array.from({ length: 256 }, (_, i) => ctx.read(fd, buf.subarray(i * 4096, (i + 1) * 4096), i * 4096)));
      const [inWorker, total] = (await Promise.all([w.message, here])) as [number[], number[]];
      expect(inWorker[0]).toBe(1 << 20);
      expect(total.reduce((a, x) => a + x, 0)).toBe(1 << 20);
      expect(Buffer.from(buf).equals(data)).toBe(true);
      await w.end();
    } finally {
      process.off("SIGWINCH", listener);
      process.off("exit", listener);
      closeSync(fd);
    }
  });
});
