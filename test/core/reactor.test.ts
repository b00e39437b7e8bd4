import { mkdtempSync, openSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cancel, pendingWaits, reactorFds, ReportDecoder, waitReadable } from "../../src/core/reactor.ts";
import { OSError, PermissionError } from "../../src/core/errors.ts";
import { eventfd, eventfdWrite, eventfdRead, EFD_NONBLOCK, EFD_CLOEXEC } from "../../src/eventfd/calls.ts";
import { close } from "../../src/core/io.ts";
import { runChild } from "../../harness/child.ts";
import { sleep, thrown } from "../helpers.ts";

describe("waitReadable / cancel", () => {
  test("wakes once when the fd becomes readable", async () => {
    const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    let woke = 0;
    const done = new Promise<void>((r) => waitReadable(fd, () => (woke++, r())));
    expect(pendingWaits()).toBe(1);
    expect(reactorFds()).toHaveLength(4);
    eventfdWrite(fd, 1);
    await done;
    expect(woke).toBe(1);
    expect(pendingWaits()).toBe(0);
    // one-shot: still readable, but no second wake without a new wait
    await sleep(10);
    expect(woke).toBe(1);
    expect(eventfdRead(fd)).toBe(1n);
    close(fd);
  });

  test("a cancelled wait never fires, even if the fd becomes readable", async () => {
    const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    let woke = false;
    waitReadable(fd, () => (woke = true));
    cancel(fd);
    cancel(fd); // idempotent
    eventfdWrite(fd, 1);
    await sleep(20);
    expect(woke).toBe(false);
    expect(pendingWaits()).toBe(0);
    close(fd);
  });

  test("many fds at once, each woken", async () => {
    const fds = Array.from({ length: 200 }, () => eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    const woken = fds.map((fd) => new Promise<number>((r) => waitReadable(fd, () => r(fd))));
    for (const fd of [...fds].reverse()) eventfdWrite(fd, 1);
    expect((await Promise.all(woken)).sort()).toEqual([...fds].sort());
    for (const fd of fds) close(fd);
  });

  test("a regular file cannot be waited on: a plain OSError EPERM, not a PermissionError", () => {
    const dir = mkdtempSync(join(tmpdir(), "butter-reactor-"));
    const fd = openSync(join(dir, "f"), "w");
    try {
      const e = thrown(() => waitReadable(fd, () => {}));
      expect(e).toBeInstanceOf(OSError);
      expect(e).not.toBeInstanceOf(PermissionError);
      expect(e).toMatchObject({ code: "EPERM", syscall: "epoll_ctl" });
      expect(pendingWaits()).toBe(0);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });
});

describe("the process's life", () => {
  test("a pending wait keeps the process alive; an idle reactor does not", () => {
    const r = runChild(`
      const t = new b.TimerfdAsync().after(150);
      const t0 = performance.now();
      report(String(await t.get()));
      report(performance.now() - t0 > 100);
      t.close();
      const e = new b.EventfdAsync();
      e.write(1); await e.get(); // the reactor was used and is idle now: the process must end
    `, { timeoutMs: 10_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.reports).toEqual(["1", true]);
  });

  test("a Worker terminated while waiting: its object's fd is closed with it, and the process lives on", () => {
    const r = runChild(`
      const src = "import { EventfdAsync } from " + JSON.stringify(${JSON.stringify(join(import.meta.dirname, "../../src/index.ts"))}) + ";" +
        "const e = new EventfdAsync(); e.get().then(() => {}); postMessage(e.fd);";
      const file = require("path").join(require("os").tmpdir(), "butter-worker-" + process.pid + ".ts");
      require("fs").writeFileSync(file, src);
      const w = new Worker(file);
      const fd = await new Promise((r) => (w.onmessage = (m) => r(m.data)));
      w.terminate();
      await Bun.sleep(100);
      // the Worker's end gave back what its objects held: the fd is closed (EBADF)
      let code;
      try { b.eventfdWrite(fd, 1); } catch (e) { code = e.code; }
      await Bun.sleep(200);
      require("fs").rmSync(file);
      report(code);
      report("survived");
    `);
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull();
    expect(r.reports).toEqual(["EBADF", "survived"]);
  });
});

describe("ReportDecoder", () => {
  const bytes = (...fds: number[]) => new Uint8Array(Int32Array.from(fds).buffer);
  test("decodes whole reports, in order", () => {
    expect(new ReportDecoder().push(bytes(3, 70000, 5))).toEqual([3, 70000, 5]);
  });
  test("carries a report split across chunks", () => {
    const d = new ReportDecoder();
    const all = bytes(7, 8, 9);
    expect(d.push(all.subarray(0, 6))).toEqual([7]);
    expect(d.push(all.subarray(6, 7))).toEqual([]);
    expect(d.push(all.subarray(7))).toEqual([8, 9]);
    expect(d.push(new Uint8Array(0))).toEqual([]);
  });
});
