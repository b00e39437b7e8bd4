// @privileged: the new-root builder (a child in a new mount namespace, pivot_root, execve) as root, and refused without CAP_SYS_ADMIN
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { canUnshare, runChild } from "../../harness/child.ts";
import { mainThreadMounts } from "../../harness/own-namespaces.ts";
import { tempDirs, thrown } from "../helpers.ts";

const root = canUnshare(["--mount"]);
// what a shell and its libraries need, as this machine (or the VM guest) lays them out
const SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib64"].filter((p) => existsSync(p));

describe("arguments are checked before anything starts", () => {
  test.each([
    ["no program", () => b.spawnInNewRoot([])],
    ["argv that is no array", () => b.spawnInNewRoot("sh" as never)],
    ["a NUL in argv", () => b.spawnInNewRoot(["sh\0"])],
    ["a relative bind target", () => b.spawnInNewRoot(["sh"], { binds: [{ src: "/usr", dst: "usr" }] })],
    ["a NUL in the environment", () => b.spawnInNewRoot(["sh"], { env: { A: "x\0y" } })],
  ])("%s: TypeError", (_w, fn) => {
    expect(fn).toThrow(TypeError);
  });
  test("a host name over 64 bytes: RangeError", () => {
    expect(() => b.spawnInNewRoot(["sh"], { hostname: "h".repeat(65) })).toThrow(RangeError);
  });
});

describe.skipIf(!root)(`a program in a new root (${root ? "root" : "needs CAP_SYS_ADMIN for a mount namespace"})`, () => {
  const dirs = tempDirs("share");

  test("sees only the new root: its binds read-only unless asked, /proc, /dev, /tmp, its host name; the host sees nothing of it", async () => {
    const hostBefore = mainThreadMounts();
    writeFileSync(`${dirs.share}/from-host`, "hello\n");
    const script = [
      "ls /",
      "echo ---",
      "cat /share/from-host",
      "echo written > /share/from-inside",
      "touch /usr/butter-x 2>/dev/null || echo usr-read-only",
      "echo tmp > /tmp/t && cat /tmp/t",
      "test -c /dev/null && echo dev-null",
      "hostname",
      "test -e /proc/self/mountinfo && echo proc",
      `test -e ${dirs.share} || echo host-path-absent`,
    ].join("; ");
    const r = await b.runInNewRoot(["sh", "-c", script], {
      binds: [...SYSTEM, { src: dirs.share, dst: "/share", writable: true }],
      hostname: "in-the-root",
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const [top, rest] = r.stdout.split("---\n");
    expect(top!.trim().split("\n").sort()).toEqual([...SYSTEM.map((p) => p.slice(1)), "dev", "proc", "share", "tmp"].sort());
    expect(rest!.trim().split("\n")).toEqual(["hello", "usr-read-only", "tmp", "dev-null", "in-the-root", "proc", "host-path-absent"]);
    expect(readFileSync(`${dirs.share}/from-inside`, "utf8")).toBe("written\n");
    expect(mainThreadMounts()).toEqual(hostBefore);
  });

  test("runs Bun itself inside (bun -e), which lists the new root", async () => {
    const bun = realpathSync(process.execPath);
    const r = await b.runInNewRoot([bun, "-e", "console.log(JSON.stringify(require('fs').readdirSync('/').sort()))"], {
      binds: [...SYSTEM, dirname(bun)],
      tmp: false,
    });
    expect(r.stderr).toBe("");
    const expected = new Set([...SYSTEM.map((p) => p.slice(1)), "dev", "proc", dirname(bun).split("/")[1]!]);
    expect(JSON.parse(r.stdout)).toEqual([...expected].sort());
  });

  test("the exit code and a signal's are the program's; spawnInNewRoot hands over the process", async () => {
    const p = b.spawnInNewRoot(["sh", "-c", "exit 7"], { binds: SYSTEM, stdout: "ignore", stderr: "ignore" });
    await p.ready;
    expect(await p.exited).toBe(7);
    const q = b.spawnInNewRoot(["sh", "-c", "kill -TERM $$"], { binds: SYSTEM, proc: false, dev: false, tmp: false });
    await q.ready;
    expect(await q.exited).toBe(143);
    expect(q.process.signalCode).toBe("SIGTERM");
  });

  test("a setup failure rejects with the step and the errno: a missing bind source, a program not in the root", async () => {
    const e = await b.runInNewRoot(["sh"], { binds: ["/nonexistent-butter"] }).catch((x) => x);
    expect([e.constructor.name, e.code, e.syscall, e.path]).toEqual(["OSError", "ENOENT", "open", "/nonexistent-butter"]);
    expect(e.message).toContain('step "open the bind sources"');
    const f = await b.runInNewRoot(["no-such-program"], { binds: SYSTEM }).catch((x) => x);
    expect([f.constructor.name, f.code, f.syscall]).toEqual(["OSError", "ENOENT", "execve"]);
    expect(f.message).toContain("not found on the PATH of the new root");
  });

  test("without CAP_SYS_ADMIN: PermissionError EPERM from unshare, before anything is mounted", () => {
    const r = runChild(
      `
      try { await b.runInNewRoot(["sh", "-c", "true"], { binds: ["/usr"] }); report("ran"); }
      catch (e) { report({ cls: e.constructor.name, code: e.code, syscall: e.syscall, step: e.message.includes('step "unshare"') }); }
      `,
      { prefix: ["setpriv", "--inh-caps=-all", "--bounding-set=-sys_admin", "--"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([{ cls: "PermissionError", code: "EPERM", syscall: "unshare", step: true }]);
  });
});

test("bad options throw before a child starts", () => {
  expect(thrown(() => b.spawnInNewRoot(["sh"], { binds: [42 as never] })).constructor).toBe(TypeError);
});
