/**
 * Runs one row of the errno matrix, named by its label, in this fresh process: for rows
 * whose failure is in something butter makes once per process (harness/errno-rows.ts,
 * `once: "process"`). Started by harness/fiu/rows.ts with the shim preloaded; prints
 * "row passed" and exits 0, or prints the failure and exits 1.
 */
import { markHelperCalls, unavailable } from "./control.ts";
import { label, matrix } from "../errno-matrix.ts";
import { runRow } from "./rows.ts";

markHelperCalls();
const wanted = process.argv[2];
const row = matrix.find((r) => label(r) === wanted);
if (unavailable !== undefined) {
  console.log(`cannot run: ${unavailable}`);
  process.exit(1);
}
if (row === undefined) {
  console.log(`no row ${JSON.stringify(wanted)}`);
  process.exit(1);
}
try {
  await runRow({ ...row, once: undefined });
  console.log("row passed");
  process.exit(0);
} catch (e) {
  console.log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
}
