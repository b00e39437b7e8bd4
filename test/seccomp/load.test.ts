// @privileged: filters loaded in child processes, on every kernel of the VM matrix
// Loading filters, always in child Bun processes (never into the test runner): TSYNC over
// every thread, Bun's included, the per-thread form, the thread that cannot be
// synchronised, strict mode, and the 1:1 queries.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";

const TASKS = `
const fs = require("fs");
const tasks = () => fs.readdirSync("/proc/self/task").map((t) => ({ name: fs.readFileSync("/proc/self/task/" + t + "/comm", "utf8").trim(),
  mode: Number(/Seccomp:\\s*(\\d)/.exec(fs.readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]) }));
const attempt = async (f) => { try { await f(); return "done"; } catch (e) { return e.code; } };
`;

describe("the test runner itself", () => {
  test("is never filtered, and has no no_new_privs", () => {
    expect(b.prctlGetSeccomp()).toBe(b.SECCOMP_MODE_DISABLED);
    expect(b.prctlGetNoNewPrivs()).toBe(false);
    for (const t of readdirSync("/proc/self/task")) expect(readFileSync(`/proc/self/task/${t}/status`, "utf8")).toMatch(/Seccomp:\s*0/);
  });

  test("1:1 queries: every action is available on this kernel; the notification sizes", () => {
    for (const a of [b.SECCOMP_RET_KILL_PROCESS, b.SECCOMP_RET_KILL_THREAD, b.SECCOMP_RET_TRAP, b.SECCOMP_RET_ERRNO, b.SECCOMP_RET_USER_NOTIF, b.SECCOMP_RET_TRACE, b.SECCOMP_RET_LOG, b.SECCOMP_RET_ALLOW])
      expect(b.seccompGetActionAvail(a)).toBe(true);
    expect(b.seccompGetActionAvail(0x7ff10000)).toBe(false); // no such action: EOPNOTSUPP
    expect(b.seccompGetNotifSizes()).toEqual({ notif: 80, resp: 24, data: 64 });
    expect(() => b.seccompSetModeFilter(0, new Uint8Array(12))).toThrow(RangeError);
    expect(() => b.seccompSetModeFilter(1 << 10, new Uint8Array(8))).toThrow(RangeError);
  });
});

describe("filters loaded in a child Bun process", () => {
  test('load() (threads: "all"): every thread, Bun\'s pool and allocator threads included, refuses; fs.promises too', () => {
    const r = runChild(`${TASKS}
      new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EPERM"), "mkdir").add(b.Action.ERRNO("EPERM"), "mkdirat").load();
      report({ sync: await attempt(() => fs.mkdirSync("/tmp/butter-sc-" + process.pid)), async: await attempt(() => fs.promises.mkdir("/tmp/butter-sc-" + process.pid)),
               modes: [...new Set(tasks().map((t) => t.mode))], nnp: b.prctlGetNoNewPrivs(), mine: b.prctlGetSeccomp(),
               worker: await new Promise((res) => { const w = new Worker(URL.createObjectURL(new Blob(["try { require('fs').mkdirSync('/tmp/butter-sc-w' + process.pid); postMessage('made') } catch (e) { postMessage(e.code) }"]))); w.onmessage = (e) => { res(e.data); w.terminate(); }; }) });
    `);
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([{ sync: "EPERM", async: "EPERM", modes: [2], nnp: true, mine: 2, worker: "EPERM" }]);
  });

  test('threads: "this" filters the JS thread only, and says so: Bun\'s pool still makes the directory', () => {
    const r = runChild(`${TASKS}
      const dir = "/tmp/butter-sc-this-" + process.pid;
      await fs.promises.stat("/"); // (Bun's pool threads exist before the load)
      const before = new Set(fs.readdirSync("/proc/self/task"));
      new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EPERM"), "mkdir").add(b.Action.ERRNO("EPERM"), "mkdirat").load({ threads: "this" });
      const out = { sync: await attempt(() => fs.mkdirSync(dir)), async: await attempt(() => fs.promises.mkdir(dir)) };
      fs.rmdirSync(dir);
      // (a thread the JS thread starts after the load inherits its filter: only the ones that were there count)
      const t = fs.readdirSync("/proc/self/task").filter((x) => before.has(x)).map((x) => Number(/Seccomp:\\s*(\\d)/.exec(fs.readFileSync("/proc/self/task/" + x + "/status", "utf8"))[1]));
      report({ ...out, jsThread: Number(/Seccomp:\\s*(\\d)/.exec(fs.readFileSync("/proc/thread-self/status", "utf8"))[1]), others: [...new Set(t.filter((_, i) => i > 0))] });
    `);
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([{ sync: "EPERM", async: "done", jsThread: 2, others: [0] }]);
  });

  test("a thread with a filter of its own cannot be synchronised: ESRCH naming it, and nothing installed", () => {
    const r = runChild(`${TASKS}
      const w = new Worker(URL.createObjectURL(new Blob([\`
        import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
        new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EPERM"), "acct").load({ threads: "this" });
        postMessage(b.gettid());
        setInterval(() => {}, 1000);
      \`], { type: "application/typescript" })));
      const tid = await new Promise((res) => (w.onmessage = (e) => res(e.data)));
      try { new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO("EPERM"), "mkdir").load(); report("loaded"); }
      catch (e) { report({ cls: e.constructor.name, code: e.code, named: e.message.includes("thread " + tid), mine: b.prctlGetSeccomp() }); }
      w.terminate();
    `);
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([{ cls: "OSError", code: "ESRCH", named: true, mine: 0 }]);
  });

  test("KILL_PROCESS ends the process with SIGSYS; without no_new_privs and CAP_SYS_ADMIN loading is EACCES", () => {
    const r = runChild(`
      new b.SeccompFilter(b.Action.ALLOW).add(b.Action.KILL_PROCESS, "getppid").load();
      console.log("loaded");
      b.getppid();
      console.log("still here");
    `);
    expect(r.stdout).toContain("loaded");
    expect(r.stdout).not.toContain("still here");
    expect(r.signal).toBe("SIGSYS");
    const nobody = runChild(
      `try { new b.SeccompFilter(b.Action.ALLOW).load({ noNewPrivs: false }); report("loaded"); } catch (e) { report([e.constructor.name, e.code, e.syscall]); }`,
      { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] },
    );
    expect(nobody.reports).toEqual([["PermissionError", "EACCES", "seccomp"]]);
  });

  test("strict mode: write still works; the next other call kills the calling THREAD only, so a Bun process is left without its JS thread and never ends by itself", () => {
    // What the writes need is made first (in strict mode a call that allocates with brk
    // or mmap kills the thread before it writes). A watchdog started just before strict
    // mode ends the process 1.5 s later: timed from there, not from the child's start,
    // which a loaded machine can make slow.
    const r = runChild(`
      const fs = require("fs");
      const [strict, still] = [Buffer.from("in strict mode\\n"), Buffer.from("still here\\n")];
      Bun.spawn(["sh", "-c", "sleep 1.5; kill -TERM " + process.pid], { stdio: ["ignore", "ignore", "ignore"] });
      fs.writeSync(1, Buffer.from("ready\\n"));
      b.seccompSetModeStrict();
      fs.writeSync(1, strict);
      b.getpid();
      fs.writeSync(1, still);
    `);
    expect(r.stdout).toContain("in strict mode");
    expect(r.stdout).not.toContain("still here");
    expect(r.signal).toBe("SIGTERM"); // the watchdog's: the process outlived its JS thread
  });
});
