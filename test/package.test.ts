// What a user gets from `bun add butter`: the packed tarball, installed into a new
// project, imported by name. Checks that `files` ships everything (the C helpers too)
// and that the exports map resolves.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { ROOT } from "../harness/child.ts";

const dir = mkdtempSync(join(tmpdir(), "butter-consumer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test("a project that depends on the packed package imports and uses it", () => {
  const pack = run(["pm", "pack", "--destination", dir, "--quiet"], ROOT);
  expect(pack.status, pack.out).toBe(0);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  const app = join(dir, "app");
  spawnSync("mkdir", [app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const add = run(["add", join(dir, tgz)], app);
  expect(add.status, add.out).toBe(0);
  // nothing but butter: it has no runtime dependencies and runs no install script
  expect(readdirSync(join(app, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["butter"]);
  writeFileSync(
    join(app, "main.ts"),
    `import { EventfdAsync, Timerfd, getpid, gethostname, OSError } from "butter";
     import { Eventfd } from "butter/eventfd";
     import { OSError as CoreOSError } from "butter/core";
     const e = new EventfdAsync();
     setTimeout(() => e.write(2), 5);
     const v = await e.get();
     e.close();
     const t = new Timerfd().after(1);
     const n = t.read();
     t.close();
     let caught = "";
     try { new Timerfd(4242); } catch (err) { caught = err instanceof OSError ? err.code : "wrong class"; }
     const one = new Eventfd(); one.write(5n); const r = String(one.read()); one.close();
     console.log(JSON.stringify({ v: String(v), n: String(n), pid: getpid() === process.pid, host: gethostname().length > 0, caught, one: r, sameClass: CoreOSError === OSError }));`,
  );
  const main = run(["main.ts"], app);
  expect(main.status, main.out).toBe(0);
  expect(JSON.parse(main.out.trim())).toEqual({ v: "2", n: "1", pid: true, host: true, caught: "EINVAL", one: "5", sameClass: true });
}, 120_000); // (22 s in the aarch64 guest under emulation on a slow host: packing, installing, two runs)
