/**
 * C coverage of the helpers (bunffi/*.c): `bun run test:c` builds each helper with gcc
 * --coverage into a shared object (harness/build/ccov/<name>.so), runs the whole suite
 * and the errno matrix against them (bunffi/load.ts opens them instead of compiling
 * with TinyCC: BUTTER_HELPERS_PREBUILT), then reports line and branch coverage per file
 * with gcovr and enforces the floors below, per file. Child processes the tests start
 * inherit the setting, so what they run counts too (those that end normally: gcov
 * writes its counts at exit).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { ROOT } from "./child.ts";

export const DIR = `${ROOT}/harness/build/ccov`;
/** The floors, per file: lines and branches, in percent. */
export const FLOORS = { lines: 95, branches: 90 };
/**
 * Files held under the branch floor for now (a ratchet: raise these, never lower them).
 * None today: every file is at 90% or more (measured 2026-11-29: signal.c 90.5%, the
 * lowest; the last five came up as the shim learnt to fail malloc and realloc and the
 * tests reached the paths of threads that cannot answer, full buffers and pid namespaces).
 */
export const BRANCH_FLOOR_FOR_NOW: Record<string, number> = {};

/**
 * The helper files of bunffi/. symbols.c is not one: it is the TinyCC loader's glue,
 * compiled beside each helper to hand over its symbols' addresses (bunffi/bind.ts); the
 * coverage run dlopens gcc's builds and finds their symbols by name.
 */
export function helperFiles(): string[] {
  return readdirSync(`${ROOT}/bunffi`).filter((x) => x.endsWith(".c") && x !== "symbols.c");
}

/** Builds every helper for coverage; a reason string when it cannot. */
export function buildCoverageHelpers(): string | undefined {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  for (const f of helperFiles()) {
    const name = f.replace(/\.c$/, "");
    // -w: the helpers declare what they use themselves (no libc headers), as TinyCC
    // needs; gcc would warn where its builtins' declarations differ.
    const r = spawnSync(
      "gcc",
      ["-shared", "-fPIC", "-O0", "--coverage", "-fprofile-update=atomic", "-w", "-o", `${DIR}/${name}.so`, `${ROOT}/bunffi/${f}`, `${ROOT}/harness/ccov-dump.c`],
      { cwd: DIR, encoding: "utf8" },
    );
    if (r.error) return `gcc could not run: ${r.error.message}`;
    if (r.status !== 0) return `gcc failed on ${f}: ${r.stderr}`;
  }
  return undefined;
}

interface FileCoverage {
  file: string;
  lines: number;
  branches: number;
}

/** gcovr's per-file summary of bunffi/, printed; false when a file is under a floor. */
export function reportCoverage(): boolean {
  const r = spawnSync(
    "gcovr",
    ["--root", ROOT, "--object-directory", DIR, "--filter", `${ROOT}/bunffi/`, "--json-summary-pretty", "--json-summary", `${DIR}/summary.json`, "--txt", "-"],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (r.error || r.status !== 0) {
    console.error(`test:c: gcovr failed: ${r.error?.message ?? r.stderr}`);
    return false;
  }
  process.stdout.write(r.stdout);
  const summary = JSON.parse(readFileSync(`${DIR}/summary.json`, "utf8")) as {
    files: { filename: string; line_percent: number; branch_percent: number }[];
  };
  const files: FileCoverage[] = summary.files.map((f) => ({ file: f.filename, lines: f.line_percent, branches: f.branch_percent }));
  const helpers = helperFiles();
  let ok = true;
  console.log(`\nC coverage per file (floors: lines ${FLOORS.lines}%, branches ${FLOORS.branches}%):`);
  for (const h of helpers) {
    const f = files.find((x) => x.file.endsWith(`bunffi/${h}`));
    const branchFloor = BRANCH_FLOOR_FOR_NOW[h] ?? FLOORS.branches;
    const under = !f || f.lines < FLOORS.lines || f.branches < branchFloor;
    if (under) ok = false;
    const note = BRANCH_FLOOR_FOR_NOW[h] !== undefined ? `  (branch floor ${branchFloor}% for now)` : "";
    console.log(`  ${h.padEnd(14)} lines ${f ? f.lines.toFixed(1).padStart(5) : "  n/a"}%  branches ${f ? f.branches.toFixed(1).padStart(5) : "  n/a"}%${under ? "  UNDER THE FLOOR" : note}`);
  }
  return ok;
}
