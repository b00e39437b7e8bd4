/**
 * Fills the docs' generated blocks: the error table of docs/errors.md (from the code)
 * and, given `--bench FILE` (the output of `bun run bench`), the figures of
 * docs/benchmarks.md. test/docs.test.ts checks that they are in step.
 *   bun harness/docs-blocks.ts [--bench FILE]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorTable } from "./error-table.ts";

const doc = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
export const ERRORS_DOC = doc("errors.md");
export const BENCH_DOC = doc("benchmarks.md");

/** `text` with the block between `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced. */
export function fill(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`no ${name} block`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

/** The body of a block as it stands. */
export function block(text: string, name: string): string {
  const start = `<!-- ${name}:start -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(`<!-- ${name}:end -->`);
  return text.slice(i + start.length, j).trim();
}

if (import.meta.main) {
  writeFileSync(ERRORS_DOC, fill(readFileSync(ERRORS_DOC, "utf8"), "error-table", errorTable()));
  const b = process.argv.indexOf("--bench");
  if (b > 0) {
    const figures = "```\n" + readFileSync(process.argv[b + 1]!, "utf8").trim() + "\n```";
    writeFileSync(BENCH_DOC, fill(readFileSync(BENCH_DOC, "utf8"), "bench", figures));
  }
}
