// Linux AIO 1:1: io_setup/io_destroy, io_submit of every opcode against real files,
// partial submits, io_getevents and io_pgetevents, io_cancel, the request's fields, and
// the hold on a submitted request's memory.
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { toArrayBuffer, type Pointer } from "bun:ffi";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { tempDirs, thrown } from "../helpers.ts";

const tmp = tempDirs("aio");
const rings = () => readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => l.includes("/[aio]")).length;
const text = (x: Uint8Array) => new TextDecoder().decode(x);
const DATA = "butter reads and writes, in the kernel's time";

function file(data: string | Uint8Array = DATA): { fd: number; path: string; [Symbol.dispose](): void } {
  const path = `${tmp.aio}/f`;
  writeFileSync(path, data);
  const fd = openSync(path, "r+");
  return { fd, path, [Symbol.dispose]: () => closeSync(fd) };
}

function context(n = 16): { ctx: bigint; [Symbol.dispose](): void } {
  const ctx = b.ioSetup(n);
  return { ctx, [Symbol.dispose]: () => b.ioDestroy(ctx) };
}

describe("io_setup and io_destroy", () => {
  test("a context is a ring mapped into the process until io_destroy; a second destroy is EINVAL", () => {
    const before = rings();
    const ctx = b.ioSetup(4);
    expect(typeof ctx).toBe("bigint");
    expect(ctx).not.toBe(0n);
    expect(rings()).toBe(before + 1);
    b.ioDestroy(ctx);
    expect(rings()).toBe(before);
    const e = thrown(() => b.ioDestroy(ctx));
    expect(e).toBeInstanceOf(b.OSError);
    expect(e).toMatchObject({ code: "EINVAL", syscall: "io_destroy" });
  });

  test("more than aio-max-nr at once is EAGAIN, and the message gives the system's figures", () => {
    const max = Number(readFileSync("/proc/sys/fs/aio-max-nr", "utf8"));
    const e = thrown(() => b.ioSetup(max + 1));
    expect(e).toBeInstanceOf(b.OSError);
    expect(e).toMatchObject({ code: "EAGAIN", syscall: "io_setup" });
    expect(e.message).toContain(`allows ${max} requests`);
  });

  test("bad arguments are RangeErrors and TypeErrors, before the kernel", () => {
    expect(() => b.ioSetup(0)).toThrow(RangeError);
    expect(() => b.ioSetup(1.5)).toThrow(RangeError);
    expect(() => b.ioSetup("4" as never)).toThrow(TypeError);
    expect(() => b.ioDestroy(-1n)).toThrow(RangeError);
    expect(() => b.ioGetevents(1n, 2, 1)).toThrow(RangeError);
    expect(() => b.ioGetevents(1n, 0, 1, -5)).toThrow(RangeError);
    expect(() => b.ioGetevents(1n, 0, 1, Number.NaN)).toThrow(RangeError);
    expect(() => b.ioSubmit(1n, [{}] as never)).toThrow(TypeError);
  });
});

describe("every opcode, against a real file", () => {
  test("PREAD and PWRITE: the bytes, at the offset; the data tag and the request come back", () => {
    using f = file();
    using c = context();
    const buf = new Uint8Array(5);
    const rd = new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: buf, offset: 7, data: 0xffff_ffff_ffff_ffffn });
    expect(b.ioSubmit(c.ctx, [rd])).toBe(1);
    const [ev] = b.ioGetevents(c.ctx, 1, 8, 5000);
    expect(ev).toMatchObject({ data: 0xffff_ffff_ffff_ffffn, res: 5, res2: 0 });
    expect(ev!.iocb).toBe(rd);
    expect(text(buf)).toBe(DATA.slice(7, 12));
    const wr = new b.Iocb({ opcode: b.IOCB_CMD_PWRITE, fd: f.fd, buffer: new TextEncoder().encode("BUTTER"), offset: 0n });
    b.ioSubmit(c.ctx, [wr]);
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(6);
    expect(readFileSync(f.path, "utf8")).toBe(`BUTTER${DATA.slice(6)}`);
  });

  test("PREADV and PWRITEV: scatter and gather, in order", () => {
    using f = file();
    using c = context();
    const parts = [new Uint8Array(3), new Uint8Array(0), new Uint8Array(4)];
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_PREADV, fd: f.fd, buffers: parts, offset: 0 })]);
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(7);
    expect(parts.map(text)).toEqual(["but", "", "ter "]);
    const out = ["ab", "cd", "ef"].map((s) => new TextEncoder().encode(s));
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_PWRITEV, fd: f.fd, buffers: out, offset: 2 })]);
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(6);
    expect(readFileSync(f.path, "utf8").slice(0, 9)).toBe("buabcdefe");
  });

  test("FSYNC and FDSYNC complete with 0; NOOP is refused by the kernel (EINVAL at submit)", () => {
    using f = file();
    using c = context();
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_FSYNC, fd: f.fd, data: 1n }), new b.Iocb({ opcode: b.IOCB_CMD_FDSYNC, fd: f.fd, data: 2n })]);
    const evs = b.ioGetevents(c.ctx, 2, 2, 5000).sort((x, y) => Number(x.data - y.data));
    expect(evs.map((e) => [e.data, e.res])).toEqual([[1n, 0], [2n, 0]]);
    expect(thrown(() => b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_NOOP, fd: f.fd })]))).toMatchObject({ code: "EINVAL" });
  });

  test("POLL: completes with the events once they happen; RESFD rings an eventfd", () => {
    using c = context();
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    using bell = new b.Eventfd(0, b.EFD_NONBLOCK);
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_POLL, fd: e.fd, events: 1, resfd: bell.fd })]);
    expect(b.ioGetevents(c.ctx, 0, 1, 0)).toEqual([]);
    expect(() => bell.read()).toThrow(/EAGAIN/);
    e.write(1);
    const [ev] = b.ioGetevents(c.ctx, 1, 1, 5000);
    expect(ev!.res & 1).toBe(1);
    expect(bell.read()).toBe(1n);
  });

  test("the request's fields: rwFlags (RWF_APPEND writes at the end), an I/O priority", () => {
    using f = file("abc");
    using c = context();
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_PWRITE, fd: f.fd, buffer: new TextEncoder().encode("XY"), offset: 0, rwFlags: b.RWF_APPEND })]);
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(2);
    expect(readFileSync(f.path, "utf8")).toBe("abcXY");
    const buf = new Uint8Array(3);
    const best = (2 << 13) | 4; // IOPRIO_CLASS_BE, level 4
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: buf, flags: b.IOCB_FLAG_IOPRIO, reqprio: best })]);
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(3);
    expect(text(buf)).toBe("abc");
  });

  test("bad fields are TypeErrors and RangeErrors, in words", () => {
    expect(() => new b.Iocb({ opcode: 4, fd: 0 })).toThrow(/not an IOCB_CMD_/);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: 0 })).toThrow(/buffer is required/);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: 0, buffer: [1, 2] as never })).toThrow(TypeError);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREADV, fd: 0, buffers: [] })).toThrow(/1 to 1024/);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: -1, buffer: new Uint8Array(1) })).toThrow(RangeError);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: 0, buffer: new Uint8Array(1), offset: -1 })).toThrow(RangeError);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: 0, buffer: new Uint8Array(1), rwFlags: 0x8000 })).toThrow(/unknown bits/);
    expect(() => new b.Iocb({ opcode: b.IOCB_CMD_POLL, fd: 0, events: 0x10000 })).toThrow(RangeError);
    expect(() => new b.Iocb(null as never)).toThrow(TypeError);
  });
});

describe("io_submit takes what it can", () => {
  test("a partial submit is the count: the request it stopped at is not taken, and submitting from it says why", () => {
    using f = file();
    using c = context();
    const good = () => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: new Uint8Array(4) });
    const bad = new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: 0x7ffffff0, buffer: new Uint8Array(4) });
    const after = good();
    expect(b.ioSubmit(c.ctx, [good(), bad, after])).toBe(1);
    expect(thrown(() => b.ioSubmit(c.ctx, [bad, after]))).toMatchObject({ code: "EBADF", syscall: "io_submit" });
    expect(b.ioSubmit(c.ctx, [])).toBe(0);
    expect(b.ioGetevents(c.ctx, 1, 8, 5000).length).toBe(1);
  });

  test("a submitted request holds its memory until its completion is reaped, with nothing else referring to it", async () => {
    const data = randomBytes(1 << 16);
    using f = file(data);
    using c = context();
    const N = 64;
    (() => {
      const list = Array.from({ length: N }, (_, i) => new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: new Uint8Array(1024), offset: i * 1024, data: BigInt(i) }));
      expect(b.ioSubmit(c.ctx, list)).toBe(N);
    })();
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      // memory freed and allocated again would now hold other bytes
      for (let j = 0; j < 200; j++) new Uint8Array(1024).fill(0xee);
      await new Promise((r) => setTimeout(r, 1));
    }
    const evs = b.ioGetevents(c.ctx, N, N, 5000);
    expect(evs.length).toBe(N);
    for (const ev of evs) {
      const i = Number(ev.data);
      expect(ev.res).toBe(1024);
      expect(Buffer.from(readBack(ev.iocb!)).equals(data.subarray(i * 1024, (i + 1) * 1024))).toBe(true);
    }
  });
});

// What is at the address and length the request gave the kernel (aio_buf, aio_nbytes of
// the packed iocb): the memory the request held, which nothing else refers to.
function readBack(iocb: b.Iocb): Uint8Array {
  const view = new DataView(iocb.bytes.buffer);
  const addr = Number(view.getBigUint64(24, true));
  const len = Number(view.getBigUint64(32, true));
  return new Uint8Array(toArrayBuffer(addr as Pointer, 0, len)).slice();
}

describe("io_getevents, io_pgetevents, io_cancel", () => {
  test("a timeout returns what there is (nothing), minNr waits for that many", () => {
    using c = context();
    const t0 = performance.now();
    expect(b.ioGetevents(c.ctx, 1, 4, 30)).toEqual([]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(b.ioGetevents(c.ctx, 0, 4, 0)).toEqual([]);
  });

  test("io_pgetevents: the same, with a signal mask while it waits, or none", () => {
    using f = file();
    using c = context();
    const buf = new Uint8Array(3);
    b.ioSubmit(c.ctx, [new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: buf })]);
    expect(b.ioPgetevents(c.ctx, 1, 4, 5000, b.maskOf(["SIGUSR1", "SIGUSR2"])).map((e) => e.res)).toEqual([3]);
    expect(b.ioPgetevents(c.ctx, 0, 4, 0, null)).toEqual([]);
    expect(() => b.ioPgetevents(c.ctx, 0, 4, 0, -1n)).toThrow(RangeError);
  });

  test("io_cancel: a poll is cancelled (its completion still comes, once); a file read cannot be (EINVAL)", () => {
    using f = file();
    using c = context();
    using e = new b.Eventfd(0, b.EFD_NONBLOCK);
    const poll = new b.Iocb({ opcode: b.IOCB_CMD_POLL, fd: e.fd, events: 1, data: 9n });
    b.ioSubmit(c.ctx, [poll]);
    expect(b.ioCancel(c.ctx, poll)).toBe(true);
    const evs = b.ioGetevents(c.ctx, 1, 4, 5000);
    expect(evs.map((x) => [x.data, x.iocb === poll])).toEqual([[9n, true]]);
    const rd = new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: new Uint8Array(3) });
    b.ioSubmit(c.ctx, [rd]);
    expect(thrown(() => b.ioCancel(c.ctx, rd))).toMatchObject({ code: "EINVAL", syscall: "io_cancel" });
    expect(b.ioGetevents(c.ctx, 1, 1)[0]!.res).toBe(3);
    expect(() => b.ioCancel(c.ctx, {} as never)).toThrow(TypeError);
  });
});

test("a file read through the 1:1 calls matches pread, byte for byte, for a thousand random ranges", () => {
  const data = randomBytes(1 << 20);
  using f = file(data);
  using c = context(256);
  let left = 1000;
  const want = new Map<bigint, [number, Uint8Array]>();
  while (left > 0) {
    const batch = Array.from({ length: Math.min(left, 200) }, (_, k) => {
      const off = Math.floor(Math.random() * (data.length - 4096));
      const len = 1 + Math.floor(Math.random() * 4096);
      const tag = BigInt(left - k);
      const buf = new Uint8Array(len);
      want.set(tag, [off, buf]);
      return new b.Iocb({ opcode: b.IOCB_CMD_PREAD, fd: f.fd, buffer: buf, offset: off, data: tag });
    });
    expect(b.ioSubmit(c.ctx, batch)).toBe(batch.length);
    let got = 0;
    while (got < batch.length) got += b.ioGetevents(c.ctx, 1, 256, 5000).length;
    left -= batch.length;
  }
  for (const [off, buf] of want.values()) {
    const ref = Buffer.alloc(buf.length);
    readSync(f.fd, ref, 0, buf.length, off);
    expect(Buffer.from(buf).equals(ref)).toBe(true);
  }
});
