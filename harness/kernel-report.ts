/**
 * What each kernel of the test matrix offers, as butter sees it: a report per kernel
 * (harness/build/kernels/<release>.json), written by test/harness/kernel-report.test.ts
 * wherever the privileged suite runs (the host, and each VM guest: the checkout is shared
 * with the guest), and the table of docs/kernels.md made from those reports.
 *
 *   bun run test:vm -- --kernel all   (and the host suite) write the reports
 *   bun harness/kernel-report.ts      fills the table of docs/kernels.md from them
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fill } from "./docs-blocks.ts";
import { versionOf } from "../src/core/features.ts";

export const REPORTS = fileURLToPath(new URL("./build/kernels/", import.meta.url));
export const KERNELS_DOC = fileURLToPath(new URL("../docs/kernels.md", import.meta.url));

/** One kernel's report: a feature name -> what was found ("yes", "no", or a word). */
export interface KernelReport {
  release: string;
  arch: string;
  features: Record<string, string>;
}

export function writeReport(r: KernelReport): void {
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(`${REPORTS}${r.release}.json`, `${JSON.stringify(r, null, 1)}\n`);
}

export function readReports(): KernelReport[] {
  if (!existsSync(REPORTS)) return [];
  const version = (r: KernelReport) => versionOf(r.release);
  return readdirSync(REPORTS)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(`${REPORTS}${f}`, "utf8")) as KernelReport)
    .sort((a, b) => {
      const [x, y] = [version(a), version(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
}

/** The markdown table: a row per feature, a column per kernel (and architecture). */
export function table(reports: KernelReport[]): string {
  const features = [...new Set(reports.flatMap((r) => Object.keys(r.features)))];
  const head = `| feature | ${reports.map((r) => `${r.release} (${r.arch})`).join(" | ")} |`;
  const rule = `| --- | ${reports.map(() => "---").join(" | ")} |`;
  const rows = features.map((f) => `| ${f} | ${reports.map((r) => r.features[f] ?? "not tested").join(" | ")} |`);
  return [head, rule, ...rows].join("\n");
}

if (import.meta.main) {
  const reports = readReports();
  if (reports.length === 0) {
    console.error("kernel-report: no reports in harness/build/kernels/ (run bun run test and bun run test:vm -- --kernel all first)");
    process.exit(1);
  }
  writeFileSync(KERNELS_DOC, fill(readFileSync(KERNELS_DOC, "utf8"), "kernels", table(reports)));
  console.log(`kernel-report: docs/kernels.md from ${reports.map((r) => r.release).join(", ")}`);
}
