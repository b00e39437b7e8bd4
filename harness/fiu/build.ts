/**
 * Builds the fault-injection shim (harness/fiu/shim.c) with the system C compiler
 * against libfiu, into harness/build/fiu-shim.so, when the source is newer than the
 * build. Users never need this: only the error-path tests do.
 * Needs: gcc, and Debian's libfiu-dev (headers and libfiu.so).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);
export const SHIM = here("../build/fiu-shim.so");
const SOURCE = here("shim.c");

/** The shim's path, or a reason it cannot be built here. */
export function buildShim(): { path: string } | { reason: string } {
  if (!existsSync("/usr/include/fiu.h")) return { reason: "libfiu headers are missing (apt-get install libfiu-dev)" };
  if (existsSync(SHIM) && statSync(SHIM).mtimeMs >= statSync(SOURCE).mtimeMs) return { path: SHIM };
  mkdirSync(here("../build"), { recursive: true });
  const r = spawnSync("gcc", ["-O2", "-fPIC", "-shared", "-DFIU_ENABLE", "-Wall", "-Wextra", "-Werror", "-o", SHIM, SOURCE, "-ldl", "-lfiu", "-lpthread"], {
    encoding: "utf8",
  });
  if (r.error) return { reason: `gcc could not run: ${r.error.message}` };
  if (r.status !== 0) throw new Error(`building the fault-injection shim failed:\n${r.stderr}`);
  return { path: SHIM };
}

if (import.meta.main) {
  const r = buildShim();
  console.log("path" in r ? r.path : `not built: ${r.reason}`);
}
