/**
 * Runs a piece of TypeScript in a child Bun process, optionally inside new namespaces
 * (`unshare`), and hands back what it printed. Privileged tests use it so that nothing
 * they do (sethostname, mount, seccomp, signal dispositions) can touch the host or the
 * test runner: a crash or a bad mask dies with the child.
 *
 * The script gets `butter` (this checkout's src/index.ts) imported as `b`, and reports
 * by calling `report(value)`, which prints one JSON line the parent parses.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const MARK = "@@butter-report@@";

export interface ChildOptions {
  /** unshare(1) options, e.g. ["--uts"] or ["--mount", "--fork"]; none: no namespaces */
  unshare?: string[];
  /** a shell snippet run first inside the namespaces (as root), e.g. mounts */
  setup?: string;
  /** a command prefix such as ["setpriv", "--bounding-set=-sys_admin", ...] */
  prefix?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ChildResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** every value the script passed to report(), in order */
  reports: unknown[];
}

/** Whether this process may create the namespaces privileged tests need. */
export function canUnshare(flags: string[] = ["--uts"]): boolean {
  const r = spawnSync("unshare", [...flags, "true"], { stdio: "ignore" });
  return r.status === 0;
}

/**
 * The child's environment. A child that becomes another user (`setpriv --reuid`) cannot
 * use the C coverage run's helpers (their counts are root's to write): it compiles its
 * own, and is left out of the C coverage.
 */
function childEnv(opts: ChildOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  if (opts.prefix?.some((a) => a.startsWith("--reuid"))) delete env.BUTTER_HELPERS_PREBUILT;
  return env;
}

export function runChild(script: string, opts: ChildOptions = {}): ChildResult {
  const dir = mkdtempSync(join(tmpdir(), "butter-child-"));
  chmodSync(dir, 0o755); // readable by a child that drops to another user (setpriv --reuid)
  const file = join(dir, "script.ts");
  writeFileSync(
    file,
    `import * as b from ${JSON.stringify(join(ROOT, "src/index.ts"))};\n` +
      `const report = (v: unknown) => console.log(${JSON.stringify(MARK)} + JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() + "n" : x));\n` +
      `void b; void report;\n${script}\n`,
  );
  try {
    const bun = process.execPath;
    let argv = [...(opts.prefix ?? []), bun, file];
    if (opts.setup !== undefined) argv = ["sh", "-ec", `${opts.setup}\nexec "$@"`, "sh", ...argv];
    if (opts.unshare !== undefined) argv = ["unshare", ...opts.unshare, ...argv];
    const r = spawnSync(argv[0]!, argv.slice(1), {
      encoding: "utf8",
      timeout: opts.timeoutMs ?? 20_000,
      env: childEnv(opts),
    });
    const reports: unknown[] = [];
    for (const line of (r.stdout ?? "").split("\n")) {
      if (line.startsWith(MARK)) reports.push(JSON.parse(line.slice(MARK.length)));
    }
    // (a child that could not start, or was killed at the timeout, says so in stderr)
    const stderr = (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : "");
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr, reports };
  } finally {
    // BUTTER_KEEP_CHILD=1 keeps the script, to run it again by hand (its path goes to stderr)
    if (process.env.BUTTER_KEEP_CHILD) console.error(`child script kept: ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
