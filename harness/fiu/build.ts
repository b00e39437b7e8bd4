/**
 * Builds the fault-injection shim (harness/fiu/shim.c) with the system C compiler
 * against libfiu, into harness/build/fiu-shim.so (harness/build/fiu-shim.arm64.so for
 * the aarch64 guest: Debian's cross compiler, against the guest's own arm64 libfiu
 * that vm/build.sh unpacked), unless the build there was made from the same source and
 * flags (a SHA-256 stamp beside it; mtimes would not do over 9p). The VM guests, which
 * have no compiler and no headers, use the build the host made: the guest's own
 * architecture picks its file. Users never need this: only the error-path tests do.
 * Needs: gcc, Debian's libfiu-dev (headers and libfiu.so), and for arm64
 * gcc-aarch64-linux-gnu.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ARCHES } from "../arches.ts";

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);
/** The shim of an architecture (Node's names: x64, arm64). */
export const shimPath = (arch: string = process.arch) => here(arch === "x64" ? "../build/fiu-shim.so" : `../build/fiu-shim.${arch}.so`);
const SOURCE = here("shim.c");
const FLAGS = ["-O2", "-fPIC", "-shared", "-DFIU_ENABLE", "-Wall", "-Wextra", "-Werror"];
/**
 * The shim's path for an architecture (Node's name; default: this process's), or why it
 * cannot be built here. Another architecture's is built with its cross compiler
 * (harness/arches.ts) against `libfiu`, the guest's own (vm/build.sh unpacks it).
 */
export function buildShim(arch: string = process.arch, libfiu?: string): { path: string } | { reason: string } {
  const shim = shimPath(arch);
  const stamp = `${shim}.source`;
  const cross = arch !== process.arch;
  const target = Object.values(ARCHES).find((a) => a.node === arch);
  if (cross && (process.arch !== "x64" || target === undefined)) return { reason: `no cross compiler for ${arch} from ${process.arch}` };
  const [cc, libs] = cross ? [target!.cc, ["-ldl", libfiu ?? "", "-lpthread"]] : ["gcc", ["-ldl", "-lfiu", "-lpthread"]];
  // (what the shim is made of, the same whoever builds it: the guest checks the host's build)
  const want = createHash("sha256").update(readFileSync(SOURCE)).update(JSON.stringify([arch, FLAGS])).digest("hex");
  if (existsSync(shim) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return { path: shim };
  if (!existsSync("/usr/include/fiu.h")) return { reason: "libfiu headers are missing (apt-get install libfiu-dev)" };
  if (cross && (libfiu === undefined || !existsSync(libfiu))) return { reason: `the ${arch} guest's libfiu is missing (bun run test:vm builds the guest and the shim)` };
  mkdirSync(here("../build"), { recursive: true });
  // (the cross compiler finds libfiu's header, which is the same on every architecture,
  // in this machine's /usr/include)
  const r = spawnSync(cc, [...FLAGS, ...(cross ? ["-idirafter", "/usr/include"] : []), "-o", shim, SOURCE, ...libs], { encoding: "utf8" });
  if (r.error) return { reason: `${cc} could not run: ${r.error.message}${cross ? " (vm/provision.sh --vm-host installs the cross compilers)" : ""}` };
  if (r.status !== 0) throw new Error(`building the fault-injection shim failed:\n${r.stderr}`);
  writeFileSync(stamp, want);
  return { path: shim };
}

if (import.meta.main) {
  const r = buildShim(process.argv[2], process.argv[3]);
  console.log("path" in r ? r.path : `not built: ${r.reason}`);
}
