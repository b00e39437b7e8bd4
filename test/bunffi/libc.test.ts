// bunffi/libc.ts: the loader's calls into the C library, and src/core/proc.ts on them.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { closeFd, findFdLinkingTo, flock, memfdCreate, openRead, readAll, writeAll } from "../../bunffi/libc.ts";
import { readProcFile } from "../../src/core/proc.ts";
import { thrown } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "butter-libc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the loader's C library calls", () => {
  test("readAll reads a whole file, past one 64 KiB chunk, from its start", () => {
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    writeFileSync(join(dir, "big"), big);
    expect(readAll(join(dir, "big"))).toEqual(big);
    // by fd: from offset 0 whatever the fd's position, which stays
    const fd = openSync(join(dir, "big"), "r");
    try {
      expect(readAll(fd)).toEqual(big);
      expect(readAll(fd)).toEqual(big);
    } finally {
      closeSync(fd);
    }
    expect(readAll("/proc/self/maps")!.toString("latin1")).toMatch(/libc\.so\.6/);
  });

  test("a failure is undefined, not a throw: the caller asks node:fs for the error", () => {
    expect(readAll(join(dir, "missing"))).toBeUndefined();
    expect(openRead(join(dir, "missing"))).toBeUndefined();
    expect(readAll(-1)).toBeUndefined();
  });

  test("a memfd written whole is found by its /proc/self/fd link, and read back", () => {
    const name = `butter-libc-test-${process.pid}-${Math.random()}`;
    const fd = memfdCreate(name, 1)!;
    expect(fd).toBeGreaterThan(2);
    try {
      expect(writeAll(fd, Buffer.from("{\"a\":1}"))).toBe(true);
      expect(findFdLinkingTo(`/memfd:${name} (deleted)`)).toBe(fd);
      expect(readAll(fd)!.toString()).toBe("{\"a\":1}");
      expect(flock(fd, 2)).toBe(true); // LOCK_EX
      expect(flock(fd, 8)).toBe(true); // LOCK_UN
    } finally {
      expect(closeFd(fd)).toBe(true);
    }
    expect(findFdLinkingTo(`/memfd:${name} (deleted)`)).toBeNull();
    // (not on the closed number: another test file of this process may hold it by now)
    expect(writeAll(-1, Buffer.from("x"))).toBe(false);
    expect(flock(-1, 2)).toBe(false);
  });
});

describe("readProcFile", () => {
  test("reads what node:fs reads", () => {
    expect(readProcFile("/proc/sys/kernel/osrelease").toString()).toBe(readFileSync("/proc/sys/kernel/osrelease", "latin1"));
  });
  test("a failure throws node:fs's own error, with its code and path", () => {
    const e = thrown(() => readProcFile("/proc/self/no-such-file")) as NodeJS.ErrnoException;
    expect(e.code).toBe("ENOENT");
    expect(e.path).toBe("/proc/self/no-such-file");
  });
});
