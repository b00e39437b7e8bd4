/**
 * The errno matrix: every family's rows (`test/<family>/errno.rows.ts`, in the format of
 * harness/errno-rows.ts), gathered into one list. test/errno-matrix.test.ts forces each
 * row through the libfiu shim (harness/fiu/) and asserts the outcome. Adding a family's
 * rows file is all it takes for them to run.
 */
import { existsSync, readdirSync } from "node:fs";
import { label, type Row, type Scenario } from "./errno-rows.ts";

export { label, UNDOCUMENTED, type Row, type Scenario, type Expect } from "./errno-rows.ts";

const TEST = new URL("../test/", import.meta.url).pathname;

/** The families with rows, `core` first: a thread's reactor starts once, and the rows
 *  that fail its start must run before anything else starts it. */
export const rowFamilies: string[] = readdirSync(TEST)
  .filter((d) => existsSync(`${TEST}${d}/errno.rows.ts`))
  .sort((a, b) => (a === "core" ? -1 : b === "core" ? 1 : a.localeCompare(b)));

export const scenarios: Record<string, Scenario> = {};
export const matrix: Row[] = [];
/** Which family's file each row and scenario came from. */
export const familyOf = new Map<string, string>();

for (const family of rowFamilies) {
  const mod: { scenarios: Record<string, Scenario>; matrix: Row[] } = await import(`${TEST}${family}/errno.rows.ts`);
  for (const [id, s] of Object.entries(mod.scenarios)) {
    if (id in scenarios) throw new Error(`scenario ${id} is defined by ${familyOf.get(id)} and ${family}`);
    scenarios[id] = s;
    familyOf.set(id, family);
  }
  for (const r of mod.matrix) {
    matrix.push(r);
    familyOf.set(label(r), family);
  }
}
