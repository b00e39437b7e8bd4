// The reactor's behaviour, the same for both backends: test/core/reactor.test.ts runs
// these on the default ("aio"), test/core/reactor-thread.test.ts on the helper-thread
// fallback.
import { mkdtempSync, openSync, closeSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cancel, pendingWaits, reactorBackend, reactorFds, ready, READABLE, waitReadable, waitWritable, WRITABLE } from "../../src/core/reactor.ts";
import { OSError, PermissionError } from "../../src/core/errors.ts";
import { eventfd, eventfdWrite, eventfdRead, EFD_NONBLOCK, EFD_CLOEXEC } from "../../src/eventfd/calls.ts";
import { close } from "../../src/core/io.ts";
import { lib as signalLib, SIG_BLOCK } from "../../src/signal/calls.ts";
import { processSigmask } from "../../src/signal/process-mask.ts";
import { runChild } from "../../harness/child.ts";
import { highFd, sleep, thrown } from "../helpers.ts";
import { armThread, failCall, fired, resetFaults, unavailable } from "../../harness/fiu/control.ts";

/** A wait on eventfd `fd` that a write of `value` wakes; the value is read back. */
async function wokenWith(fd: number, value: bigint): Promise<void> {
  const woke = new Promise<void>((r) => waitReadable(fd, r));
  eventfdWrite(fd, value);
  await woke;
  expect(eventfdRead(fd)).toBe(value);
}

export function reactorCases(backend: "aio" | "thread"): void {
  describe(`waitReadable / waitWritable / cancel (${backend} backend)`, () => {
    test("wakes once when the fd becomes readable", async () => {
      const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      let woke = 0;
      const done = new Promise<void>((r) => waitReadable(fd, () => (woke++, r())));
      expect(pendingWaits()).toBe(1);
      expect(reactorFds()).toHaveLength(backend === "aio" ? 2 : 4);
      expect(reactorBackend()).toBe(backend);
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

    test("ready(): resolves when ready; an abort forgets the wait; an aborted signal or a bad fd rejects at once", async () => {
      const fd = highFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
      const r = ready(fd, READABLE);
      eventfdWrite(fd, 1);
      await r;
      eventfdRead(fd);
      const ac = new AbortController();
      const pending = ready(fd, READABLE, ac.signal);
      expect(pendingWaits()).toBe(1);
      ac.abort(new Error("stop"));
      await expect(pending).rejects.toThrow("stop");
      expect(pendingWaits()).toBe(0);
      await expect(ready(fd, WRITABLE, ac.signal)).rejects.toThrow("stop");
      expect(pendingWaits()).toBe(0);
      close(fd);
      await expect(ready(fd, READABLE)).rejects.toMatchObject({ code: "EBADF" });
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

    test("a wait on an fd closed under it can still be cancelled, and the next wait works", async () => {
      // (the kernel dropped the fd's registration with the fd: the cancel's EPOLL_CTL_DEL
      // says EBADF, which means there is nothing left to remove)
      const fd = highFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
      let woke = 0;
      waitReadable(fd, () => woke++);
      close(fd);
      cancel(fd);
      expect(pendingWaits()).toBe(0);
      const other = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      try {
        const done = new Promise<void>((r) => waitReadable(other, r));
        eventfdWrite(other, 1);
        await done;
        expect(eventfdRead(other)).toBe(1n);
        expect(woke).toBe(0);
      } finally {
        close(other);
      }
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
    test("a pipe's write end: waitWritable wakes when the reader makes room; a wait in each direction on one fd", async () => {
      const p = new Int32Array(2);
      expect(signalLib().bt_catch_pipe(p)).toBe(0); // non-blocking, close-on-exec
      const [rd, wr] = [p[0]!, p[1]!];
      try {
        const chunk = new Uint8Array(65536);
        while (true) {
          try {
            writeSync(wr, chunk);
          } catch {
            break; // EAGAIN: full
          }
        }
        let writable = false;
        let readable = 0;
        const both = Promise.all([
          new Promise<void>((r) => waitWritable(wr, () => ((writable = true), r()))),
          new Promise<void>((r) => waitReadable(rd, () => (readable++, r()))), // ready at once: the pipe is full
        ]);
        expect(pendingWaits()).toBeGreaterThanOrEqual(1);
        await new Promise((r) => setTimeout(r, 5));
        expect(writable).toBe(false);
        readSync(rd, new Uint8Array(1 << 20)); // room
        await both;
        expect(writable).toBe(true);
        expect(readable).toBe(1);
        expect(pendingWaits()).toBe(0);
      } finally {
        close(rd);
        close(wr);
      }
    });

    test("cancelling one direction leaves the other waiting", async () => {
      const p = new Int32Array(2);
      expect(signalLib().bt_catch_pipe(p)).toBe(0);
      const [rd, wr] = [p[0]!, p[1]!];
      try {
        let readable = false;
        const r = new Promise<void>((res) => waitReadable(rd, () => ((readable = true), res())));
        waitWritable(rd, () => {
          throw new Error("cancelled");
        });
        cancel(rd, WRITABLE);
        writeSync(wr, new Uint8Array([1]));
        await r;
        expect(readable).toBe(true);
        expect(pendingWaits()).toBe(0);
      } finally {
        close(rd);
        close(wr);
      }
    });
  });

  describe(`the process's life (${backend} backend)`, () => {
    test("a pending wait keeps the process alive; an idle reactor does not", () => {
      const r = runChild(`
        const t = new b.TimerfdAsync().after(150);
        const t0 = performance.now();
        report(String(await t.get()));
        report(performance.now() - t0 > 100);
        t.close();
        const e = new b.EventfdAsync();
        e.write(1); await e.get(); // the reactor was used and is idle now: the process must end
      `, { timeoutMs: 10_000, env: { BUTTER_REACTOR: backend } });
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
      `, { env: { BUTTER_REACTOR: backend } });
      expect(r.stderr).toBe("");
      expect(r.signal).toBeNull();
      expect(r.reports).toEqual(["EBADF", "survived"]);
    });
  });

  describe.skipIf(unavailable !== undefined)(`failures in the reactor's own work (${backend} backend; ${unavailable ?? "shim preloaded"})`, () => {
    // (the thread backend lists in its own thread, which no planned failure reaches)
    if (backend === "aio") test("a failure listing what is ready after a doorbell wakes every waiter: none is lost", async () => {
      const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      try {
        const woke = new Promise<void>((r) => waitReadable(fd, r));
        failCall("epoll_wait", "EINVAL");
        armThread(true);
        eventfdWrite(fd, 1);
        await woke;
        armThread(false);
        expect(fired("epoll_wait")).toBe(1);
        expect(eventfdRead(fd)).toBe(1n);
        expect(pendingWaits()).toBe(0);
      } finally {
        armThread(false);
        resetFaults();
        close(fd);
      }
    });

    if (backend === "aio") test("a failure reaping the doorbell's request, or submitting it again, wakes every waiter: none is lost, and the next wait works", async () => {
      for (const nth of [1, 2]) { // syscall 1: io_getevents; 2: io_submit of the request again
        const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        try {
          const woke = new Promise<void>((r) => waitReadable(fd, r));
          failCall("syscall", nth === 1 ? "EINVAL" : "EAGAIN", nth);
          armThread(true);
          eventfdWrite(fd, 1);
          await woke;
          armThread(false);
          expect(fired("syscall"), `syscall ${nth}`).toBe(1);
          resetFaults();
          expect(eventfdRead(fd)).toBe(1n);
          // the next wait puts the request back and is woken
          await wokenWith(fd, 2n);
        } finally {
          armThread(false);
          resetFaults();
          close(fd);
        }
      }
    });

    if (backend === "aio") test("a reap that failed leaves the request unreaped: the next wait reaps it first, and a failure there is that wait's own error", async () => {
      const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      try {
        const woke = new Promise<void>((r) => waitReadable(fd, r));
        failCall("syscall", "EINVAL", 1); // the doorbell's io_getevents: every waiter woken
        armThread(true);
        eventfdWrite(fd, 1);
        await woke;
        armThread(false);
        expect(fired("syscall")).toBe(1);
        expect(eventfdRead(fd)).toBe(1n);
        // A wait whose nth syscall fails throws that call's error, and waits for nothing.
        const failedWait = (errno: string, nth: number) => {
          failCall("syscall", errno, nth);
          armThread(true);
          const e = thrown(() => waitReadable(fd, () => {}));
          armThread(false);
          expect(fired("syscall")).toBe(1);
          expect(e).toBeInstanceOf(OSError);
          expect(pendingWaits()).toBe(0);
          return [e.code, (e as OSError).syscall];
        };
        // the next wait reaps the request first (its io_getevents); then it puts the
        // request back (its io_submit): each failure is that wait's own error
        expect(failedWait("EINVAL", 1)).toEqual(["EINVAL", "io_getevents"]);
        expect(failedWait("EAGAIN", 2)).toEqual(["EAGAIN", "io_submit"]);
        resetFaults();
        // and the one after works
        await wokenWith(fd, 2n);
      } finally {
        armThread(false);
        resetFaults();
        close(fd);
      }
    });

    test("a wait survives processSigmask reaching every thread (an interrupted wait is made again)", async () => {
      const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      try {
        const woke = new Promise<void>((r) => waitReadable(fd, r));
        processSigmask(SIG_BLOCK, []); // every thread, the reactor's helper thread included, takes SIGRTMAX
        await sleep(5);
        eventfdWrite(fd, 1);
        await woke;
        expect(eventfdRead(fd)).toBe(1n);
      } finally {
        close(fd);
      }
    });

    test("a failure arming again the direction still waited for wakes that waiter too (it reads first, and waits again)", async () => {
      const fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      try {
        let readable = 0;
        const r = new Promise<void>((res) => waitReadable(fd, () => (readable++, res())));
        failCall("epoll_ctl", "ENOMEM", 2); // 1: the writable wait's own arm; 2: arming readable again
        armThread(true);
        const w = new Promise<void>((res) => waitWritable(fd, res)); // an eventfd is writable at once
        await Promise.all([w, r]);
        armThread(false);
        expect(fired("epoll_ctl")).toBe(1);
        expect(readable).toBe(1); // woken without being readable: it reads first (EAGAIN) and waits again
        expect(pendingWaits()).toBe(0);
      } finally {
        armThread(false);
        resetFaults();
        close(fd);
      }
    });
  });
}
