// The benchmark script runs every row and writes its figures (bench/run.ts --smoke: tiny
// counts, one run each). Times are never asserted: only that each row was measured.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { ROOT } from "../harness/child.ts";

test("bun bench/run.ts runs every row and writes them, with the machine and the date, to bench/build/results.json", () => {
  const r = spawnSync(process.execPath, [`${ROOT}/bench/run.ts`, "--smoke"], { encoding: "utf8", timeout: 120_000, cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(readFileSync(`${ROOT}/bench/build/results.json`, "utf8"));
  expect(out.mode).toBe("smoke");
  expect(out.machine).toMatchObject({ cpus: expect.any(Number), kernel: expect.any(String), bun: Bun.version });
  expect(Date.now() - Date.parse(out.date)).toBeLessThan(300_000);
  const names: string[] = out.rows.map((x: { name: string }) => x.name);
  for (const want of ["sync C: write+read", "wait butter: await get() woken by a Worker", "wait butter, thread backend: the same, pinned", "wait Bun's floor: the same, pinned", "start import butter", "start ready at: first use of one family (butter/inotify)", "start in process: the bundle's top-level statements running", "start of which: the first call (TinyCC compiles every family's helpers)", "mask processSigmask, per thread reached"]) {
    expect(names).toContain(want);
  }
  for (const x of out.rows) expect(Number.isFinite(x.ns) && x.ns > 0, x.name).toBe(true);
  expect(out.inotify.length).toBeGreaterThanOrEqual(8);
  for (const x of out.inotify) expect(Number.isFinite(x.nsPerEvent) && x.nsPerEvent > 0, x.name).toBe(true);
  // the busy-thread rows: every watcher ran and reported (counts, not times)
  expect(out.inotifyBusy.map((x: { name: string }) => x.name)).toEqual([
    "butter InotifyTree (the drain reads meanwhile)",
    "butter InotifyTree, { drain: false }",
    "@parcel/watcher (its own thread reads)",
    "chokidar (fs.watch)",
  ]);
  for (const x of out.inotifyBusy) expect(x.reported > 0 && x.reported <= x.files && Number.isFinite(x.lagMs), x.name).toBe(true);
  for (const to of ["file", "tcp"]) {
    const names = out.splice.filter((x: { to: string }) => x.to === to).map((x: { name: string }) => x.name);
    expect(names, to).toEqual(expect.arrayContaining(["C: splice loop (1 MiB pipe)", "butter spliceAll"]));
  }
  for (const x of out.splice) expect(Number.isFinite(x.mibPerSecond) && x.mibPerSecond > 0 && x.bytes > 0, x.name).toBe(true);
  const aio = out.aio.map((x: { name: string; depth: number }) => `${x.name} @${x.depth}`);
  for (const d of [1, 32, 128]) expect(aio).toContain(`butter AioContext, O_DIRECT @${d}`);
  for (const x of out.aio) expect(Number.isFinite(x.iops) && x.iops > 0, x.name).toBe(true);
  if (process.getuid?.() === 0) {
    // fanotify needs root: both groups in both modes, and the round trip unpinned and pinned
    const fan = out.fanotify.map((x: { name: string }) => x.name);
    for (const want of ["fid drain butter FanotifyAsync: await get()", "fd live butter Fanotify: readEvents()", "perm pinned butter FanotifyAsync: await get(), allow()"]) {
      expect(fan).toContain(want);
    }
    expect(fan.length).toBe(16);
    for (const x of out.fanotify) expect(Number.isFinite(x.nsPerEvent) && x.nsPerEvent > 0, x.name).toBe(true);
  }
  // every row printed in the table is in the file
  const printed = r.stdout.split("\n").filter((l) => /^(sync|async|wait|start|signal|mask) /.test(l));
  expect(printed.length).toBe(out.rows.length);
}, 130_000);
