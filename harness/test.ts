/**
 * The test command (`bun run test`): builds the fault-injection shim and runs the whole
 * suite under it (LD_PRELOAD), with coverage. `--errors` runs only the errno matrix and
 * prints the table of pairs forced per call (`bun run test:errors`). `--privileged` runs
 * only the files whose first line is a `// @privileged: ...` comment, without coverage:
 * what the x86-64 VM guests run (`bun run test:vm`). `--guest` runs every file but those
 * of test/host-only.json, without coverage: what the aarch64 guest runs. `--c-coverage`
 * runs the suite against the helpers built by gcc --coverage and reports and enforces
 * the C coverage of bunffi/ (`bun run test:c`, harness/c-coverage.ts). Other arguments
 * go to vitest.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { account } from "./errno-account.ts";
import { buildCoverageHelpers, DIR, reportCoverage } from "./c-coverage.ts";
import { label, matrix } from "./errno-matrix.ts";
import { loadPages } from "./errno-pages.ts";
import { ROOT } from "./child.ts";
import { buildShim } from "./fiu/build.ts";
import { privilegedFiles } from "./privileged.ts";

const args = process.argv.slice(2);
const errorsOnly = args.includes("--errors");
const privilegedOnly = args.includes("--privileged");
// the aarch64 guest: every file, without coverage (V8's coverage is the host run's job)
const guest = args.includes("--guest");
const cCoverage = args.includes("--c-coverage");
const rest = args.filter((a) => a !== "--errors" && a !== "--privileged" && a !== "--c-coverage" && a !== "--guest");

const RESULTS = new URL("./build/errno-results.json", import.meta.url);
const shim = buildShim();
if (errorsOnly && !("path" in shim)) {
  console.error(`test:errors: the errno matrix needs the fault-injection shim, which cannot be built here: ${shim.reason}`);
  process.exit(1);
}
// a table from an earlier run must never be printed as this run's
if (errorsOnly) rmSync(RESULTS, { force: true });
const env = { ...process.env };
if ("path" in shim) {
  env.LD_PRELOAD = [shim.path, env.LD_PRELOAD].filter(Boolean).join(":");
  env.BUTTER_FIU_SHIM = shim.path;
} else {
  console.log(`fault injection unavailable: ${shim.reason}; the errno matrix will be skipped`);
}

if (cCoverage) {
  const why = buildCoverageHelpers();
  if (why !== undefined) {
    console.error(`test:c: ${why}`);
    process.exit(1);
  }
  env.BUTTER_HELPERS_PREBUILT = DIR;
}

// vitest under this very Bun (what `bunx --bun vitest` does, without needing bunx).
const vitest = [`${ROOT}/node_modules/vitest/vitest.mjs`, "run", "--pool=threads"];
function vitestArgs(): string[] {
  if (errorsOnly) return [...vitest, "test/errno-matrix.test.ts", ...rest];
  if (privilegedOnly) return [...vitest, ...privilegedFiles(), ...rest];
  if (guest) return [...vitest, ...hostOnlyExcludes(), ...rest];
  // the TinyCC loader's own tests are about compiling, which this run does not do
  if (cCoverage) return [...vitest, "--exclude", "test/bunffi/loader.test.ts", ...rest];
  return [...vitest, "--coverage", ...rest];
}
const argv = vitestArgs();
const SKIPPED = new URL("./build/skipped.json", import.meta.url);
rmSync(SKIPPED, { force: true });
// A test stuck in native code (a deadlock, say) is beyond vitest's per-test timeouts: the
// run is stopped after WATCHDOG_MIN minutes (the whole host suite takes about 6 here), so
// that CI fails saying so instead of waiting out its own limit. (In the VM guests, whose
// emulated run takes up to half an hour, the VM's timeout does this.)
const WATCHDOG_MIN = Number(process.env.BUTTER_TEST_WATCHDOG_MIN ?? 30);
const watchdog = guest || privilegedOnly ? undefined : WATCHDOG_MIN * 60_000;
const r = spawnSync(process.execPath, argv, { stdio: "inherit", env, cwd: ROOT, timeout: watchdog, killSignal: "SIGKILL" });
// (spawnSync's timeout: error ETIMEDOUT; any other failure to run keeps its status below)
if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
  console.error(`\ntest: the suite did not end within ${WATCHDOG_MIN} minutes and was stopped: a test is stuck where vitest's timeouts cannot reach (native code). The files above without a result were still running.`);
  process.exit(1);
}
// In CI (CI=true) and in the VM, a skipped test must be an expected one.
if (process.env.CI === "true" && !unexpectedSkipsOk()) process.exit(1);

if (cCoverage && !reportCoverage()) process.exit(1);
if (errorsOnly) {
  const ok = printErrnoAccount();
  if (!ok && r.status === 0) process.exit(1);
}
process.exit(r.status ?? 1);

/**
 * The aarch64 guest runs every file but those of test/host-only.json (file -> why it runs
 * on the host only), each said here: vitest's --exclude for each.
 */
function hostOnlyExcludes(): string[] {
  const files: Record<string, string> = JSON.parse(readFileSync(new URL("../test/host-only.json", import.meta.url), "utf8"));
  console.log(`the guest suite: every test file but ${Object.keys(files).length} that run on the host only (test/host-only.json):`);
  for (const [f, why] of Object.entries(files)) console.log(`  ${f}: ${why}`);
  return Object.keys(files).flatMap((f) => ["--exclude", f]);
}

/**
 * Compares the run's skipped tests (harness/build/skipped.json, written by the summary
 * reporter) with test/expected-skips.json (test -> why it may skip). False, after saying
 * which, when a test skipped that is not listed there.
 */
function unexpectedSkipsOk(): boolean {
  if (!existsSync(SKIPPED)) return true; // the run did not get as far as a summary: its status says why
  const expected: Record<string, string> = JSON.parse(readFileSync(new URL("../test/expected-skips.json", import.meta.url), "utf8"));
  const skipped: { test: string; note: string }[] = JSON.parse(readFileSync(SKIPPED, "utf8"));
  const unexpected = skipped.filter((x) => expected[x.test] === undefined);
  if (unexpected.length === 0) return true;
  console.error(`\n${unexpected.length} test(s) skipped that test/expected-skips.json does not list (CI fails on a skip it does not expect):`);
  for (const x of unexpected) console.error(`  ${x.test}${x.note ? ` (${x.note})` : ""}`);
  return false;
}

/**
 * Per call of harness/errno-pages.json: the errnos its man page lists, how many a row
 * forced in this run, how many the file marks impossible (with a reason), and how many
 * are missing (must be 0). False when something is missing or the run left no results.
 */
function printErrnoAccount(): boolean {
  if (!existsSync(RESULTS)) {
    console.error("test:errors: the matrix wrote no results (it did not run)");
    return false;
  }
  const results: { row: string; forced: boolean }[] = JSON.parse(readFileSync(RESULTS, "utf8"));
  const passed = new Set(results.filter((x) => x.forced).map((x) => x.row));
  const acc = account(matrix, loadPages(), (row) => passed.has(label(row)));
  const w = Math.max(...acc.map((a) => a.call.length), 4);
  console.log(`\n${"call".padEnd(w)}  listed  forced  impossible  missing   (man page)`);
  const t = [0, 0, 0, 0];
  for (const a of acc) {
    const n = [a.listed.length, a.forced.length, a.impossible.length, a.missing.length];
    n.forEach((x, i) => (t[i]! += x));
    const miss = a.missing.length ? `  ${a.missing.join(" ")}` : "";
    console.log(`${a.call.padEnd(w)}  ${String(n[0]).padStart(6)}  ${String(n[1]).padStart(6)}  ${String(n[2]).padStart(10)}  ${String(n[3]).padStart(7)}   ${a.page}${miss}`);
  }
  console.log(`${"all".padEnd(w)}  ${String(t[0]).padStart(6)}  ${String(t[1]).padStart(6)}  ${String(t[2]).padStart(10)}  ${String(t[3]).padStart(7)}`);
  const extra = matrix.filter((x) => passed.has(label(x))).length - t[1]!;
  console.log(`(and ${extra} more rows forced beyond the pages: an errno no page lists for the call, short transfers, recoveries, butter's own)`);
  console.log("impossible: harness/errno-pages.json says why, pair by pair. missing must be 0.");
  return t[3] === 0;
}
