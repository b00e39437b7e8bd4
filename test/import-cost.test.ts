// What importing butter costs the process, beyond loading its code: nothing there may
// make JSC compile a function. Its baseline JIT compiles a function called a few dozen
// times (concurrently, but on this 2-core machine it still took about 1 ms from every
// import when 110 call declarations each called one function: docs/benchmarks.md,
// start-up). Counted, not timed: JSC reports each compile when asked to.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, test } from "vitest";

const src = resolve(import.meta.dirname, "../src");

function compilesDuring(code: string): string[] {
  const r = spawnSync("bun", ["-e", code], {
    env: { ...process.env, BUN_JSC_reportCompileTimes: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.startsWith("Optimized "));
}

test("JSC's report lists a compile when there is one (the check below can fail)", () => {
  // a function called 200 times is taken by the baseline JIT; the wait lets the
  // concurrent compile finish and report before the process ends
  const hot = compilesDuring("function f(x) { return { x }; } for (let i = 0; i < 200; i++) f(i); await Bun.sleep(1000);");
  expect(hot.some((l) => l.startsWith("Optimized f#"))).toBe(true);
});

test("importing all of butter compiles no function", () => {
  expect(compilesDuring(`await import(${JSON.stringify(`${src}/index.ts`)}); await Bun.sleep(1000);`)).toEqual([]);
});
