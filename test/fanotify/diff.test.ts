// Differential test: fatrace (Debian's fanotify tool) and butter watch the same tmpfs,
// mounted in a mount namespace of their own, through the same scripted workload run by
// other processes; what each reports, per process and path, must be the same.
// (Where fatrace is installed: the host and the VM guests. As root, which fatrace and
// mounts need.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { canUnshare, runChild } from "../../harness/child.ts";

const have = spawnSync("fatrace", ["--help"]).error === undefined;
const root = process.getuid?.() === 0 && canUnshare(["--mount"]);

// The workload, in two steps: creations, writes, a write-only open with no write, reads,
// a mkdir; then a rename in a directory and one across directories, a delete, a read.
// Both readers name a file by its handle or fd when they read its event, so a file renamed
// or deleted by then would be named by whenever each happened to read (under emulation
// fatrace read after the renames, and found g1 gone). The second step starts only once both
// have read the first.
const CREATE = ["exec 3>>quiet; exec 3>&-", "echo a > f1", "cat f1 > /dev/null", "echo b >> f2", "mkdir sub", "echo c > sub/f3"];
const RENAME = ["mv f1 g1", "mv f2 sub/g2", "rm g1", "cat sub/f3 > /dev/null"];

describe.skipIf(!have || !root)("fatrace and butter (needs fatrace, and root for a mount namespace)", () => {
  test("report the same events for the same workload", () => {
    const dir = mkdtempSync("/tmp/butter-diff-");
    let r: ReturnType<typeof runChild>;
    try {
      r = runChild(
        `
        const dir = process.env.DIR;
        const fs = require("node:fs");
        // fatrace: its own output file, outside the tmpfs; -c: the filesystem of its working directory
        const out = "/tmp/butter-fatrace-" + process.pid;
        const fat = Bun.spawn(["fatrace", "-c", "-o", out], { cwd: dir, stderr: "inherit" });
        const theirText = () => { try { return fs.readFileSync(out, "utf8"); } catch { return ""; } };
        // fatrace writes each event's line as it reads it, from one group in order: once it
        // has named a file created after some events, it has read those events. The processes
        // that create such files are left out of both reports.
        const markers = new Set();
        const fatraceHasRead = async (name) => {
          for (let i = 0; i < 300; i++) {
            markers.add(Bun.spawnSync(["touch", name + "." + i], { cwd: dir }).pid);
            await Bun.sleep(100);
            if (theirText().includes("/" + name + ".")) return;
          }
          throw new Error("fatrace did not report " + name + " within 30 s");
        };
        await fatraceHasRead("ready"); // (it says nothing when its mark is set)
        // butter: fds and paths on the mount, and directory entries (FID, with names) on the
        // filesystem (fatrace itself makes one FID group)
        using files = new b.Fanotify(b.FAN_NONBLOCK);
        files.mark(dir, b.FAN_ACCESS | b.FAN_MODIFY | b.FAN_OPEN | b.FAN_CLOSE, b.FAN_MARK_MOUNT);
        using entries = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
        entries.mark(dir, b.FAN_CREATE | b.FAN_DELETE | b.FAN_MOVED_FROM | b.FAN_MOVED_TO | b.FAN_ONDIR, b.FAN_MARK_FILESYSTEM);
        const fileEvents = [], entryEvents = [];
        const step = async (commands, name) => {
          const w = Bun.spawnSync(["sh", "-c", commands.join("; ")], { cwd: dir });
          if (w.exitCode !== 0) throw new Error("workload failed: " + w.stderr);
          await fatraceHasRead(name);
          fileEvents.push(...files.readEvents());
          entryEvents.push(...entries.readEvents());
        };
        await step(${JSON.stringify(CREATE)}, "created");
        await step(${JSON.stringify(RENAME)}, "renamed");
        fat.kill("SIGINT");
        await fat.exited;
        const seen = {};
        const add = (pid, path, letters) => {
          if (markers.has(pid)) return;
          const k = pid + " " + path;
          seen[k] = [...new Set([...(seen[k] ?? ""), ...letters])].sort().join("");
        };
        for (const ev of fileEvents) {
          add(ev.pid, ev.path, [
            ev.mask & b.FAN_ACCESS ? "R" : "", ev.mask & (b.FAN_MODIFY | b.FAN_CLOSE_WRITE) ? "W" : "",
            ev.mask & b.FAN_CLOSE ? "C" : "", ev.mask & b.FAN_OPEN ? "O" : ""].join(""));
        }
        for (const ev of entryEvents) {
          // fatrace names the directory of an entry event
          const parent = ev.path.slice(0, ev.path.lastIndexOf("/"));
          add(ev.pid, parent, [
            ev.mask & b.FAN_CREATE ? "+" : "", ev.mask & b.FAN_DELETE ? "D" : "",
            ev.mask & b.FAN_MOVED_FROM ? "<" : "", ev.mask & b.FAN_MOVED_TO ? ">" : ""].join(""));
        }
        const text = theirText();
        fs.rmSync(out);
        const theirs = {};
        for (const line of text.split("\\n").filter(Boolean)) {
          const m = /^.*\\((\\d+)\\): (\\S+)\\s+(.*)$/.exec(line);
          if (!m) throw new Error("fatrace said: " + line);
          if (markers.has(Number(m[1]))) continue;
          const k = m[1] + " " + m[3];
          theirs[k] = [...new Set([...(theirs[k] ?? ""), ...m[2]])].sort().join("");
        }
        report({ butter: seen, fatrace: theirs });
        `,
        {
          unshare: ["--mount", "--propagation", "private"],
          setup: 'mount -t tmpfs butter-diff "$DIR"',
          env: { DIR: dir },
          timeoutMs: 100_000, // (fatrace's start and each step's wait are slow under emulation)
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true }); // (the tmpfs went with the namespace)
    }
    expect(r.stderr).toBe("");
    const [{ butter, fatrace }] = r.reports as [{ butter: Record<string, string>; fatrace: Record<string, string> }];
    expect(Object.keys(fatrace).length).toBeGreaterThanOrEqual(8);
    expect(butter).toEqual(fatrace);
  }, 120_000);
});
