// splice(2), tee(2), pipe2, the pipe size, FIONREAD, copy_file_range(2) and sendfile(2),
// 1:1: real conditions (EINVAL between two files, ESPIPE, EAGAIN, EPIPE) and arguments.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, readSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { fdFlags, tempDirs, thrown } from "../helpers.ts";

const tmp = tempDirs("files");

/** A pipe from pipe2, closed at the end of its scope (an end set to -1 was closed already). */
function pipe(flags?: number) {
  const [r, w] = b.pipe2(flags);
  const o = {
    r,
    w,
    [Symbol.dispose]() {
      if (o.r >= 0) closeSync(o.r);
      if (o.w >= 0) closeSync(o.w);
    },
  };
  return o;
}

function file(name: string, content: string | Uint8Array, mode = "r+"): number {
  writeFileSync(`${tmp.files}/${name}`, content);
  return openSync(`${tmp.files}/${name}`, mode);
}

function readAll(fd: number, n: number): string {
  const buf = Buffer.alloc(n);
  const got = readSync(fd, buf);
  return buf.subarray(0, got).toString();
}

describe("splice", () => {
  test("file to pipe: an offset object is moved on by the kernel; the file position is not", () => {
    using p = pipe();
    const f = file("a", "0123456789");
    try {
      const off = { offset: 2n };
      expect(b.splice(f, off, p.w, null, 5)).toBe(5);
      expect(off.offset).toBe(7n);
      expect(readAll(p.r, 5)).toBe("23456");
      // a plain number is a start position, and the fd's position is untouched (still 0)
      expect(b.splice(f, 8, p.w, null, 100)).toBe(2);
      expect(readAll(p.r, 10)).toBe("89");
      expect(b.splice(f, null, p.w, null, 3)).toBe(3);
      expect(readAll(p.r, 10)).toBe("012");
    } finally {
      closeSync(f);
    }
  });

  test("pipe to file at an offset, and 0 at the end of the input", () => {
    using p = pipe();
    const f = file("b", "..........");
    try {
      writeSync(p.w, "abc");
      const off = { offset: 4n };
      expect(b.splice(p.r, null, f, off, 100)).toBe(3);
      expect(off.offset).toBe(7n);
      expect(readFileSync(`${tmp.files}/b`, "utf8")).toBe("....abc...");
      closeSync(p.w);
      p.w = -1;
      expect(b.splice(p.r, null, f, null, 100)).toBe(0);
    } finally {
      closeSync(f);
    }
  });

  test("real errors: EINVAL between two files, ESPIPE for a pipe's offset, EAGAIN on an empty pipe", () => {
    using p = pipe();
    const f = file("c", "x");
    const g = file("d", "");
    try {
      expect(thrown(() => b.splice(f, null, g, null, 1))).toMatchObject({ name: "OSError", code: "EINVAL", syscall: "splice" });
      expect(thrown(() => b.splice(p.r, 0, g, null, 1))).toMatchObject({ code: "ESPIPE", syscall: "splice" });
      expect(thrown(() => b.splice(p.r, null, g, null, 1, b.SPLICE_F_NONBLOCK))).toMatchObject({ code: "EAGAIN" });
      expect(thrown(() => b.splice(p.r, null, p.w, null, 1))).toMatchObject({ code: "EINVAL" }); // the same pipe
    } finally {
      closeSync(f);
      closeSync(g);
    }
  });

  test("EPIPE when the reader is gone: an OSError, and the process lives (Bun ignores SIGPIPE)", () => {
    const [r, w] = b.pipe2();
    const f = file("e", "data");
    closeSync(r);
    try {
      const ignored = BigInt(`0x${/SigIgn:\s+(\w+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]}`);
      expect((ignored >> 12n) & 1n).toBe(1n); // SIGPIPE (13)
      expect(thrown(() => b.splice(f, null, w, null, 4))).toMatchObject({ name: "OSError", code: "EPIPE" });
    } finally {
      closeSync(w);
      closeSync(f);
    }
  });

  test("arguments: bad fds, lengths, offsets and flags are builtin errors before any call", () => {
    expect(() => b.splice(-1, null, 1, null, 1)).toThrow(RangeError);
    expect(() => b.splice(0, null, 1, null, -1)).toThrow(RangeError);
    expect(() => b.splice(0, null, 1, null, 1.5)).toThrow(RangeError);
    expect(() => b.splice(0, -1n, 1, null, 1)).toThrow(/offIn/);
    expect(() => b.splice(0, { offset: -1n }, 1, null, 1)).toThrow(/offIn.offset/);
    expect(() => b.splice(0, null, 1, { offset: "1" as never }, 1)).toThrow(TypeError);
    expect(() => b.splice(0, null, 1, null, 1, 0x100)).toThrow(/unknown bits/);
    expect(() => b.tee(0, 1, 1, 0x100)).toThrow(/unknown bits/);
  });

  test("a length above MAX_RW_COUNT is taken as MAX_RW_COUNT, as the kernel would", () => {
    using p = pipe();
    const f = file("big", "abc");
    try {
      expect(b.splice(f, 0, p.w, null, Number.MAX_SAFE_INTEGER)).toBe(3);
    } finally {
      closeSync(f);
    }
  });
});

describe("tee", () => {
  test("copies without consuming; EINVAL for a file; 0 at the end", () => {
    using a = pipe();
    using c = pipe();
    writeSync(a.w, "hello");
    expect(b.tee(a.r, c.w, 100)).toBe(5);
    expect(b.fionread(a.r)).toBe(5);
    expect(readAll(c.r, 10)).toBe("hello");
    expect(readAll(a.r, 10)).toBe("hello");
    const f = file("t", "");
    try {
      expect(thrown(() => b.tee(a.r, f, 1))).toMatchObject({ name: "OSError", code: "EINVAL", syscall: "tee" });
    } finally {
      closeSync(f);
    }
    expect(thrown(() => b.tee(a.r, c.w, 1, b.SPLICE_F_NONBLOCK))).toMatchObject({ code: "EAGAIN" });
    closeSync(a.w);
    a.w = -1;
    expect(b.tee(a.r, c.w, 1)).toBe(0);
  });
});

describe("pipes", () => {
  test("pipe2: close-on-exec by default, the flags asked for otherwise", () => {
    {
      using p = pipe();
      expect(fdFlags(p.r) & b.O_CLOEXEC).toBe(b.O_CLOEXEC);
      expect(fdFlags(p.w) & b.O_NONBLOCK).toBe(0);
    }
    using q = pipe(b.O_NONBLOCK);
    expect(fdFlags(q.r) & b.O_CLOEXEC).toBe(0);
    expect(fdFlags(q.w) & b.O_NONBLOCK).toBe(b.O_NONBLOCK);
    expect(() => b.pipe2(0o1)).toThrow(RangeError);
  });

  test("sizes: read, set, rounded up to pages; pipeMaxSize is /proc/sys/fs/pipe-max-size", () => {
    using p = pipe();
    expect(b.getPipeSize(p.r)).toBe(65536);
    expect(b.setPipeSize(p.w, 100_000)).toBe(131072);
    expect(b.getPipeSize(p.r)).toBe(131072);
    expect(b.pipeMaxSize()).toBe(Number(readFileSync("/proc/sys/fs/pipe-max-size", "utf8")));
    writeSync(p.w, Buffer.alloc(70_000));
    expect(thrown(() => b.setPipeSize(p.w, 4096))).toMatchObject({ code: "EBUSY" });
    const f = file("np", "");
    try {
      expect(thrown(() => b.getPipeSize(f))).toMatchObject({ code: "EBADF", syscall: "fcntl" });
    } finally {
      closeSync(f);
    }
  });

  test("above pipe-max-size without CAP_SYS_RESOURCE: PermissionError naming the limit (in a child as nobody)", () => {
    const max = b.pipeMaxSize();
    const script = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
      const [r] = b.pipe2();
      try { b.setPipeSize(r, ${max * 2}); console.log("set"); } catch (e) { console.log(e.name, e.code, e.message); }`;
    // (the child compiles its own helpers: the C coverage run's prebuilt ones are root's)
    const env = { ...process.env };
    delete env.BUTTER_HELPERS_PREBUILT;
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { encoding: "utf8", env });
    if (r.error) throw r.error;
    expect(r.stdout).toContain(`PermissionError EPERM`);
    expect(r.stdout).toContain(`pipe-max-size (${max})`);
  });

  test("fionread counts what waits; EINVAL or ENOTTY for a file that cannot say", () => {
    using p = pipe();
    expect(b.fionread(p.r)).toBe(0);
    writeSync(p.w, "12345");
    expect(b.fionread(p.r)).toBe(5);
    const dir = openSync(tmp.files, "r");
    try {
      expect(thrown(() => b.fionread(dir)).code).toMatch(/ENOTTY|EINVAL/);
    } finally {
      closeSync(dir);
    }
  });
});

describe("copy_file_range and sendfile", () => {
  test("copyFileRange copies between files at offsets, and EINVAL for a pipe", () => {
    const src = file("src", "abcdefgh");
    const dst = file("dst", "");
    using p = pipe();
    try {
      const oi = { offset: 2n };
      const oo = { offset: 1n };
      expect(b.copyFileRange(src, oi, dst, oo, 4)).toBe(4);
      expect([oi.offset, oo.offset]).toEqual([6n, 5n]);
      expect(readFileSync(`${tmp.files}/dst`, "utf8")).toBe("\0cdef");
      expect(thrown(() => b.copyFileRange(src, null, p.w, null, 1)).code).toMatch(/EINVAL|EBADF/);
      expect(() => b.copyFileRange(src, null, dst, null, 1, 1)).toThrow(RangeError);
    } finally {
      closeSync(src);
      closeSync(dst);
    }
  });

  test("sendfile copies a file into a pipe from an offset, leaving the position; ESPIPE for a pipe's offset", () => {
    const src = file("s", "0123456789");
    using p = pipe();
    using q = pipe();
    try {
      const off = { offset: 3n };
      expect(b.sendfile(p.w, src, off, 4)).toBe(4);
      expect(off.offset).toBe(7n);
      expect(readAll(p.r, 10)).toBe("3456");
      expect(b.sendfile(p.w, src, null, 2)).toBe(2);
      expect(readAll(p.r, 10)).toBe("01");
      writeSync(q.w, "x");
      expect(thrown(() => b.sendfile(p.w, q.r, 0, 1)).code).toMatch(/ESPIPE|EINVAL/);
    } finally {
      closeSync(src);
    }
  });
});
