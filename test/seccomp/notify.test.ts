// @privileged: user notifications on every kernel of the VM matrix (ADDFD's SEND is 5.14, SYNC_WAKE_UP 6.6): the tests say what each kernel does
// User notifications: a child started with spawnFiltered whose calls wait for this
// program's answer, every kind of answer, and what happens when the answer comes late.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { thrown } from "../helpers.ts";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(`${tmpdir()}/butter-notify-`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const [major, minor] = b.kernelVersion();
const since = (x: number, y: number) => major > x || (major === x && minor >= y);
const askMkdir = () => new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "mkdir").add(b.Action.USER_NOTIF, "mkdirat");

describe("SeccompNotifyAsync, from spawnFiltered", () => {
  test("each call asks: error(), value() and continue() answer it; the queue ends with the last filtered task", async () => {
    const p = b.spawnFiltered(["sh", "-c", `mkdir ${dir}/a; echo a=$?; mkdir ${dir}/b; echo b=$?; mkdir ${dir}/c; echo c=$?`], { filter: askMkdir(), stdout: "pipe", stderr: "ignore" });
    expect(p.notify).toBeInstanceOf(b.SeccompNotifyAsync);
    expect(p.notify!.syncWakeUp).toBe(since(6, 6));
    const out = new Response(p.stdout).text();
    const seen: unknown[] = [];
    for await (const n of p.notify!) {
      seen.push({ syscall: n.syscall, arch: n.arch === b.AUDIT_ARCH_X86_64 || n.arch === b.AUDIT_ARCH_AARCH64, valid: n.valid });
      if (seen.length === 1) n.error("EACCES");
      else if (seen.length === 2) n.value(0); // "made", without making it
      else n.continue(); // made for real
      expect(n.answered).toBe(true);
      expect(thrown(() => n.continue()).message).toMatch(/answered already/);
    }
    expect(await out).toBe("a=1\nb=0\nc=0\n");
    expect(await p.exited).toBe(0);
    expect([existsSync(`${dir}/a`), existsSync(`${dir}/b`), existsSync(`${dir}/c`)]).toEqual([false, false, true]);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => (s as { syscall: string }).syscall.startsWith("mkdir") && (s as { valid: boolean }).valid)).toBe(true);
    expect(p.notify!.closed).toBe(true);
  });

  test("addFd({ send: true }): the task's openat returns a file this program opened (a supervisor's redirect)", async () => {
    writeFileSync(`${dir}/real`, "from the supervisor\n");
    writeFileSync(`${dir}/asked`, "what the child asked for\n");
    const f = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "openat", { arg: 2, op: "MASKED_EQ", mask: 3, value: 0 }); // read-only opens
    const p = b.spawnFiltered(["cat", `${dir}/asked`], { filter: f, stdout: "pipe" });
    const out = new Response(p.stdout).text();
    const fd = openSync(`${dir}/real`, "r");
    try {
      for await (const n of p.notify!) {
        // the loader's own opens (libraries) go on; the file asked for gets ours
        if (n.valid && (await isAsked(n))) {
          if (since(5, 14)) n.addFd(fd, { send: true, cloexec: true });
          else {
            // before 5.14 ADDFD has no SEND: the kernel refuses the flag, and the fd is
            // added without answering; the call then returns it as a value
            expect(thrown(() => n.addFd(fd, { send: true })).code).toBe("EINVAL");
            n.value(n.addFd(fd, { cloexec: true }));
          }
        } else n.continue();
      }
    } finally {
      closeSync(fd);
    }
    expect(await out).toBe("from the supervisor\n");
    expect(await p.exited).toBe(0);

    async function isAsked(n: b.SeccompNotification): Promise<boolean> {
      // the path is in the task's memory: read it through /proc/<pid>/mem
      const mem = openSync(`/proc/${n.pid}/mem`, "r");
      try {
        const buf = Buffer.alloc(256);
        require("node:fs").readSync(mem, buf, 0, 256, Number(n.args[1]));
        return buf.subarray(0, buf.indexOf(0)).toString() === `${dir}/asked`;
      } finally {
        closeSync(mem);
      }
    }
  });

  test("a task killed while it waits: its notification is no longer valid, and an answer says so", async () => {
    const p = b.spawnFiltered(["sh", "-c", `exec mkdir ${dir}/x`], { filter: askMkdir(), stderr: "ignore" });
    const n = await p.notify!.get();
    expect(n.valid).toBe(true);
    p.kill(9);
    expect(await p.exited).toBe(137);
    expect(n.valid).toBe(false);
    const e = thrown(() => n.error("EPERM"));
    expect([e.constructor.name, e.code]).toEqual(["OSError", "ENOENT"]);
    expect(e.message).toMatch(/no longer valid/);
    // nothing is left under the filter: the queue has ended
    await expect(p.notify!.get()).rejects.toBeInstanceOf(b.QueueClosed);
  });

  test("an AbortSignal ends a wait, and close() ends the queue; a filter without USER_NOTIF has no listener", async () => {
    const p = b.spawnFiltered(["sleep", "30"], { filter: askMkdir() });
    const ac = new AbortController();
    const waiting = p.notify!.get({ signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    p.notify!.close();
    await expect(p.notify!.get()).rejects.toBeInstanceOf(b.QueueClosed);
    p.kill(9);
    await p.exited;
    const q = b.spawnFiltered(["true"], { filter: new b.SeccompFilter(b.Action.ALLOW) });
    expect(q.notify).toBeUndefined();
    await q.exited;
  });
});

describe("SeccompNotify (event-like)", () => {
  test("readEvent() waits for the next notification; once no task is left it throws ESRCH", async () => {
    const p = b.spawnFiltered(["sh", "-c", `mkdir ${dir}/y`], { filter: askMkdir(), stderr: "ignore" });
    // the same listener as a blocking object (the queue hands its fd over)
    const fd = p.notify!.takeFd();
    expect(p.notify!.closed).toBe(true);
    using notify = new b.SeccompNotify(fd);
    const n = notify.readEvent();
    expect(n.syscall).toMatch(/^mkdir/);
    n.error("EROFS");
    expect(await p.exited).toBe(1);
    const e = thrown(() => notify.readEvent());
    expect([e.code, e.message]).toEqual(["ESRCH", expect.stringMatching(/nothing will be notified again/)]);
  });
});
