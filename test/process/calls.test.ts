// @privileged: a new pid namespace (unshare --pid --mount-proc)
import { describe, expect, test } from "vitest";
import { getpid, getppid, gettid } from "../../src/process/calls.ts";
import { canUnshare, runChild } from "../../harness/child.ts";

describe("process identity", () => {
  test("agrees with the runtime", () => {
    expect(getpid()).toBe(process.pid);
    expect(getppid()).toBe(process.ppid);
  });

  test("gettid() differs per thread; getpid() does not", async () => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href);
    const ids = await new Promise<{ pid: number; tid: number }>((r) => worker.addEventListener("message", (m) => r(m.data), { once: true }));
    worker.terminate();
    expect(ids.pid).toBe(getpid());
    expect(ids.tid).not.toBe(gettid());
    expect(ids.tid).toBeGreaterThan(0);
  });

  test.skipIf(!canUnshare(["--pid", "--fork"]))(
    "in a new pid namespace the raw syscalls see pid 1 and no parent (needs CAP_SYS_ADMIN for unshare --pid)",
    () => {
      const r = runChild("report({ pid: b.getpid(), ppid: b.getppid(), tid: b.gettid() });", {
        unshare: ["--pid", "--fork", "--mount-proc"],
      });
      expect(r.stderr).toBe("");
      expect(r.reports).toEqual([{ pid: 1, ppid: 0, tid: 1 }]);
    },
  );
});
