// vmsplice(2) from JS memory, and the rule that makes it safe: only butter's own pages
// are taken, and the pages the kernel took are replaced under the view before the call
// returns, so nothing the program does later (writing, dropping the buffer) changes
// what the pipe's reader gets.
import { readFileSync, readSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { thrown } from "../helpers.ts";

function read(fd: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) got += readSync(fd, out, got, n - got, null);
  return out;
}

describe("vmsplice", () => {
  test("what the reader gets is what was there at the call, however the buffer is written after", () => {
    using p = new b.Pipe();
    const buf = b.vmspliceBuffer(10_000);
    buf.fill(0x41);
    expect(p.vmsplice(buf)).toBe(10_000);
    // the bytes handed over read as 0 now; writing them cannot reach the pipe
    expect(buf.every((x) => x === 0)).toBe(true);
    buf.fill(0x42);
    expect(read(p.reader.fd, 10_000).every((x) => x === 0x41)).toBe(true);
  });

  test("a part of a page: the bytes around it on the same pages are kept", () => {
    using p = new b.Pipe();
    const buf = b.vmspliceBuffer(3 * b.pageSize());
    for (let i = 0; i < buf.length; i++) buf[i] = i & 0xff;
    const from = 100;
    const to = 2 * b.pageSize() + 7;
    expect(p.vmsplice(buf.subarray(from, to))).toBe(to - from);
    for (let i = 0; i < buf.length; i++) {
      const want = i >= from && i < to ? 0 : i & 0xff;
      if (buf[i] !== want) throw new Error(`byte ${i} is ${buf[i]}, not ${want}`);
    }
    const got = read(p.reader.fd, to - from);
    expect(got.every((x, k) => x === ((from + k) & 0xff))).toBe(true);
  });

  test("several segments in one call arrive in order", () => {
    using p = new b.Pipe();
    const a = b.vmspliceBuffer(5);
    const c = b.vmspliceBuffer(3);
    a.set([1, 2, 3, 4, 5]);
    c.set([6, 7, 8]);
    expect(p.vmsplice([a.subarray(1), a.subarray(0, 0), c])).toBe(7); // (an empty segment is no bytes)
    expect([...read(p.reader.fd, 7)]).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  test("a partial vmsplice into a full non-blocking pipe keeps the bytes not taken, and says how many were", () => {
    using p = new b.Pipe({ nonblocking: true });
    const size = p.size;
    const buf = b.vmspliceBuffer(size + 10_000);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 7) & 0xff;
    const n = p.vmsplice(buf, b.SPLICE_F_NONBLOCK);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(buf.length);
    for (let i = n; i < buf.length; i++) if (buf[i] !== ((i * 7) & 0xff)) throw new Error(`untaken byte ${i} changed`);
    expect(thrown(() => p.vmsplice(buf.subarray(n), b.SPLICE_F_NONBLOCK))).toMatchObject({ code: "EAGAIN", syscall: "vmsplice" });
    const got = read(p.reader.fd, n);
    expect(got.every((x, i) => x === ((i * 7) & 0xff))).toBe(true);
    // the rest goes in now that there is room
    expect(p.vmsplice(buf.subarray(n))).toBe(buf.length - n);
    const rest = read(p.reader.fd, buf.length - n);
    expect(rest.every((x, i) => x === (((n + i) * 7) & 0xff))).toBe(true);
  });

  test("the buffer dropped to the collector while the pipe holds its pages: the reader still gets the bytes", async () => {
    using p = new b.Pipe({ size: 1 << 20 });
    (() => {
      const buf = b.vmspliceBuffer(1 << 19);
      buf.fill(0x5a);
      p.vmsplice(buf);
    })();
    for (let i = 0; i < 5; i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 5));
      // new memory that could reuse the old addresses, written with something else
      b.vmspliceBuffer(1 << 19).fill(0x11);
    }
    expect(read(p.reader.fd, 1 << 19).every((x) => x === 0x5a)).toBe(true);
  });

  test("memory that is not from vmspliceBuffer is refused, and so is SPLICE_F_GIFT", () => {
    using p = new b.Pipe();
    expect(() => p.vmsplice(new Uint8Array(8))).toThrow(/not memory from vmspliceBuffer/);
    expect(() => p.vmsplice(Buffer.from("abc"))).toThrow(TypeError);
    expect(() => p.vmsplice(b.vmspliceBuffer(8), b.SPLICE_F_GIFT)).toThrow(RangeError);
    expect(() => p.vmsplice([])).toThrow(TypeError);
    expect(() => b.vmspliceBuffer(0)).toThrow(RangeError);
    expect(() => b.vmspliceBuffer(b.MAX_RW_COUNT + 1)).toThrow(RangeError);
    expect(thrown(() => b.vmsplice(0x7ffffff0, b.vmspliceBuffer(1)))).toMatchObject({ code: "EBADF" });
  });

  test("vmspliceBuffer memory is page-aligned, and unmapped when collected", async () => {
    const { ptr } = await import("bun:ffi");
    const SIZE = 64 << 20;
    const mapped = (at: number) =>
      readFileSync("/proc/self/maps", "utf8")
        .split("\n")
        .some((l) => {
          const [lo, hi] = l.split(" ")[0]!.split("-").map((x) => Number.parseInt(x, 16));
          return lo! <= at && at + SIZE <= hi!;
        });
    let at = 0;
    (() => {
      const buf = b.vmspliceBuffer(SIZE);
      at = ptr(buf);
      expect(at % b.pageSize()).toBe(0);
      expect(mapped(at)).toBe(true);
    })();
    for (let i = 0; i < 50 && mapped(at); i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(mapped(at)).toBe(false);
  });
});
