// Real limits beside the forced ones of the errno matrix: a child process with
// RLIMIT_NOFILE lowered (harness/child.ts) runs out of fds for real, and every family's
// constructor says EMFILE, naming its call; after a close it works again.
import { expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";

test("EMFILE for real: every family's object, with RLIMIT_NOFILE lowered, names its call; a close makes room", () => {
  const r = runChild(
    `
    // first of all: the helpers are compiled on the first use, which needs fds: with none
    // free that first use fails with the system's own EMFILE, not a compiler's message
    const fs = require("node:fs");
    const fill = [];
    for (;;) { try { fill.push(fs.openSync("/dev/null", "r")); } catch { break; } }
    let first;
    try { b.gethostname(); } catch (e) { first = e.code; }
    for (const fd of fill) fs.closeSync(fd);
    const firstUse = { code: first, after: typeof b.gethostname() };
    const kept = [];
    const make = {
      eventfd: () => new b.Eventfd(),
      timerfd_create: () => new b.Timerfd(),
      inotify_init1: () => new b.Inotify(),
      signalfd: () => new b.Signalfd(["SIGURG"], { hold: false }),
    };
    const out = {};
    for (const [call, fn] of Object.entries(make)) {
      let err;
      for (let i = 0; i < 1000 && !err; i++) {
        try { kept.push(fn()); } catch (e) { err = e; }
      }
      out[call] = { cls: err?.constructor.name, code: err?.code, syscall: err?.syscall };
      kept.pop().close(); // room for one
      kept.push(fn()); // works again
      for (const o of kept.splice(0)) o.close();
    }
    out.firstUse = firstUse;
    report(out);
    `,
    { setup: "ulimit -n 96" },
  );
  expect(r.status, r.stderr).toBe(0);
  const want = (syscall: string) => ({ cls: "OSError", code: "EMFILE", syscall });
  expect(r.reports[0]).toEqual({
    eventfd: want("eventfd"),
    timerfd_create: want("timerfd_create"),
    // an Inotify takes three fds (its own, its drain's bell and wake eventfds): the one
    // that finds none is named
    inotify_init1: { ...want("inotify_init1"), syscall: expect.stringMatching(/^(inotify_init1|eventfd)$/) },
    signalfd: want("signalfd"),
    firstUse: { code: "EMFILE", after: "string" },
  });
});
