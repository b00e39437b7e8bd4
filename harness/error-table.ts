/**
 * Prints the error table of docs/errors.md from every wrapped call (harness/calls.ts):
 * for each call, every errno its man page documents and the class it becomes.
 * `bun harness/error-table.ts` prints it; test/docs.test.ts checks docs/errors.md has it.
 */
import { classFor, documentedErrnos } from "../src/core/errors.ts";
import { calls } from "./calls.ts";
import { ERRNO_NAMES } from "../src/core/errno.ts";

export function errorTable(): string {
  const lines = [
    "| call | documented errno → class (any other errno: `UnknownError`; EPERM/EACCES: `PermissionError`; EFAULT: `InternalError`) |",
    "| --- | --- |",
  ];
  const ids = [...calls.keys()].sort();
  for (const id of ids) {
    const spec = calls.get(id)!;
    const cells = [...documentedErrnos(spec)]
      .sort((a, b) => a - b)
      .map((n) => `${ERRNO_NAMES[n]} → ${classFor(n, spec).name}`);
    lines.push(`| \`${id}\` | ${cells.length ? cells.join(", ") : "none (always succeeds)"} |`);
  }
  return lines.join("\n");
}

if (import.meta.main) console.log(errorTable());
