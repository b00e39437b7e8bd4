// @privileged: mount and filesystem marks, and the newer kernels' events, need CAP_SYS_ADMIN
// What the Linux Test Project's fanotify tests check, as a guide: ignore masks across
// inode and mount marks, evictable marks, FID groups' errors; and the features of newer
// kernels, each tested where the kernel has it and named in the error where it has not:
// mount events (6.15), pre-content events with their range record and the errno-carrying
// deny (6.14), the audit rule record (6.3).
import { readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, onTestFinished, test } from "vitest";
import * as b from "../../src/index.ts";
import { canUnshare, runChild } from "../../harness/child.ts";
import { tempDirs, thrown } from "../helpers.ts";
import { expectNoFsid, fidMarkable } from "./fid.ts";

const root = process.getuid?.() === 0;
const dirs = tempDirs("marks");
const features = root ? b.fanotifyFeatures() : undefined;
const TMPFS_MAGIC = 0x01021994;

describe.skipIf(!root)("marks (needs root: CAP_SYS_ADMIN)", () => {
  test("an inode's ignore mask silences it under a mount mark; the mount's other files still report", () => {
    writeFileSync(`${dirs.marks}/quiet`, "q");
    writeFileSync(`${dirs.marks}/loud`, "l");
    using fan = new b.Fanotify(b.FAN_NONBLOCK);
    fan.mark(dirs.marks, b.FAN_OPEN, b.FAN_MARK_MOUNT);
    fan.mark(`${dirs.marks}/quiet`, b.FAN_OPEN, b.FAN_MARK_IGNORED_MASK);
    readFileSync(`${dirs.marks}/quiet`);
    readFileSync(`${dirs.marks}/loud`);
    const mine = fan.readEvents().filter((e) => e.path?.startsWith(dirs.marks));
    expect(mine.map((e) => e.path)).toEqual([`${dirs.marks}/loud`]);
  });

  test("FAN_MARK_IGNORE (6.0) on a directory must survive modification, and then covers it", () => {
    if (features?.ignoreMarks !== true) {
      using plain = new b.Fanotify(b.FAN_NONBLOCK);
      expect(thrown(() => plain.mark(dirs.marks, b.FAN_OPEN, b.FAN_MARK_IGNORE)).message).toMatch(/ignoreMarks needs Linux 6\.0/);
      return;
    }
    if (!fidMarkable(dirs.marks)) return expectNoFsid(dirs.marks);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
    fan.mark(dirs.marks, b.FAN_CREATE | b.FAN_ONDIR | b.FAN_EVENT_ON_CHILD);
    expect(thrown(() => fan.mark(dirs.marks, b.FAN_CREATE | b.FAN_ONDIR, b.FAN_MARK_IGNORE)).code).toBe("EISDIR");
    writeFileSync(`${dirs.marks}/before`, "");
    fan.mark(dirs.marks, b.FAN_CREATE | b.FAN_ONDIR | b.FAN_EVENT_ON_CHILD, b.FAN_MARK_IGNORE_SURV);
    writeFileSync(`${dirs.marks}/after`, "");
    expect(fan.readEvents().map((e) => e.name)).toEqual(["before"]);
  });

  test("an evictable mark (5.19) reports; a plain mark cannot become evictable", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK);
    if (features?.evictableMarks !== true) {
      expect(thrown(() => fan.mark(dirs.marks, b.FAN_OPEN, b.FAN_MARK_EVICTABLE)).message).toMatch(/evictableMarks needs Linux 5\.19/);
      return;
    }
    fan.mark(dirs.marks, b.FAN_OPEN | b.FAN_EVENT_ON_CHILD, b.FAN_MARK_EVICTABLE);
    writeFileSync(`${dirs.marks}/e`, "");
    readFileSync(`${dirs.marks}/e`);
    expect(fan.readEvents().some((e) => e.path === `${dirs.marks}/e`)).toBe(true);
    // (LTP fanotify23: an existing non-evictable mark may not be made evictable)
    writeFileSync(`${dirs.marks}/pinned`, "");
    fan.mark(`${dirs.marks}/pinned`, b.FAN_OPEN);
    expect(thrown(() => fan.mark(`${dirs.marks}/pinned`, b.FAN_OPEN, b.FAN_MARK_EVICTABLE)).code).toBe("EEXIST");
    // and evictable marks are for inodes only
    expect(thrown(() => fan.mark(dirs.marks, b.FAN_OPEN, b.FAN_MARK_EVICTABLE | b.FAN_MARK_MOUNT)).code).toBe("EINVAL");
  });

  test("FID groups: events that need an fd, and names without directory handles, are EINVAL", () => {
    if (!fidMarkable(dirs.marks)) return expectNoFsid(dirs.marks);
    expect(thrown(() => new b.Fanotify(b.FAN_REPORT_NAME)).code).toBe("EINVAL");
    using fid = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_FID);
    // permission events need an fd group (FID groups carry no fd to answer with)
    expect(thrown(() => new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_REPORT_FID)).code).toBe("EINVAL");
    // directory entry events on a mount mark (they need an inode or filesystem mark)
    expect(thrown(() => fid.mark(dirs.marks, b.FAN_CREATE, b.FAN_MARK_MOUNT)).code).toBe("EINVAL");
    // and a plain fd group cannot ask for them at all
    using fd = new b.Fanotify(b.FAN_NONBLOCK);
    expect(thrown(() => fd.mark(dirs.marks, b.FAN_CREATE)).code).toBe("EINVAL");
  });
});

describe.skipIf(!root)("features of newer kernels (needs root)", () => {
  test("mount events (6.15): an attach in a marked mount namespace, with its mount id; before 6.15, the error names the feature", () => {
    if (features?.mountEvents !== true) {
      expect(thrown(() => new b.Fanotify(b.FAN_REPORT_MNT)).message).toMatch(/mountEvents needs Linux 6\.15/);
      return;
    }
    if (!canUnshare(["--mount"])) return;
    const r = runChild(
      `
      await using fan = new b.FanotifyAsync(b.FAN_REPORT_MNT);
      fan.mark("/proc/self/ns/mnt", b.FAN_MNT_ATTACH | b.FAN_MNT_DETACH, b.FAN_MARK_MNTNS);
      const dir = require("node:fs").mkdtempSync("/tmp/butter-mnt-");
      Bun.spawnSync(["mount", "-t", "tmpfs", "butter-mnt", dir]);
      const ev = await fan.get();
      const id = require("node:fs").readFileSync("/proc/self/mountinfo", "utf8").split("\\n").find((l) => l.includes(dir));
      Bun.spawnSync(["umount", dir]);
      const gone = await fan.get();
      require("node:fs").rmdirSync(dir);
      report({ flags: ev.flags, records: ev.records.map((x) => x.type), mntId: typeof ev.records[0].mntId, path: ev.path, detach: gone.flags, same: gone.records[0].mntId === ev.records[0].mntId, listed: id !== undefined });
      `,
      { unshare: ["--mount", "--propagation", "private"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([
      { flags: ["FAN_MNT_ATTACH"], records: ["mnt"], mntId: "bigint", path: undefined, detach: ["FAN_MNT_DETACH"], same: true, listed: true },
    ]);
  });

  test("pre-content events (6.14): a read waits, with the range it reads; FAN_DENY_ERRNO fails it with that errno", async () => {
    if (features?.preContent !== true) {
      expect(thrown(() => new b.Fanotify(b.FAN_CLASS_PRE_CONTENT).mark(dirs.marks, b.FAN_PRE_ACCESS)).message).toMatch(
        /preContent needs Linux 6\.14|EINVAL/,
      );
      return;
    }
    // (pre-content marks need a filesystem that supports them: tmpfs does not, ext4 does)
    const file = `${tmpdir()}/butter-pre-content-${process.pid}`;
    writeFileSync(file, "0123456789");
    onTestFinished(() => rmSync(file, { force: true }));
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_PRE_CONTENT);
    if (statfsSync(tmpdir()).type === TMPFS_MAGIC) {
      expect(thrown(() => fan.mark(file, b.FAN_PRE_ACCESS)).code).toBe("EOPNOTSUPP");
      return;
    }
    fan.mark(file, b.FAN_PRE_ACCESS);
    const ok = Bun.spawn(["head", "-c", "4", file], { stdout: "pipe" });
    const ev = await fan.get();
    expect(ev.flags).toEqual(["FAN_PRE_ACCESS"]);
    const range = ev.records.find((x) => x.type === "range") as b.FanotifyRangeRecord;
    expect(range.offset).toBe(0n);
    expect(range.count).toBeGreaterThan(0n);
    ev.allow();
    expect(await ok.exited).toBe(0);
    expect(await new Response(ok.stdout).text()).toBe("0123");
    const refused = Bun.spawn(["cat", file], { stdout: "pipe", stderr: "pipe" });
    (await fan.get()).deny(b.ERRNO.EIO);
    expect(await refused.exited).toBe(1);
    expect(await new Response(refused.stderr).text()).toMatch(/Input\/output error/);
  });

  test("the audit rule record (6.3) is taken with FAN_INFO", async () => {
    if (features?.auditRule !== true) return;
    writeFileSync(`${dirs.marks}/audited`, "a");
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT | b.FAN_ENABLE_AUDIT);
    fan.mark(`${dirs.marks}/audited`, b.FAN_OPEN_PERM);
    const child = Bun.spawn(["cat", `${dirs.marks}/audited`], { stdout: "ignore" });
    const ev = await fan.get();
    ev.respond(b.FAN_ALLOW | b.FAN_AUDIT | b.FAN_INFO, { ruleNumber: 7 });
    expect(ev.answeredBy).toBe("program");
    expect(await child.exited).toBe(0);
  });
});
