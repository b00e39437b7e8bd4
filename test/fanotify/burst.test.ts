// @privileged: a group that reports fds needs CAP_SYS_ADMIN; the child's fd limit is lowered to 1024
// The classic fanotify footgun: one fd per event. 100,000 events from another process,
// read by a process whose fd limit is 1,024: every event arrives with its path, none is
// lost to EMFILE, and no fd is left behind.
import { mkdtempSync, rmSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";

const root = process.getuid?.() === 0;
const EVENTS = 100_000;

describe.skipIf(!root)("a burst under a small fd limit (needs root: CAP_SYS_ADMIN)", () => {
  test(`${EVENTS} events with fds, RLIMIT_NOFILE 1024: all read, no fd leaked`, () => {
    const dir = mkdtempSync("/dev/shm/butter-burst-");
    try {
      const r = runChild(
        `
        const { readdirSync } = await import("node:fs");
        const dir = ${JSON.stringify(dir)};
        const fds = () => readdirSync("/proc/self/fd").length;
        const limit = (await import("node:child_process")).execSync("ulimit -n", { shell: "/bin/sh" }).toString().trim();
        await using fan = new b.FanotifyAsync();
        fan.mark(dir, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
        let before = 0;
        const writer = Bun.spawn([process.execPath, "-e",
          "const fs = require('node:fs'); for (let i = 0; i < ${EVENTS}; i++) fs.closeSync(fs.openSync(" + JSON.stringify(dir) + " + '/' + i, 'w'));"],
          { stdout: "inherit", stderr: "inherit" });
        let n = 0, bad = 0, most = 0;
        let finished = false;
        writer.exited.then(() => { finished = true; });
        for (;;) {
          const ac = new AbortController();
          const t = setTimeout(() => ac.abort(), finished ? 300 : 5000);
          let ev;
          try { ev = await fan.get({ signal: ac.signal }); } catch { break; } finally { clearTimeout(t); }
          if (++n === 1) before = fds(); // (the reactor and the writer's pidfd are open from here)
          if (ev.fd !== -1 || !ev.path?.startsWith(dir + "/")) bad++;
          if (n % 997 === 0) most = Math.max(most, fds() - before);
        }
        report({ n, bad, overflows: fan.overflows, limit, leaked: fds() - before, most, status: await writer.exited });
        `,
        // (the shell's ulimit, not prlimit(1): the VM guest has a shell and no util-linux)
        { prefix: ["sh", "-c", 'ulimit -n 1024 && exec "$@"', "sh"], timeoutMs: 280_000 },
      );
      expect(r.stderr).toBe("");
      expect(r.reports).toEqual([{ n: EVENTS, bad: 0, overflows: 0, limit: "1024", leaked: expect.any(Number), most: expect.any(Number), status: 0 }]);
      const { leaked, most } = r.reports[0] as { leaked: number; most: number };
      expect(leaked).toBeLessThanOrEqual(0); // (the writer's pidfd may have gone with it)
      expect(most).toBeLessThan(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000); // (a minute or two in an emulated guest)
});
