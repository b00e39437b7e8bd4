// @privileged: unshare and setns as root, on Workers' threads and in child processes; what Bun's own threads see after a 1:1 unshare
import { readlinkSync, closeSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { canUnshare, runChild } from "../../harness/child.ts";
import { highFd, thrown, worker } from "../helpers.ts";

const root = canUnshare(["--mount", "--uts"]);
const NO_CAP = "needs CAP_SYS_ADMIN for new namespaces";
const nsOf = (tid: number, type: string) => readlinkSync(`/proc/${process.pid}/task/${tid}/ns/${type}`);

describe("arguments and refusals", () => {
  test("nsOpen opens a namespace fd of this process or a thread; a type the kernel lacks or a bad pid is the system's error", () => {
    const fd = b.nsOpen("uts");
    try {
      expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe(readlinkSync("/proc/self/ns/uts"));
    } finally {
      closeSync(fd);
    }
    const t = b.nsOpen("mnt", "thread-self");
    closeSync(t);
    expect(thrown(() => b.nsOpen("uts", 0x3fffffff)).code).toBe("ENOENT");
    expect(() => b.nsOpen("uts", -1 as never)).toThrow(RangeError);
  });

  test("CLONE_NEWUSER in Bun's many-threaded process: OSError EINVAL that says why and what to do instead", () => {
    const e = thrown(() => b.unshare(b.CLONE_NEWUSER));
    expect([e.constructor.name, e.code, e.syscall]).toEqual(["OSError", "EINVAL", "unshare"]);
    expect(e.message).toContain("single-threaded");
    expect(e.message).toContain("child");
  });

  test("setns with the wrong type says EINVAL; with a closed fd EBADF", () => {
    const fd = highFd(b.nsOpen("uts"));
    try {
      expect(thrown(() => b.setns(fd, b.CLONE_NEWNET)).code).toBe("EINVAL");
    } finally {
      closeSync(fd);
    }
    expect(thrown(() => b.setns(fd, 0)).code).toBe("EBADF");
  });

  test.skipIf(!root)("setns without a type takes any: back into this thread's own UTS namespace, nothing changed", () => {
    const before = readlinkSync("/proc/thread-self/ns/uts");
    const fd = b.nsOpen("uts", "thread-self");
    try {
      b.setns(fd);
    } finally {
      closeSync(fd);
    }
    expect(readlinkSync("/proc/thread-self/ns/uts")).toBe(before);
  });

  test("CLONE_NEW maps each namespace type to its flag", () => {
    expect(b.CLONE_NEW.mnt).toBe(b.CLONE_NEWNS);
    expect(Object.keys(b.CLONE_NEW).sort()).toEqual([...b.NAMESPACE_TYPES].sort());
  });
});

describe.skipIf(!root)(`the thread rule (${root ? "root" : NO_CAP})`, () => {
  test("unshare moves only the calling thread: a Worker's new UTS namespace is not the main thread's, and setns brings it back", async () => {
    const main = nsOf(process.pid, "uts");
    const w = worker(`
      const before = require("fs").readlinkSync("/proc/thread-self/ns/uts");
      b.unshare(b.CLONE_NEWUTS);
      b.sethostname("in-a-worker");
      const moved = require("fs").readlinkSync("/proc/thread-self/ns/uts");
      postMessage({ before, moved, name: b.gethostname(), tid: b.gettid() });
      const fd = b.nsOpen("uts", process.pid); // the main thread's (the thread group leader's)
      b.setns(fd, b.CLONE_NEWUTS);
      require("fs").closeSync(fd);
      postMessage({ back: require("fs").readlinkSync("/proc/thread-self/ns/uts"), name: b.gethostname() });
    `);
    const first = (await w.message) as { before: string; moved: string; name: string; tid: number };
    const second = (await w.next()) as { back: string; name: string };
    await w.end();
    expect(first.before).toBe(main);
    expect(first.moved).not.toBe(main);
    expect(first.name).toBe("in-a-worker");
    expect(second.back).toBe(main);
    expect(second.name).toBe(b.gethostname());
    expect(nsOf(process.pid, "uts")).toBe(main);
  });

  test("a pidfd enters another process's namespaces (setns with a pidfd, Linux 5.8): a Worker takes a child's host name", async () => {
    const child = Bun.spawn(["unshare", "--uts", "sh", "-c", "hostname from-a-pidfd && echo ready && exec sleep 30"], { stdout: "pipe" });
    try {
      const reader = child.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("ready\n");
      const pidfd = b.pidfdOpen(child.pid);
      try {
        const w = worker(`
          b.setns(${pidfd}, b.CLONE_NEWUTS);
          postMessage(b.gethostname());
        `);
        expect(await w.message).toBe("from-a-pidfd");
        await w.end();
        expect(b.gethostname()).not.toBe("from-a-pidfd");
      } finally {
        closeSync(pidfd);
      }
    } finally {
      child.kill();
      await child.exited;
    }
    expect(thrown(() => b.pidfdOpen(0x3ffffffe)).code).toBe("ESRCH");
    expect(() => b.pidfdOpen(0)).toThrow(RangeError);
    expect(() => b.pidfdOpen(1, 1)).toThrow(RangeError);
  });

  test("after unshare(CLONE_NEWNS) on the JS thread: what sees the new mount and what does not (docs/namespace.md's table)", () => {
    const r = runChild(
      `
      const fs = require("fs");
      const dir = fs.mkdtempSync("/tmp/butter-rule-");
      b.unshare(b.CLONE_NEWNS);
      b.mount(null, "/", null, b.MS_REC | b.MS_PRIVATE);
      b.mount("tmpfs", dir, "tmpfs", 0, "size=64k");
      fs.writeFileSync(dir + "/x", "inside");
      const seen = {};
      const look = async (k, f) => { try { seen[k] = String(await f()); } catch (e) { seen[k] = e.code ?? String(e); } };
      await look("readFileSync", () => fs.readFileSync(dir + "/x", "utf8"));
      await look("fs.promises.readFile", () => fs.promises.readFile(dir + "/x", "utf8"));
      await look("Bun.file().text()", () => Bun.file(dir + "/x").text());
      await look("Bun.spawnSync", () => Bun.spawnSync(["cat", dir + "/x"]).stdout.toString());
      await look("Bun.spawn", async () => await new Response(Bun.spawn(["cat", dir + "/x"]).stdout).text());
      const w = new Worker(URL.createObjectURL(new Blob(["postMessage(require('fs').readFileSync(" + JSON.stringify(dir + "/x") + ", 'utf8'))"])));
      seen["a Worker started after"] = await new Promise((r) => (w.onmessage = (e) => r(e.data)));
      w.terminate();
      b.umount2(dir, b.MNT_DETACH);
      fs.rmdirSync(dir);
      report(seen);
      `,
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([
      {
        readFileSync: "inside",
        // Bun's pool threads serve these, and they are still in the old namespace
        "fs.promises.readFile": "ENOENT",
        "Bun.file().text()": "ENOENT",
        "Bun.spawnSync": "inside",
        "Bun.spawn": "inside",
        "a Worker started after": "inside",
      },
    ]);
  });
});
