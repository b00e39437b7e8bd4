// Differential test: fatrace (Debian's fanotify tool) and butter watch the same tmpfs,
// mounted in a mount namespace of their own, through the same scripted workload run by
// another process; what each reports, per process and path, must be the same.
// (Where fatrace is installed: the host and the VM guests. As root, which fatrace and
// mounts need.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { canUnshare, runChild } from "../../harness/child.ts";

const have = spawnSync("fatrace", ["--help"]).error === undefined;
const root = process.getuid?.() === 0 && canUnshare(["--mount"]);

// The workload: creations, writes, a write-only open with no write, reads, a rename in a
// directory and one across directories, a mkdir, a delete.
const WORKLOAD = [
  "exec 3>>quiet; exec 3>&-",
  "echo a > f1",
  "cat f1 > /dev/null",
  "echo b >> f2",
  "mkdir sub",
  "echo c > sub/f3",
  "mv f1 g1",
  "mv f2 sub/g2",
  "rm g1",
  "cat sub/f3 > /dev/null",
].join("; ");

// Both name an fd's file when they read its event, so a file renamed by then (f1 to g1,
// f2 to sub/g2) has its new name: which name each sees depends on when each ran (under
// emulation fatrace read after the renames and butter's drain before). Both reports are
// compared by the file's first name, the letters of its two names joined.
function byFirstName(report: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, letters] of Object.entries(report)) {
    const k = key.replace(/\/g1$/, "/f1").replace(/\/sub\/g2$/, "/f2");
    out[k] = [...new Set([...(out[k] ?? ""), ...letters])].sort().join("");
  }
  return out;
}

describe.skipIf(!have || !root)("fatrace and butter (needs fatrace, and root for a mount namespace)", () => {
  test("report the same events for the same workload", () => {
    const dir = mkdtempSync("/tmp/butter-diff-");
    let r: ReturnType<typeof runChild>;
    try {
      r = runChild(
        `
        const dir = process.env.DIR;
        // fatrace: its own output file, outside the tmpfs; -c: the mount of its working directory
        const out = "/tmp/butter-fatrace-" + process.pid;
        const fat = Bun.spawn(["fatrace", "-c", "-o", out], { cwd: dir, stderr: "inherit" });
        await Bun.sleep(500); // (fatrace says nothing when its marks are set)
        // butter, the same two groups fatrace makes: fds and paths on the mount, and
        // directory entries (FID, with names) on the filesystem
        using files = new b.Fanotify(b.FAN_NONBLOCK);
        files.mark(dir, b.FAN_ACCESS | b.FAN_MODIFY | b.FAN_OPEN | b.FAN_CLOSE, b.FAN_MARK_MOUNT);
        using entries = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
        entries.mark(dir, b.FAN_CREATE | b.FAN_DELETE | b.FAN_MOVED_FROM | b.FAN_MOVED_TO | b.FAN_ONDIR, b.FAN_MARK_FILESYSTEM);
        const w = Bun.spawnSync(["sh", "-c", ${JSON.stringify(WORKLOAD)}], { cwd: dir });
        if (w.exitCode !== 0) throw new Error("workload failed: " + w.stderr);
        await Bun.sleep(500);
        fat.kill("SIGINT");
        await fat.exited;
        const seen = {};
        const add = (pid, path, letters) => { const k = pid + " " + path; seen[k] = [...new Set([...(seen[k] ?? ""), ...letters])].sort().join(""); };
        for (const ev of files.readEvents()) {
          add(ev.pid, ev.path, [
            ev.mask & b.FAN_ACCESS ? "R" : "", ev.mask & (b.FAN_MODIFY | b.FAN_CLOSE_WRITE) ? "W" : "",
            ev.mask & b.FAN_CLOSE ? "C" : "", ev.mask & b.FAN_OPEN ? "O" : ""].join(""));
        }
        for (const ev of entries.readEvents()) {
          // fatrace names the directory of an entry event
          const parent = ev.path.slice(0, ev.path.lastIndexOf("/"));
          add(ev.pid, parent, [
            ev.mask & b.FAN_CREATE ? "+" : "", ev.mask & b.FAN_DELETE ? "D" : "",
            ev.mask & b.FAN_MOVED_FROM ? "<" : "", ev.mask & b.FAN_MOVED_TO ? ">" : ""].join(""));
        }
        const text = await Bun.file(out).text();
        require("node:fs").rmSync(out);
        const theirs = {};
        for (const line of text.split("\\n").filter(Boolean)) {
          const m = /^.*\\((\\d+)\\): (\\S+)\\s+(.*)$/.exec(line);
          if (!m) throw new Error("fatrace said: " + line);
          const k = m[1] + " " + m[3];
          theirs[k] = [...new Set([...(theirs[k] ?? ""), ...m[2]])].sort().join("");
        }
        report({ butter: seen, fatrace: theirs });
        `,
        {
          unshare: ["--mount", "--propagation", "private"],
          setup: 'mount -t tmpfs butter-diff "$DIR"',
          env: { DIR: dir },
          timeoutMs: 30_000,
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true }); // (the tmpfs went with the namespace)
    }
    expect(r.stderr).toBe("");
    const [{ butter, fatrace }] = r.reports as [{ butter: Record<string, string>; fatrace: Record<string, string> }];
    expect(Object.keys(fatrace).length).toBeGreaterThanOrEqual(8);
    expect(byFirstName(butter)).toEqual(byFirstName(fatrace));
  });
});
