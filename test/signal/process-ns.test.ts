// @privileged: processSetns moves every thread of a child process into a mount or UTS namespace (needs CAP_SYS_ADMIN)
import { closeSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { thrown } from "../helpers.ts";
import * as b from "../../src/index.ts";
import { canUnshare, runChild } from "../../harness/child.ts";

const root = canUnshare(["--mount"]);

// in the child: every thread's namespace of `type`, and which threads block SIGRTMAX
const THREADS = `
const fs = require("fs");
const threads = (type) => fs.readdirSync("/proc/self/task").map((t) => {
  const status = fs.readFileSync("/proc/self/task/" + t + "/status", "utf8");
  const blk = BigInt("0x" + /SigBlk:\\s*([0-9a-f]+)/.exec(status)[1]);
  return { tid: Number(t), name: fs.readFileSync("/proc/self/task/" + t + "/comm", "utf8").trim(),
           ns: fs.readlinkSync("/proc/self/task/" + t + "/ns/" + type),
           blocksRtmax: ((blk >> BigInt(b.sigrtmax() - 1)) & 1n) === 1n };
});
`;

describe("arguments", () => {
  test("a user namespace, or no single CLONE_NEW* type, is refused before anything moves", () => {
    expect(() => b.processSetns(0, b.CLONE_NEWUSER)).toThrow(/cannot enter a user namespace/);
    expect(() => b.processSetns(0, b.CLONE_NEWNS | b.CLONE_NEWUTS)).toThrow(RangeError);
    expect(() => b.processSetns(-1, b.CLONE_NEWNS)).toThrow(RangeError);
  });
});

describe.skipIf(!root)(`processSetns in this process, harmlessly (${root ? "root" : "needs CAP_SYS_ADMIN"})`, () => {
  const utsOf = (tid: string) => readlinkSync(`/proc/self/task/${tid}/ns/uts`);

  test("every thread enters the UTS namespace it is already in; the threads that block SIGRTMAX are the ones skipped, by name", () => {
    const main = readlinkSync(`/proc/${process.pid}/ns/uts`);
    const fd = b.nsOpen("uts", process.pid);
    try {
      const r = b.processSetns(fd, b.CLONE_NEWUTS);
      const tasks = readdirSync("/proc/self/task");
      expect(r.moved).toBeGreaterThanOrEqual(3);
      expect(r.moved + r.skipped.length).toBeLessThanOrEqual(tasks.length + 2); // (threads may end meanwhile)
      for (const s of r.skipped) {
        expect(s.name.length).toBeGreaterThan(0);
        const blk = BigInt(`0x${/SigBlk:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/self/task/${s.tid}/status`, "utf8"))![1]}`);
        expect((blk >> BigInt(b.sigrtmax() - 1)) & 1n).toBe(1n);
      }
      for (const t of tasks) expect(utsOf(t)).toBe(main);
    } finally {
      closeSync(fd);
    }
  });

  test("refused in the calling thread, which goes first: nothing moves (a wrong type; a cwd missing in the namespace)", () => {
    const before = readdirSync("/proc/self/task").map((t) => `${t}:${readlinkSync(`/proc/self/task/${t}/ns/mnt`)}`).sort();
    const uts = b.nsOpen("uts", process.pid);
    const mnt = b.nsOpen("mnt", process.pid);
    try {
      const e = thrown(() => b.processSetns(uts, b.CLONE_NEWNS));
      expect([e.constructor.name, e.code, e.syscall]).toEqual(["OSError", "EINVAL", "setns"]);
      const f = thrown(() => b.processSetns(mnt, b.CLONE_NEWNS, { cwd: "/nonexistent-butter" }));
      expect([f.constructor.name, f.code, f.syscall]).toEqual(["OSError", "ENOENT", "chdir"]);
      expect(() => b.processSetns(mnt, b.CLONE_NEWNS, { cwd: "a\0b" })).toThrow(TypeError);
    } finally {
      closeSync(uts);
      closeSync(mnt);
    }
    const after = readdirSync("/proc/self/task").map((t) => `${t}:${readlinkSync(`/proc/self/task/${t}/ns/mnt`)}`).sort();
    expect(after.filter((x) => before.includes(x))).toEqual(after.filter((x) => before.some((y) => y.split(":")[0] === x.split(":")[0])));
  });
});

describe.skipIf(!root)(`processSetns (${root ? "root, in child processes" : "needs CAP_SYS_ADMIN"})`, () => {
  test("every thread enters the JS thread's new mount namespace: fs.promises, Bun.file and a Worker started before see its mounts", () => {
    const r = runChild(
      `${THREADS}
      const dir = fs.mkdtempSync("/tmp/butter-pns-");
      const early = new Worker(URL.createObjectURL(new Blob(["onmessage = (e) => postMessage(require('fs').existsSync(e.data))"])));
      const ask = (p) => new Promise((res) => { early.onmessage = (e) => res(e.data); early.postMessage(p); });
      process.on("SIGUSR2", () => {});
      b.unshare(b.CLONE_NEWNS);
      b.mount(null, "/", null, b.MS_REC | b.MS_PRIVATE);
      b.mount("tmpfs", dir, "tmpfs", 0, "size=64k");
      fs.writeFileSync(dir + "/x", "inside");
      const before = { promises: await fs.promises.readFile(dir + "/x", "utf8").catch((e) => e.code),
                       bunFile: await Bun.file(dir + "/x").text().catch((e) => e.code), early: await ask(dir + "/x") };
      const fd = b.nsOpen("mnt", "thread-self");
      const mine = fs.readlinkSync("/proc/thread-self/ns/mnt");
      const res = b.processSetns(fd, b.CLONE_NEWNS);
      fs.closeSync(fd);
      const after = { promises: await fs.promises.readFile(dir + "/x", "utf8").catch((e) => e.code),
                      bunFile: await Bun.file(dir + "/x").text().catch((e) => e.code), early: await ask(dir + "/x") };
      const all = threads("mnt");
      const skipped = new Set(res.skipped.map((s) => s.tid));
      const cwds = new Set(all.filter((t) => !skipped.has(t.tid)).map((t) => fs.readlinkSync("/proc/self/task/" + t.tid + "/cwd")));
      report({
        before, after, moved: res.moved,
        movedAll: all.filter((t) => !skipped.has(t.tid)).every((t) => t.ns === mine),
        skippedBlockRtmax: all.filter((t) => skipped.has(t.tid)).every((t) => t.blocksRtmax && t.ns !== mine),
        unreachableAllSkipped: all.filter((t) => t.blocksRtmax && t.ns !== mine).every((t) => skipped.has(t.tid)),
        skippedNamed: res.skipped.every((s) => s.name.length > 0),
        cwdKept: cwds.size === 1 && cwds.has(process.cwd()),
      });
      early.terminate();
      b.umount2(dir, b.MNT_DETACH);
      fs.rmdirSync(dir);
      `,
    );
    expect(r.stderr).toBe("");
    const got = r.reports[0] as Record<string, unknown>;
    expect(got.before).toEqual({ promises: "ENOENT", bunFile: "ENOENT", early: false });
    expect(got.after).toEqual({ promises: "inside", bunFile: "inside", early: true });
    expect(got.moved).toBeGreaterThanOrEqual(3);
    expect(got).toMatchObject({ movedAll: true, skippedBlockRtmax: true, unreachableAllSkipped: true, skippedNamed: true, cwdKept: true });
  });

  test("all or nothing: a cwd that is not in the namespace fails with chdir's ENOENT, and every thread is where it was", () => {
    const r = runChild(
      `${THREADS}
      const w = new Worker(URL.createObjectURL(new Blob(["setInterval(() => {}, 1000)"])));
      await new Promise((res) => setTimeout(res, 50));
      // (threads come and go meanwhile: every thread there is must be in the one namespace)
      const start = [...new Set(threads("mnt").map((t) => t.ns))];
      const allIn = (ns) => threads("mnt").every((t) => t.ns === ns);
      const back = b.nsOpen("mnt", "thread-self");
      b.unshare(b.CLONE_NEWNS);
      const fd = b.nsOpen("mnt", "thread-self");
      // the JS thread goes back first; then a move whose cwd is missing there
      b.setns(back, b.CLONE_NEWNS);
      const out = {};
      try { b.processSetns(fd, b.CLONE_NEWNS, { cwd: "/nonexistent-butter" }); out.passed = true; }
      catch (e) { Object.assign(out, { cls: e.constructor.name, code: e.code, syscall: e.syscall }); }
      out.same = start.length === 1 && allIn(start[0]);
      try { b.processSetns(back, b.CLONE_NEWUTS); } catch (e) { out.wrongType = [e.code, e.syscall]; }
      out.stillSame = allIn(start[0]);
      report(out);
      w.terminate();
      `,
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([
      { cls: "OSError", code: "ENOENT", syscall: "chdir", same: true, wrongType: ["EINVAL", "setns"], stillSame: true },
    ]);
  });

  test("a UTS namespace made on a Worker becomes every thread's: the main thread's host name changes", () => {
    const r = runChild(
      `${THREADS}
      const w = new Worker(URL.createObjectURL(new Blob([\`
        import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
        b.unshare(b.CLONE_NEWUTS);
        b.sethostname("moved-everywhere");
        postMessage(b.gettid());
        setInterval(() => {}, 1000);
      \`], { type: "application/typescript" })));
      const tid = await new Promise((res) => (w.onmessage = (e) => res(e.data)));
      const before = b.gethostname();
      const fd = b.nsOpen("uts", tid);
      const res = b.processSetns(fd, b.CLONE_NEWUTS);
      fs.closeSync(fd);
      const skipped = new Set(res.skipped.map((s) => s.tid));
      const target = fs.readlinkSync("/proc/self/task/" + tid + "/ns/uts");
      report({ changed: before !== "moved-everywhere", now: b.gethostname(),
               all: threads("uts").filter((t) => !skipped.has(t.tid)).every((t) => t.ns === target) });
      w.terminate();
      `,
      { unshare: ["--uts"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([{ changed: true, now: "moved-everywhere", all: true }]);
  });
});
