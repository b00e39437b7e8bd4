// harness/calls.ts: how the errno matrix and the error table find every wrapped call.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { calls, collectCalls, libraryModules } from "../../harness/calls.ts";
import { CHILD_STEP } from "../../src/seccomp/calls.ts";
import { TIMERFD_READ } from "../../src/timerfd/calls.ts";

const src = resolve(import.meta.dirname, "../../src");
const dir = mkdtempSync(join(tmpdir(), "butter-calls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("every wrapped call", () => {
  test("is found in the library's module graph, and only there", () => {
    const modules = libraryModules();
    expect(modules).toContain(join(src, "process/calls.ts"));
    expect(modules).toContain(join(src, "core/errors.ts"));
    // a program the builder runs by path, not a module of the library: importing it would run it
    expect(modules).not.toContain(join(src, "mount/new-root-child.ts"));
  });

  test("is found among a module's exports, and inside an exported array", () => {
    expect(calls.get("timerfd/read")).toBe(TIMERFD_READ);
    expect(calls.get("getpid")?.syscall).toBe("getpid");
    for (const step of CHILD_STEP.slice(1)) expect(calls.get(`seccomp-child/${step!.syscall}`)).toBe(step);
    expect(calls.size).toBeGreaterThan(100);
  });

  test("two declarations of one id, or a misspelt errno name, are refused", async () => {
    writeFileSync(join(dir, "a.ts"), `export const A = { syscall: "read", family: "x", errnos: ["EIO"] };\n`);
    writeFileSync(join(dir, "b.ts"), `export const B = [undefined, { syscall: "read", family: "x", errnos: ["EIO"] }];\n`);
    writeFileSync(join(dir, "c.ts"), `export const C = { syscall: "write", errnos: ["EIOO"] };\n`);
    writeFileSync(join(dir, "d.ts"), `import { A } from "./a.ts";\nexport { A };\nexport const D = A;\n`);
    await expect(collectCalls([join(dir, "a.ts"), join(dir, "b.ts")])).rejects.toThrow("call x/read declared twice");
    await expect(collectCalls([join(dir, "c.ts")])).rejects.toThrow("unknown errno name EIOO");
    // one object reached twice is one declaration
    expect([...(await collectCalls([join(dir, "a.ts"), join(dir, "d.ts")])).keys()]).toEqual(["x/read"]);
  });
});
