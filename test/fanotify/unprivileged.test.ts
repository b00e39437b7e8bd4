// @privileged: runs a child as nobody (setpriv needs root); unprivileged fanotify came in Linux 5.13
// Unprivileged fanotify: FID groups with inode marks are allowed since Linux 5.13; fd
// groups, permission classes and mount or filesystem marks are not.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { kernelVersion } from "../../src/index.ts";

const root = process.getuid?.() === 0;
const [major, minor] = kernelVersion();
const since513 = major > 5 || (major === 5 && minor >= 13);

describe.skipIf(!root)("as nobody (needs root for setpriv)", () => {
  test("a FID group with inode marks works (Linux 5.13), with paths; what needs privilege says EPERM (before 5.13: all of it)", () => {
    if (!since513) {
      const script = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
        try { new b.Fanotify(b.FAN_REPORT_DFID_NAME); console.log("made"); } catch (e) { console.log(e.name, e.code); }`;
      const env = { ...process.env };
      delete env.BUTTER_HELPERS_PREBUILT;
      const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { encoding: "utf8", env });
      expect(r.stdout.trim()).toBe("PermissionError EPERM");
      return;
    }
    const dir = mkdtempSync("/tmp/butter-unpriv-");
    chmodSync(dir, 0o777);
    try {
      const script = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
        const out = {};
        const code = (fn) => { try { fn(); return "ok"; } catch (e) { return e.name + " " + e.code; } };
        const f = b.fanotifyFeatures();
        out.features = [f.notificationGroups, f.permissionEvents, f.fid, f.dfidName];
        out.fdGroup = code(() => new b.Fanotify());
        out.content = code(() => new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_REPORT_FID));
        const fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
        out.mountMark = code(() => fan.mark(${JSON.stringify(dir)}, b.FAN_CREATE, b.FAN_MARK_MOUNT));
        fan.mark(${JSON.stringify(dir)}, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD | b.FAN_ONDIR);
        require("node:fs").writeFileSync(${JSON.stringify(dir)} + "/mine", "");
        out.events = fan.readEvents().map((e) => [e.flags.join("|"), e.path, e.pid === process.pid]);
        fan.close();
        console.log(JSON.stringify(out));`;
      // (the child compiles its own helpers: the C coverage run's prebuilt ones are root's)
      const env = { ...process.env };
      delete env.BUTTER_HELPERS_PREBUILT;
      const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], {
        encoding: "utf8",
        env,
      });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual({
        features: [undefined, undefined, true, true].map((x) => x ?? null),
        fdGroup: "PermissionError EPERM",
        content: "PermissionError EPERM",
        mountMark: "PermissionError EPERM",
        events: [["FAN_CREATE", `${dir}/mine`, true]],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
