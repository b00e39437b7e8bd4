// @privileged: runs on every kernel of the VM matrix, as root: each one's feature report for docs/kernels.md
// What this kernel offers, measured by butter's own calls, checked against what the
// kernel's version documents, and written to its report (harness/kernel-report.ts), from
// which docs/kernels.md's table is made. On the host the committed table's column for
// this kernel, when it has one, must be what was measured here.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { afterAll, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { reactorBackend, ready, READABLE } from "../../src/core/reactor.ts";
import { KERNELS_DOC, type KernelReport, writeReport } from "../../harness/kernel-report.ts";
import { block } from "../../harness/docs-blocks.ts";

const features: Record<string, string> = {};
const at = (major: number, minor: number) => {
  const [x, y] = b.kernelVersion();
  return x > major || (x === major && y >= minor);
};
// when each namespace type came (namespaces(7)): the kernel's version documents these
const NS_SINCE: Record<string, [number, number]> = { mnt: [2, 4], uts: [2, 6], ipc: [2, 6], pid: [2, 6], net: [2, 6], user: [3, 8], cgroup: [4, 6], time: [5, 6] };

test("namespaces(): every type this kernel's version documents, and no other", () => {
  const want = b.NAMESPACE_TYPES.filter((t) => at(...NS_SINCE[t]!));
  expect([...b.namespaces()].sort()).toEqual([...want].sort());
  for (const t of b.NAMESPACE_TYPES) features[`namespace: ${t}`] = b.namespaces().has(t) ? "yes" : "no";
});

test("Linux AIO: io_pgetevents (4.18) and IOCB_CMD_POLL (4.18) work; the reactor waits through AIO poll", async () => {
  const ctx = b.ioSetup(4);
  try {
    expect(b.ioPgetevents(ctx, 0, 1, 0, null)).toEqual([]);
    using e = new b.Eventfd(1, b.EFD_NONBLOCK);
    b.ioSubmit(ctx, [new b.Iocb({ opcode: b.IOCB_CMD_POLL, fd: e.fd, events: 1 })]);
    expect(b.ioGetevents(ctx, 1, 1, 5000)[0]!.res & 1).toBe(1);
  } finally {
    b.ioDestroy(ctx);
  }
  features["aio: io_pgetevents"] = "yes";
  features["aio: IOCB_CMD_POLL"] = "yes";
  using p = new b.Pipe();
  p.writer.close();
  await ready(p.reader.fd, READABLE);
  features["reactor backend"] = reactorBackend()!;
  expect(reactorBackend()).toBe(at(4, 18) ? "aio" : "thread");
});

test("RWF_NOWAIT on tmpfs: taken, or EOPNOTSUPP as the kernel says (every kernel tested says EOPNOTSUPP)", async () => {
  const path = "/dev/shm/butter-nowait";
  writeFileSync(path, "abcd");
  const fd = openSync(path, "r");
  try {
    await using ctx = new b.AioContext(2);
    const r = await ctx.read(fd, new Uint8Array(4), 0, { rwFlags: b.RWF_NOWAIT }).then(
      (n) => (n === 4 ? "yes" : `read ${n}`),
      (e) => (e.code === "EOPNOTSUPP" ? "no (EOPNOTSUPP)" : `${e.name} ${e.code}`),
    );
    expect(["yes", "no (EOPNOTSUPP)"]).toContain(r);
    features["aio: RWF_NOWAIT on tmpfs"] = r;
  } finally {
    closeSync(fd);
    rmSync(path);
  }
});

test("pipe-max-size and the largest pipe root may make", () => {
  const max = b.pipeMaxSize();
  using p = new b.Pipe();
  expect(p.resize(max)).toBe(max);
  features["splice: pipe-max-size"] = `${max >> 10} KiB`;
});

// Whether a feature whose FEATURE_SINCE entry is `since` ("5.17 (backported: 5.10.223)")
// should be here: from its version on, and on a stable line it was backported to from
// that patch release on. (Debian's release strings may say .0 where the stable release is
// .223: /proc/version has it; "Debian 10.2.1", the compiler's, may come first.)
function expectedHere(since: string): boolean {
  const [x, y, z0] = b.kernelVersion();
  const stable = [...readFileSync("/proc/version", "latin1").matchAll(/Debian (\d+)\.(\d+)\.(\d+)/g)].find(
    (m) => Number(m[1]) === x && Number(m[2]) === y,
  );
  const z = stable ? Number(stable[3]) : z0;
  const [major, minor] = since.split(/[.\s]/).map(Number) as [number, number];
  const backports = [...since.matchAll(/(\d+)\.(\d+)\.(\d+)/g)].map((m) => m.slice(1).map(Number));
  return at(major, minor) || backports.some(([bx, by, bz]) => x === bx && y === by && z >= bz!);
}

test("fanotify: each feature works from the version that brought it, and not before", () => {
  const f = b.fanotifyFeatures();
  const wrong: string[] = [];
  for (const [name, since] of Object.entries(b.FANOTIFY_FEATURE_SINCE) as [b.FanotifyFeature, string][]) {
    // (permission events also need CONFIG_FANOTIFY_ACCESS_PERMISSIONS: every Debian kernel has it)
    if (f[name] !== expectedHere(since)) wrong.push(`${name}: ${f[name]} (since ${since}; this is ${b.kernelRelease()})`);
    features[`fanotify: ${name}`] = f[name] ? "yes" : "no";
  }
  expect(wrong).toEqual([]);
});

test("mounts: each part of the mount API works from the version that brought it, and not before", () => {
  const f = b.mountFeatures();
  const wrong: string[] = [];
  for (const [name, since] of Object.entries(b.MOUNT_FEATURE_SINCE) as [b.MountFeature, string][]) {
    if (f[name] !== expectedHere(since)) wrong.push(`${name}: ${f[name]} (since ${since}; this is ${b.kernelRelease()})`);
    features[`mount: ${name}`] = f[name] ? "yes" : "no";
  }
  expect(wrong).toEqual([]);
});

afterAll(() => {
  const report: KernelReport = { release: b.kernelRelease(), arch: arch(), features };
  writeReport(report);
  // the committed table's column for this kernel, where it has one, is what was measured
  const text = block(readFileSync(KERNELS_DOC, "utf8"), "kernels");
  const [head, , ...rows] = text.split("\n");
  const cols = head!.split("|").map((c) => c.trim()).slice(2, -1);
  const col = cols.indexOf(`${report.release} (${report.arch})`);
  if (col < 0) return;
  for (const row of rows) {
    const cells = row.split("|").map((c) => c.trim()).slice(1, -1);
    const feature = cells[0]!;
    if (feature in features) expect(`${feature}: ${cells[col + 1]}`).toBe(`${feature}: ${features[feature]}`);
  }
});
