/**
 * The public API, described and documented by tools made for the job:
 * - API Extractor writes docs/api/butter.api.md, the checked-in report of every exported
 *   name with its kind and signature, from declarations that tsc emits for src/;
 * - TypeDoc builds the HTML reference (docs/api/reference/, not checked in) from the
 *   TSDoc comments, and fails on any warning: an undocumented export among them.
 *
 *   bun harness/api.ts            update the report and build the reference (`bun run api`)
 *   bun harness/api.ts --check    fail if the report is not what the code says, or if
 *                                 anything warns (CI, and test/api.test.ts)
 *   --report-only                 skip the reference (the test: TypeDoc takes seconds)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { Extractor, ExtractorConfig, type ExtractorMessage } from "@microsoft/api-extractor";

const ROOT = new URL("..", import.meta.url).pathname;
const here = (p: string) => `${ROOT}harness/api/${p}`;

export interface ApiResult {
  ok: boolean;
  /** what went wrong, one line each */
  problems: string[];
}

/** Emits declarations, then checks (or updates) the report. */
export function apiReport(check: boolean): ApiResult {
  const problems: string[] = [];
  rmSync(`${ROOT}harness/build/api/dts`, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", here("tsconfig.json")], { encoding: "utf8" });
  if (tsc.status !== 0) return { ok: false, problems: [`tsc could not emit declarations:\n${tsc.stdout}${tsc.stderr}`] };

  const config = ExtractorConfig.loadFileAndPrepare(here("api-extractor.json"));
  const result = Extractor.invoke(config, {
    localBuild: !check,
    messageCallback(m: ExtractorMessage) {
      m.handled = true;
      if (m.logLevel === "none" || m.logLevel === "verbose") return;
      if (m.messageId.startsWith("console-api-report-") && m.messageId !== "console-api-report-unchanged") {
        if (check) problems.push("docs/api/butter.api.md is not what the code exports: run `bun run api` and commit the report");
        else console.log("docs/api/butter.api.md updated");
        return;
      }
      if (m.logLevel === "info") return;
      const where = m.sourceFilePath ? `${m.sourceFilePath.replace(ROOT, "")}:${m.sourceFileLine}: ` : "";
      problems.push(`${where}(${m.messageId}) ${m.text}`);
    },
  });
  if (!result.succeeded && problems.length === 0) problems.push("API Extractor failed");
  return { ok: problems.length === 0, problems };
}

/** Builds the HTML reference; every warning is an error. */
export function apiReference(): ApiResult {
  const r = spawnSync(process.execPath, [`${ROOT}node_modules/typedoc/bin/typedoc`, "--options", here("typedoc.json")], {
    encoding: "utf8",
    cwd: ROOT,
  });
  const out = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  const problems = out.split("\n").filter((l) => /\[(warning|error)\]/.test(l));
  if (r.status !== 0 && problems.length === 0) problems.push(`typedoc exited with ${r.status}:\n${out}`);
  return { ok: problems.length === 0, problems };
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const results = [apiReport(check)];
  if (!process.argv.includes("--report-only")) results.push(apiReference());
  const problems = results.flatMap((r) => r.problems);
  for (const p of problems) console.error(p);
  if (problems.length === 0) console.log("api: the report matches the code, and every export is documented");
  process.exit(problems.length === 0 ? 0 : 1);
}
