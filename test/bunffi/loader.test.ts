// @privileged: a mount namespace hiding libc headers, libc6-dev and every compiler
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { compiledFiles, helpers } from "../../bunffi/load.ts";
import { getpid } from "../../src/process/calls.ts";
import { ROOT, canUnshare, runChild } from "../../harness/child.ts";
import { helperFiles } from "../../harness/c-coverage.ts";

// Every helper file: per thread, and signal.c (shared, once per process).
const HELPER_FILES = helperFiles().sort();

/** The helper files a fresh process compiled, in order, after running `code` (an ES module). */
function compiledBy(code: string): string[] {
  const r = spawnSync(process.execPath, ["-e", `${code}\nconst { compiledFiles } = await import(${JSON.stringify(join(ROOT, "bunffi/load.ts"))});\nconsole.log(JSON.stringify(compiledFiles));`], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

describe("helper loader", () => {
  test("one family's entry point compiles only that family's helpers and core's, at its first use", () => {
    expect(compiledBy(`import { getpid } from "butter/process"; getpid();`)).toEqual(["process.c"]);
    const eventfd = compiledBy(`import { Eventfd } from "butter/eventfd"; new Eventfd().close();`);
    expect(eventfd).toContain("eventfd.c");
    expect(eventfd.filter((f) => ["inotify.c", "fanotify.c", "aio.c", "seccomp.c", "mount.c", "signal.c"].includes(f))).toEqual([]);
  });

  test("the first use compiles every per-thread helper whose module is loaded, together, once", () => {
    // root import: one call compiles all of them (signal.c, shared, and reactor.c, the
    // reactor's fallback, wait for their own use)
    const files = compiledBy(`import { getpid, gethostname } from "butter"; getpid(); gethostname();`);
    expect([...files].sort()).toEqual(HELPER_FILES.filter((f) => f !== "signal.c" && f !== "reactor.c"));
    // the fallback is compiled when it is chosen
    expect(compiledBy(`process.env.BUTTER_REACTOR = "thread"; const { EventfdAsync } = await import("butter/eventfd"); const e = new EventfdAsync(); setTimeout(() => e.write(1), 1); await e.get(); e.close();`)).toContain("reactor.c");
    expect(new Set(files).size).toBe(files.length);
  });

  test("a helper file that cannot be compiled fails alone: the others compile and work", () => {
    const dir = mkdtempSync(join(tmpdir(), "butter-broken-"));
    try {
      writeFileSync(join(dir, "broken.c"), "int bt_broken(void) { return }\n");
      const rel = relative(join(ROOT, "bunffi"), join(dir, "broken.c"));
      const files = compiledBy(`
        import { helpers } from ${JSON.stringify(join(ROOT, "bunffi/load.ts"))};
        import { getpid } from "butter/process";
        const broken = helpers(${JSON.stringify(rel)}, { bt_broken: { args: [], returns: "i32" } });
        if (getpid() !== process.pid) throw new Error("getpid");
        let failed = false;
        try { broken(); } catch { failed = true; }
        if (!failed) throw new Error("the broken helper compiled");
      `);
      expect(files).toEqual(["process.c"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a helper that cannot be compiled because its file cannot be opened: the system's own error, not the compiler's", () => {
    const missing = helpers("no-such-helper.c", { f: { args: [], returns: "i32" } });
    expect(() => missing()).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  test("a helper that does not compile: the compiler's own message", () => {
    const dir = mkdtempSync(join(tmpdir(), "butter-broken-"));
    try {
      writeFileSync(join(dir, "broken.c"), "int f(void) { return }\n");
      const rel = relative(join(ROOT, "bunffi"), join(dir, "broken.c"));
      const broken = helpers(rel, { f: { args: [], returns: "i32" } });
      expect(() => broken()).toThrow(/compil|error/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("compiles a helper file once per thread, on first use", () => {
    getpid();
    getpid();
    expect(compiledFiles.filter((f) => f === "process.c")).toEqual(["process.c"]);
  });

  test("a helper that does not compile fails loudly at first use", () => {
    const get = helpers("no-such-helper.c", { f: { args: [], returns: "i32" } });
    expect(() => get()).toThrow(/no-such-helper\.c/);
  });

  test("each helper file declares what it uses: no system #include", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../../bunffi/", import.meta.url).pathname;
    // only butter's own headers, which sit beside the helpers in bunffi/
    const own = new Set(readdirSync(dir).filter((n) => n.endsWith(".h")).map((h) => `#include "${h}"`));
    expect(own.has('#include "butter.h"')).toBe(true);
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".c") || n.endsWith(".h"))) {
      const includes = readFileSync(dir + f, "utf8").match(/^#include\s+\S+/gm) ?? [];
      expect(includes.every((i) => own.has(i)), `${f}: ${includes}`).toBe(true);
    }
  });

  test.skipIf(!canUnshare(["--mount"]))(
    "works with no libc headers, no libc6-dev and no C compiler (mount namespace; needs CAP_SYS_ADMIN)",
    () => {
      // Inside: /usr/include is an empty tmpfs, every compiler driver is /dev/null, and
      // libc6-dev's libc.so linker script and libc.a are whited out of every library
      // directory TinyCC searches (an overlay over each one that holds them): what a slim
      // container or butter's test VM has.
      const hide = ["cc", "gcc", "c99", "tcc", "clang", "x86_64-linux-gnu-gcc", "gcc-12", "x86_64-linux-gnu-gcc-12", "cpp"]
        .map((c) => `/usr/bin/${c}`)
        .filter(existsSync);
      const libDirs = ["/usr/lib", "/usr/local/lib", `/usr/lib/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`]
        .filter((d) => existsSync(`${d}/libc.so`) || existsSync(`${d}/libc.a`));
      const scratch = mkdtempSync(join(tmpdir(), "butter-nolibc-"));
      // a second copy of the library in a path with a space: TinyCC's -L flags are quoted
      const spaced = join(mkdtempSync(join(tmpdir(), "butter-spaced-")), "a b");
      for (const d of ["src", "bunffi"]) cpSync(join(ROOT, d), join(spaced, d), { recursive: true });
      const setup = [
        existsSync("/usr/include") ? "mount -t tmpfs none /usr/include" : "",
        ...hide.map((p) => `mount --bind /dev/null ${p}`),
        `mount -t tmpfs none ${scratch}`,
        ...libDirs.flatMap((d, i) => [
          `mkdir -p ${scratch}/${i}/up ${scratch}/${i}/work`,
          `mknod ${scratch}/${i}/up/libc.so c 0 0`,
          `mknod ${scratch}/${i}/up/libc.a c 0 0`,
          `mount -t overlay overlay -o lowerdir=${d},upperdir=${scratch}/${i}/up,workdir=${scratch}/${i}/work ${d}`,
        ]),
      ].join("\n");
      let r;
      try {
        r = runChild(
        `
        const fs = require("fs");
        const { spawnSync } = require("child_process");
        const libDirs = ${JSON.stringify(libDirs)};
        report({
          headers: fs.existsSync("/usr/include") ? fs.readdirSync("/usr/include").length : 0,
          cc: spawnSync("cc", ["--version"]).status,
          libcDev: libDirs.filter((d) => fs.existsSync(d + "/libc.so") || fs.existsSync(d + "/libc.a")),
        });
        // every family, so that every helper file is compiled here (the reactor's
        // fallback too: reactor_aio.c is compiled with the rest at the first use)
        process.env.BUTTER_REACTOR = "thread";
        const e = new b.EventfdAsync(); setTimeout(() => e.write(3), 10); report(String(await e.get())); e.close();
        const t = new b.Timerfd(b.CLOCK_MONOTONIC, b.TFD_NONBLOCK).after(0); await Bun.sleep(2); report(String(t.read())); t.close();
        report(b.getpid() === process.pid && b.gethostname().length > 0 && b.sigpending().size >= 0);
        new b.Inotify().close();
        const spaced = await import(${JSON.stringify(`${spaced}/src/index.ts`)});
        report(spaced.getpid() === process.pid);
        const { compiledFiles } = await import(${JSON.stringify(new URL("../../bunffi/load.ts", import.meta.url).pathname)});
        report(compiledFiles.sort());
        `,
        { unshare: ["--mount"], setup },
      );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
        rmSync(join(spaced, ".."), { recursive: true, force: true });
      }
      expect(r.stderr).toBe("");
      expect(r.reports[0]).toMatchObject({ headers: 0, libcDev: [] });
      expect((r.reports[0] as { cc: number | null }).cc).not.toBe(0);
      expect(r.reports.slice(1)).toEqual([
        "3",
        "1",
        true,
        true,
        // the root import loads every family: its first use compiles every helper file
        HELPER_FILES,
      ]);
    },
  );
});
