// @privileged: runs a child as nobody (setpriv needs root); unprivileged fanotify came in Linux 5.13
// Unprivileged fanotify: FID groups with inode marks are allowed since Linux 5.13 (and on
// stable lines it was backported to: Debian's 5.10.223 allows them); fd groups,
// permission classes and mount or filesystem marks are not.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { kernelVersion } from "../../src/index.ts";
import { fidMarkable } from "./fid.ts";

const root = process.getuid?.() === 0;
const [major, minor] = kernelVersion();
const since513 = major > 5 || (major === 5 && minor >= 13);

describe.skipIf(!root)("as nobody (needs root for setpriv)", () => {
  test("a FID group with inode marks works, with paths; what needs privilege says EPERM", () => {
    const dir = mkdtempSync("/tmp/butter-unpriv-");
    chmodSync(dir, 0o777);
    try {
      const script = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
        const out = {};
        const code = (fn) => { try { fn(); return "ok"; } catch (e) { return e.name + " " + e.code; } };
        let fan;
        out.made = code(() => { fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME); });
        if (fan) {
          const f = b.fanotifyFeatures();
          out.features = [f.notificationGroups, f.permissionEvents, f.fid, f.dfidName];
          out.fdGroup = code(() => new b.Fanotify());
          out.content = code(() => new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_REPORT_FID));
          out.mountMark = code(() => fan.mark(${JSON.stringify(dir)}, b.FAN_CREATE, b.FAN_MARK_MOUNT));
          out.mark = code(() => fan.mark(${JSON.stringify(dir)}, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD | b.FAN_ONDIR));
          require("node:fs").writeFileSync(${JSON.stringify(dir)} + "/mine", "");
          out.events = fan.readEvents().map((e) => [e.flags.join("|"), e.path, e.pid === process.pid]);
          fan.close();
        }
        console.log(JSON.stringify(out));`;
      // (the child compiles its own helpers: the C coverage run's prebuilt ones are root's)
      const env = { ...process.env };
      delete env.BUTTER_HELPERS_PREBUILT;
      const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], {
        encoding: "utf8",
        env,
      });
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout);
      if (out.made !== "ok") {
        // a kernel before 5.13 (without the backport): every group needs CAP_SYS_ADMIN
        expect([out.made, since513]).toEqual(["PermissionError EPERM", false]);
        return;
      }
      const markable = fidMarkable(dir);
      expect(out).toEqual({
        made: "ok",
        features: [null, null, true, true],
        fdGroup: "PermissionError EPERM",
        content: "PermissionError EPERM",
        mountMark: "PermissionError EPERM",
        // (a filesystem without an fsid, tmpfs on 5.10: the error says so, and no events)
        mark: markable ? "ok" : "OSError ENODEV",
        events: markable ? [["FAN_CREATE", `${dir}/mine`, true]] : [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
