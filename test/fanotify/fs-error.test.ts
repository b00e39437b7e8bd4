// @privileged: a filesystem mark needs CAP_SYS_ADMIN, and the broken filesystem a mount
// A real FAN_FS_ERROR: an ext4 with a corrupt inode (harness/ext4-error.ts, made by
// mkfs.ext4 and debugfs without mounting it), mounted in a child's mount namespace: on
// the host through a loop device, in the VM guests as their second disk (/dev/vdb).
// Reading the file makes ext4 report the error; the event and its records are what the
// kernel wrote. (The Linux Test Project's fanotify22 checks the same way.)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { canUnshare, runChild } from "../../harness/child.ts";
import { makeCorruptExt4 } from "../../harness/ext4-error.ts";
import { thrown } from "../helpers.ts";

const root = process.getuid?.() === 0;
const guest = process.env.BUTTER_VM === "1";
const fsError = root && b.fanotifyFeatures().fsError;
const tools = ["/usr/sbin/mkfs.ext4", "/usr/sbin/debugfs", "/sbin/mkfs.ext4", "/sbin/debugfs"].filter(existsSync).length >= 2;
const loop = existsSync("/dev/loop-control");
const usable = root && canUnshare(["--mount"]) && (guest ? existsSync("/dev/vdb") : tools && loop);

test.skipIf(!usable)(
  "a corrupt ext4 inode read twice: FAN_FS_ERROR events whose error records count both, with the inode's FID; before 5.16 the mark is refused, naming the feature (needs root, a mount namespace, a loop device and e2fsprogs on the host; the guests' second disk)",
  () => {
    if (!fsError) {
      using fan = new b.Fanotify(b.FAN_REPORT_FID | b.FAN_NONBLOCK);
      expect(thrown(() => fan.mark("/", b.FAN_FS_ERROR, b.FAN_MARK_FILESYSTEM)).message).toMatch(/fsError needs Linux 5\.16/);
      return;
    }
    const scratch = mkdtempSync(`${tmpdir()}/butter-fs-error-`);
    try {
      const dir = `${scratch}/mnt`;
      let device = "/dev/vdb";
      let opts = "errors=continue";
      if (!guest) {
        device = `${scratch}/ext4.img`;
        makeCorruptExt4(device);
        opts += ",loop";
      }
      const r = runChild(
        `const dir = ${JSON.stringify(dir)};
        const fan = new b.Fanotify(b.FAN_REPORT_FID | b.FAN_NONBLOCK);
        fan.mark(dir, b.FAN_FS_ERROR, b.FAN_MARK_FILESYSTEM);
        const fs = require("fs");
        const inode = Number(fs.readFileSync(dir + "/inode", "utf8"));
        const codes = [1, 2].map(() => { try { fs.readFileSync(dir + "/f"); return "read"; } catch (e) { return e.code; } });
        const events = fan.readEvents().map((e) => ({
          flags: e.flags,
          records: e.records.map((r) => r.type === "fid"
            ? { type: r.type, handleType: r.handle.type, ino: new DataView(r.handle.bytes.buffer, r.handle.bytes.byteOffset, 4).getUint32(0, true) }
            : r),
        }));
        report({ inode, codes, events });`,
        { unshare: ["--mount", "--propagation", "private"], setup: `mkdir -p ${dir} && mount -t ext4 -o ${opts} ${device} ${dir}` },
      );
      expect(r.stderr).toBe("");
      const rep = r.reports[0] as { inode: number; codes: string[]; events: unknown[] };
      expect(rep.codes).toEqual(["EUCLEAN", "EUCLEAN"]);
      // The kernel keeps one error event per group and counts further errors into it while
      // it is unread; once read (the drain reads at once when the reads take long, as
      // under emulation), the next error makes a new one. Either way: 117 (EFSCORRUPTED,
      // EUCLEAN) twice, each with ext4's handle of the inode (FILEID_INO32_GEN, the inode
      // number first).
      const events = rep.events as { flags: string[]; records: { type: string; count?: number }[] }[];
      expect(events.length).toBeGreaterThanOrEqual(1);
      let count = 0;
      for (const ev of events) {
        expect(ev).toEqual({
          flags: ["FAN_FS_ERROR"],
          records: [
            { type: "fid", handleType: 1, ino: rep.inode },
            { type: "error", error: 117, count: expect.any(Number) },
          ],
        });
        count += ev.records[1]!.count!;
      }
      expect(count).toBe(2);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
