/**
 * The test command (`bun run test`): builds the fault-injection shim and runs the whole
 * suite under it (LD_PRELOAD), with coverage. `--errors` runs only the errno matrix and
 * prints the table of pairs forced per call (`bun run test:errors`). `--privileged` runs
 * only the files whose first line is a `// @privileged: ...` comment, without coverage:
 * what the VM guest runs (`bun run test:vm`). Other arguments go to vitest.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { ROOT } from "./child.ts";
import { buildShim } from "./fiu/build.ts";
import { privilegedFiles } from "./privileged.ts";

const args = process.argv.slice(2);
const errorsOnly = args.includes("--errors");
const privilegedOnly = args.includes("--privileged");
const rest = args.filter((a) => a !== "--errors" && a !== "--privileged");

const shim = buildShim();
const env = { ...process.env };
if ("path" in shim) {
  env.LD_PRELOAD = [shim.path, env.LD_PRELOAD].filter(Boolean).join(":");
  env.BUTTER_FIU_SHIM = shim.path;
} else {
  console.log(`fault injection unavailable: ${shim.reason}; the errno matrix will be skipped`);
}

// vitest under this very Bun (what `bunx --bun vitest` does, without needing bunx).
const vitest = [`${ROOT}/node_modules/vitest/vitest.mjs`, "run", "--pool=threads"];
const argv = errorsOnly
  ? [...vitest, "test/errno-matrix.test.ts", ...rest]
  : privilegedOnly
    ? [...vitest, ...privilegedFiles(), ...rest]
    : [...vitest, "--coverage", ...rest];
const r = spawnSync(process.execPath, argv, { stdio: "inherit", env, cwd: ROOT });

if (errorsOnly) {
  const file = new URL("./build/errno-results.json", import.meta.url);
  if (existsSync(file)) {
    const results: { call: string; forced: boolean }[] = JSON.parse(readFileSync(file, "utf8"));
    const per = new Map<string, [number, number]>();
    for (const { call, forced } of results) {
      const [f, l] = per.get(call) ?? [0, 0];
      per.set(call, [f + (forced ? 1 : 0), l + 1]);
    }
    const w = Math.max(...[...per.keys()].map((k) => k.length));
    console.log(`\n${"call".padEnd(w)}  forced / listed`);
    let tf = 0;
    let tl = 0;
    for (const [call, [f, l]] of [...per].sort()) {
      console.log(`${call.padEnd(w)}  ${String(f).padStart(6)} / ${l}`);
      tf += f;
      tl += l;
    }
    console.log(`${"all".padEnd(w)}  ${String(tf).padStart(6)} / ${tl}`);
  }
}
process.exit(r.status ?? 1);
