// @privileged: permission events (FAN_CLASS_CONTENT) need CAP_SYS_ADMIN
// Every permission event gets exactly one answer, whatever the program does: it answers,
// it is busy or blocked, it never reads, it opens the guarded file itself, its Worker
// ends, it drops the object, or it is killed. Accesses are real opens by other processes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { ROOT, runChild } from "../../harness/child.ts";
import { sleep, tempDirs, worker } from "../helpers.ts";
import { cat, guardedFile } from "./guarded.ts";

const root = process.getuid?.() === 0;
const dirs = tempDirs("guard");

const guarded = () => guardedFile(dirs.guard);

describe.skipIf(!root)("permission events are always answered (needs root: CAP_SYS_ADMIN)", () => {
  test("while the JS thread is blocked (spawnSync), the deadline answers", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 100, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const t = performance.now();
    const r = Bun.spawnSync(["cat", file]); // the JS thread waits here; nobody reads
    expect(r.exitCode).toBe(1);
    expect(performance.now() - t).toBeGreaterThanOrEqual(90);
    const ev = await fan.get();
    expect([ev.answered, ev.answeredBy, ev.path, ev.fd]).toEqual([true, "deadline", file, -1]);
    expect(fan.pending).toBe(0);
  });

  test("a program that never reads: the deadline answers (allow, the default)", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 50 });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const child = cat(file);
    expect(await child.exited).toBe(0);
    expect(await new Response(child.stdout).text()).toBe("secret");
  });

  test("an event taken and not answered: the deadline answers it, and the event says so", async () => {
    // (a deadline the VM guest's emulated CPU cannot pass before the checks below)
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 1000, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const child = cat(file);
    const ev = await fan.get();
    expect([ev.answered, fan.pending]).toEqual([false, 1]);
    expect(ev.fd).toBeGreaterThan(2);
    expect(await child.exited).toBe(1);
    expect(ev.answeredBy).toBe("deadline");
    expect(ev.fd).toBe(-1);
    expect(() => ev.allow()).toThrow(/answered already \(by deadline\)/);
    expect(fan.pending).toBe(0);
  });

  test("the program's own accesses are allowed at once: a synchronous read from the JS thread does not deadlock", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 60_000, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const t = performance.now();
    expect(readFileSync(file, "utf8")).toBe("secret"); // (without the drain: blocked for good)
    expect(performance.now() - t).toBeLessThan(30_000);
    const ev = await fan.get();
    expect([ev.answeredBy, ev.pid, ev.path]).toEqual(["self", process.pid, file]);
    // and from a Worker, another thread of this process
    const w = worker(`postMessage(require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8"));`);
    expect(await w.message).toBe("secret");
    await w.end();
    expect((await fan.get()).answeredBy).toBe("self");
  });

  test("with FAN_REPORT_TID the event names a thread: a Worker's access is still the program's own, allowed at once", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT | b.FAN_REPORT_TID, { deadline: 60_000, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const w = worker(`postMessage([require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8"), b.gettid()]);`);
    const [text, tid] = (await w.message) as [string, number];
    await w.end();
    expect(text).toBe("secret");
    const ev = await fan.get();
    expect([ev.answeredBy, ev.pid]).toEqual(["self", tid]);
    expect(tid).not.toBe(process.pid);
  });

  test("two accesses answered at the deadline before JS read them, their fds of one number: each event says so, in order", async () => {
    // (the first event's fd is closed at its deadline, so the kernel hands the second the
    // same number: the drain tells them apart by their order)
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 30, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const r = Bun.spawnSync(["sh", "-c", `cat ${file}; cat ${file}; echo done`]); // the JS thread waits here
    expect(r.stdout.toString()).toBe("done\n");
    const [one, two] = [await fan.get(), await fan.get()];
    expect([one.answeredBy, one.fd, two.answeredBy, two.fd]).toEqual(["deadline", -1, "deadline", -1]);
    expect(fan.pending).toBe(0);
  });

  test("accesses from outside the listener's pid namespace: pid 0, no pidfd, never taken for the program's own", () => {
    // (the listener runs in a new pid namespace; the accesses come from a shell started
    // before it, in this one, once the listener says it is ready)
    const dir = `${dirs.guard}/pidns`;
    mkdirSync(dir);
    const file = guardedFile(dir);
    writeFileSync(`${dir}/w`, "");
    const r = runChild(
      `
      const { writeFileSync } = await import("node:fs");
      const fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT | b.FAN_REPORT_PIDFD, { deadline: 60_000, deadlineResponse: "deny" });
      fan.mark(${JSON.stringify(file)}, b.FAN_OPEN_PERM);
      fan.mark(${JSON.stringify(`${dir}/w`)}, b.FAN_CLOSE_WRITE);
      writeFileSync(${JSON.stringify(`${dir}/ready`)}, "");
      const perm = await fan.get();
      const before = perm.answeredBy ?? null; // (unanswered: not the program's own)
      perm.allow();
      const note = await fan.get();
      report({ pid: perm.pid, before, notePid: note.pid, pidfd: note.pidfd, self: process.pid });
      await fan.close();
    `,
      {
        setup: `(while [ ! -e ${dir}/ready ]; do sleep 0.05; done; cat ${file} > ${dir}/got; echo x > ${dir}/w) &`,
        prefix: ["unshare", "--pid", "--fork"],
        timeoutMs: 60_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as Record<string, unknown>;
    expect(rep).toMatchObject({ pid: 0, before: null, notePid: 0, pidfd: -1 });
    expect(rep.self).toBe(1); // (the listener is its namespace's first process)
    expect(readFileSync(`${dir}/got`, "utf8")).toBe("secret");
  });

  test("100 accesses waiting at once: each gets its one answer, in any order", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 60_000, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const children = Array.from({ length: 100 }, () => cat(file, "ignore"));
    const events: b.FanotifyEvent[] = [];
    while (events.length < 100) events.push(await fan.get());
    expect(fan.pending).toBe(100);
    // newest first: each answer finds its own event among the others JS holds
    for (const ev of events.reverse()) ev.allow();
    expect(fan.pending).toBe(0);
    expect(await Promise.all(children.map((c) => c.exited))).toEqual(Array(100).fill(0));
  });

  test("a Worker that ends with events waiting: they are answered, its drain and fds are gone", async () => {
    const file = guarded();
    const fdsBefore = (await import("node:fs")).readdirSync("/proc/self/fd").length;
    const w = worker(`const fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 600000 });
      fan.mark(${JSON.stringify(file)}, b.FAN_OPEN_PERM); globalThis.keep = fan;
      setInterval(() => {}, 1000); // (alive until terminated: a Worker with nothing to do ends by itself)
      postMessage("marked"); fan.get().then((ev) => { globalThis.ev = ev; });`);
    expect(await w.message).toBe("marked");
    const taken = cat(file, "ignore"); // (no pipes: the fds are counted)
    await sleep(50);
    const waiting = cat(file, "ignore"); // (in the drain, not taken: the Worker's get() was served)
    await sleep(50);
    expect([taken.exitCode, waiting.exitCode]).toEqual([null, null]);
    await w.end();
    expect(await taken.exited).toBe(0);
    expect(await waiting.exited).toBe(0);
    // (the Worker's thread gives back what it held as it ends, which can come well after
    // 'close' on a loaded, emulated machine)
    const fds = async () => (await import("node:fs")).readdirSync("/proc/self/fd").length;
    for (let i = 0; i < 500 && (threads("butter-drain") > 0 || (await fds()) !== fdsBefore); i++) await sleep(10);
    expect(threads("butter-drain")).toBe(0);
    expect(await fds()).toBe(fdsBefore);
  });

  test("an object dropped to the collector: what waits is answered, the drain stops", async () => {
    const file = guarded();
    // held until the access waits (a collection before it would let cat through unasked:
    // under TCG that happened), then dropped
    // (made in a function of its own, so that no frame of this one refers to it)
    const holder: { fan?: b.Fanotify } = {};
    (() => {
      holder.fan = new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_NONBLOCK, { deadline: 600_000 });
      holder.fan.mark(file, b.FAN_OPEN_PERM);
    })();
    const child = cat(file);
    await sleep(30);
    expect(child.exitCode).toBeNull();
    delete holder.fan;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      Bun.gc(true);
      await sleep(10);
    }
    expect(await child.exited).toBe(0);
    expect(threads("butter-drain")).toBe(0);
  });

  test("a listener killed with an event waiting: the kernel lets the access go on", async () => {
    const file = guarded();
    const script = `import * as b from ${JSON.stringify(`${ROOT}/src/index.ts`)};
      const fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 600000, deadlineResponse: "deny" });
      fan.mark(${JSON.stringify(file)}, b.FAN_OPEN_PERM);
      console.log("marked");
      await fan.get();
      process.kill(process.pid, "SIGKILL");`;
    const listener = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
    const reader = listener.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/marked/);
    const child = cat(file);
    expect(await listener.exited).toBe(137);
    expect(await child.exited).toBe(0);
  });
});

/** How many of this process's threads have that name. */
function threads(name: string): number {
  const fs = require("node:fs") as typeof import("node:fs");
  return fs.readdirSync("/proc/self/task").filter((t) => {
    try {
      return fs.readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() === name;
    } catch {
      return false;
    }
  }).length;
}
