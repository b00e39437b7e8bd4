/**
 * Which test files are the privileged suite: those whose first line is a
 * `// @privileged: <what they need>` comment. They run in the host suite (as root, in new
 * namespaces in child processes) and again in the VM guest on another kernel
 * (`bun harness/test.ts --privileged`, started by `bun run test:vm`).
 */
import { readFileSync, readdirSync } from "node:fs";
import { ROOT } from "./child.ts";

export const PRIVILEGED_MARK = "// @privileged:";

export function privilegedFiles(): string[] {
  return (readdirSync(`${ROOT}/test`, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".test.ts"))
    .filter((f) => readFileSync(`${ROOT}/test/${f}`, "utf8").startsWith(PRIVILEGED_MARK))
    .map((f) => `test/${f}`)
    .sort();
}
