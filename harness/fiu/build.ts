/**
 * Builds the fault-injection shim (harness/fiu/shim.c) with the system C compiler
 * against libfiu, into harness/build/fiu-shim.so, unless the build there was made from
 * the same source and flags (a SHA-256 stamp beside it; mtimes would not do over 9p).
 * The VM guest, which has no compiler and no headers, uses the build the host made.
 * Users never need this: only the error-path tests do.
 * Needs: gcc, and Debian's libfiu-dev (headers and libfiu.so).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);
export const SHIM = here("../build/fiu-shim.so");
const STAMP = `${SHIM}.source`;
const SOURCE = here("shim.c");
const FLAGS = ["-O2", "-fPIC", "-shared", "-DFIU_ENABLE", "-Wall", "-Wextra", "-Werror"];
const LIBS = ["-ldl", "-lfiu", "-lpthread"];

/** The shim's path, or a reason it cannot be built here. */
export function buildShim(): { path: string } | { reason: string } {
  const stamp = createHash("sha256").update(readFileSync(SOURCE)).update(JSON.stringify([FLAGS, LIBS])).digest("hex");
  if (existsSync(SHIM) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === stamp) return { path: SHIM };
  if (!existsSync("/usr/include/fiu.h")) return { reason: "libfiu headers are missing (apt-get install libfiu-dev)" };
  mkdirSync(here("../build"), { recursive: true });
  const r = spawnSync("gcc", [...FLAGS, "-o", SHIM, SOURCE, ...LIBS], { encoding: "utf8" });
  if (r.error) return { reason: `gcc could not run: ${r.error.message}` };
  if (r.status !== 0) throw new Error(`building the fault-injection shim failed:\n${r.stderr}`);
  writeFileSync(STAMP, stamp);
  return { path: SHIM };
}

if (import.meta.main) {
  const r = buildShim();
  console.log("path" in r ? r.path : `not built: ${r.reason}`);
}
