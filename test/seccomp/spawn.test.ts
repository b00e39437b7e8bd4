// @privileged: children filtered from exec on, on every kernel of the VM matrix
// spawnFiltered: a child filtered from exec on. Its filter is the child's alone (the test
// runner stays unfiltered), and each step between clone and exec that can fail is made to.
import { closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";
import { thrown } from "../helpers.ts";

const denyMkdir = () => new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EPERM"), "mkdir").add(b.Action.ERRNO("EPERM"), "mkdirat");

describe("spawnFiltered", () => {
  test("the child runs under the filter from exec on, with no_new_privs; the parent does not", async () => {
    const dir = mkdtempSync(`${tmpdir()}/butter-sf-`);
    try {
      const p = b.spawnFiltered(["sh", "-c", `mkdir ${dir}/x; echo rc=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status`], { filter: denyMkdir(), stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      expect(out).toMatch(/^rc=1\n/);
      expect(out).toMatch(/Seccomp:\s+2\n/);
      expect(out).toMatch(/NoNewPrivs:\s+1\n/);
      expect(err).toContain("Operation not permitted");
      expect([code, p.exitCode, p.signalCode]).toEqual([0, 0, null]);
      expect(b.prctlGetSeccomp()).toBe(0);
      writeFileSync(`${dir}/parent`, "the parent still makes files");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a KILL_PROCESS rule ends the child with SIGSYS (exit 159); kill() sends through the pidfd", async () => {
    const f = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.KILL_PROCESS, "getppid");
    const p = b.spawnFiltered(["sh", "-c", "echo $PPID"], { filter: f, stdout: "ignore" });
    // (sh reads its parent's pid at start-up: that call kills it)
    expect(await p.exited).toBe(159);
    expect(p.signalCode).toBe("SIGSYS");
    const s = b.spawnFiltered(["sleep", "30"], { filter: new b.SeccompFilter(b.Action.ALLOW) });
    s.kill(9);
    expect(await s.exited).toBe(137);
    expect(s.signalCode).toBe("SIGKILL");
    s.kill(); // after the end: nothing to do
  });

  test("stdin, env and cwd as Bun.spawn takes them; stdio to /dev/null; an fd", async () => {
    const dir = mkdtempSync(`${tmpdir()}/butter-sf-`);
    try {
      const p = b.spawnFiltered(["sh", "-c", 'read line; echo "$line $GREETING $(pwd)"'], {
        filter: new b.SeccompFilter(b.Action.ALLOW),
        stdin: "pipe",
        stdout: "pipe",
        env: { GREETING: "hello", PATH: process.env.PATH },
        cwd: dir,
      });
      const w = p.stdin!;
      require("node:fs").writeSync(w, "line-in\n");
      closeSync(w);
      expect(await new Response(p.stdout).text()).toBe(`line-in hello ${dir}\n`);
      expect(await p.exited).toBe(0);
      const log = require("node:fs").openSync(`${dir}/log`, "w");
      const q = b.spawnFiltered(["sh", "-c", "echo to-fd; echo err >&2"], { filter: new b.SeccompFilter(b.Action.ALLOW), stdout: log, stderr: "ignore" });
      closeSync(log);
      expect(await q.exited).toBe(0);
      expect(readFileSync(`${dir}/log`, "utf8")).toBe("to-fd\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("each step that fails before exec is the error of that step, and nothing is left running", () => {
    const allow = new b.SeccompFilter(b.Action.ALLOW);
    const e = thrown(() => b.spawnFiltered(["/nonexistent-butter"], { filter: allow }));
    expect([e.constructor.name, e.code, e.syscall, e.path]).toEqual(["OSError", "ENOENT", "execve", "/nonexistent-butter"]);
    expect(e.message).toContain("in the child, before exec");
    const c = thrown(() => b.spawnFiltered(["true"], { filter: allow, cwd: "/nonexistent-butter" }));
    expect([c.code, c.syscall]).toEqual(["ENOENT", "chdir"]);
    const d = thrown(() => b.spawnFiltered(["true"], { filter: allow, stdout: 0x7ffffff0 }));
    expect([d.code, d.syscall]).toEqual(["EBADF", "dup2"]);
    // a filter that refuses execve itself: the child's exec fails with the filter's errno
    const noExec = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EACCES"), "execve");
    const x = thrown(() => b.spawnFiltered(["true"], { filter: noExec }));
    expect([x.constructor.name, x.code, x.syscall]).toEqual(["PermissionError", "EACCES", "execve"]);
    // with a listener: before it was handed over (chdir), and after (execve): nothing left open
    const asks = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "acct");
    expect(thrown(() => b.spawnFiltered(["true"], { filter: asks, cwd: "/nonexistent-butter" })).syscall).toBe("chdir");
    expect(thrown(() => b.spawnFiltered(["/nonexistent-butter"], { filter: asks })).syscall).toBe("execve");
    expect(() => b.spawnFiltered([], { filter: allow })).toThrow(TypeError);
    expect(() => b.spawnFiltered(["true"], {} as never)).toThrow(TypeError);
  });

  test("without no_new_privs and without CAP_SYS_ADMIN the seccomp step is EACCES; prctl's, as nobody, works", () => {
    const r = runChild(
      `
      const f = new b.SeccompFilter(b.Action.ALLOW);
      try { b.spawnFiltered(["true"], { filter: f, noNewPrivs: false }); report("spawned"); } catch (e) { report([e.constructor.name, e.code, e.syscall]); }
      report(await b.spawnFiltered(["true"], { filter: f }).exited);
      `,
      { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([["PermissionError", "EACCES", "seccomp"], 0]);
  });
});
