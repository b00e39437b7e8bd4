/**
 * Fills the README's generated blocks: the error table (from the code) and, given
 * `--bench FILE` (the output of `bun run bench`), the benchmark figures.
 *   bun harness/readme.ts [--bench FILE]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorTable } from "./error-table.ts";

export const README = fileURLToPath(new URL("../README.md", import.meta.url));

/** `text` with the block between `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced. */
export function fill(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${name} block`);
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
  let text = fill(readFileSync(README, "utf8"), "error-table", errorTable());
  const b = process.argv.indexOf("--bench");
  if (b > 0) text = fill(text, "bench", "```\n" + readFileSync(process.argv[b + 1]!, "utf8").trim() + "\n```");
  writeFileSync(README, text);
}
