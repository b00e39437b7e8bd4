import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as fs from "node:fs";
import { InotifyTree } from "../src/inotify-tree.ts";
import type { InotifyEvent } from "../src/inotify.ts";
import { IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_MOVE } from "../src/sys/inotify.ts";
import { QueueEmpty } from "../src/queue.ts";

let dir: string;
let out: string;
beforeEach(() => {
  dir = fs.mkdtempSync("/tmp/butter-tree-");
  out = fs.mkdtempSync("/tmp/butter-tree-out-");
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

const show = (e: InotifyEvent) => `${e.flags.join("|")} ${e.path.replace(dir, "R")}`;
const drain = (t: InotifyTree) => {
  const got: string[] = [];
  for (;;) {
    try {
      got.push(show(t.getNowait()));
    } catch (e) {
      if (e instanceof QueueEmpty) return got;
      throw e;
    }
  }
};

describe("InotifyTree", () => {
  test("watches what exists, and reports under full paths", () => {
    fs.mkdirSync(`${dir}/a/b`, { recursive: true });
    using t = new InotifyTree(dir, IN_CREATE);
    expect([...t.inotify.watches.values()].sort()).toEqual([dir, `${dir}/a`, `${dir}/a/b`]);
    fs.writeFileSync(`${dir}/a/b/f`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/a/b/f"]);
  });

  test("a new directory: watched, then listed, so files made before its watch are not missed", () => {
    using t = new InotifyTree(dir, IN_CREATE | IN_CLOSE_WRITE);
    // all of this happens before the tree reads a single event
    fs.mkdirSync(`${dir}/n/m`, { recursive: true });
    fs.writeFileSync(`${dir}/n/early`, "");
    fs.writeFileSync(`${dir}/n/m/deeper`, "");
    const got = drain(t);
    expect(got.slice(0, 1)).toEqual(["IN_CREATE|IN_ISDIR R/n"]);
    expect(new Set(got.slice(1))).toEqual(new Set(["IN_CREATE|IN_ISDIR R/n/m", "IN_CREATE R/n/early", "IN_CREATE R/n/m/deeper"]));
    fs.writeFileSync(`${dir}/n/m/later`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/n/m/later", "IN_CLOSE_WRITE R/n/m/later"]);
  });

  test("directories moved within, in and out; the watches follow", async () => {
    fs.mkdirSync(`${dir}/a/sub`, { recursive: true });
    fs.mkdirSync(`${out}/x/y`, { recursive: true });
    using t = new InotifyTree(dir, IN_CREATE | IN_MOVE);
    fs.renameSync(`${dir}/a`, `${dir}/b`); // within
    fs.renameSync(`${out}/x`, `${dir}/x`); // in
    drain(t);
    expect([...t.inotify.watches.values()].sort()).toEqual([dir, `${dir}/b`, `${dir}/b/sub`, `${dir}/x`, `${dir}/x/y`]);
    fs.renameSync(`${dir}/b`, `${out}/b`); // out
    expect(drain(t)).toEqual(["IN_MOVED_FROM|IN_ISDIR R/b"]);
    expect([...t.inotify.watches.values()].sort()).toEqual([dir, `${dir}/x`, `${dir}/x/y`]);
    fs.writeFileSync(`${out}/b/sub/gone`, ""); // not reported: no longer in the tree
    fs.writeFileSync(`${dir}/x/y/here`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/x/y/here"]);
  });

  test("a new directory renamed before the tree read its IN_CREATE: still watched and listed", () => {
    using t = new InotifyTree(dir, IN_CREATE | IN_MOVE);
    fs.mkdirSync(`${dir}/new/inner`, { recursive: true });
    fs.writeFileSync(`${dir}/new/inner/f`, "");
    fs.renameSync(`${dir}/new`, `${dir}/renamed`);
    const got = drain(t);
    expect(got.slice(0, 3)).toEqual(["IN_CREATE|IN_ISDIR R/new", "IN_MOVED_FROM|IN_ISDIR R/new", "IN_MOVED_TO|IN_ISDIR R/renamed"]);
    expect(new Set(got.slice(3))).toEqual(new Set(["IN_CREATE|IN_ISDIR R/renamed/inner", "IN_CREATE R/renamed/inner/f"]));
    fs.writeFileSync(`${dir}/renamed/inner/g`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/renamed/inner/g"]);
  });

  test("a directory moved out and deleted before the tree catches up", () => {
    fs.mkdirSync(`${dir}/b/sub`, { recursive: true });
    using t = new InotifyTree(dir, IN_CREATE | IN_MOVE);
    fs.renameSync(`${dir}/b`, `${out}/b`);
    fs.rmSync(`${out}/b`, { recursive: true }); // the kernel drops those watches first
    expect(drain(t)).toEqual(["IN_MOVED_FROM|IN_ISDIR R/b"]);
    expect([...t.inotify.watches.values()]).toEqual([dir]);
  });

  test("deleting directories cleans up; deleting the root ends the loop", async () => {
    fs.mkdirSync(`${dir}/d/e`, { recursive: true });
    const t = new InotifyTree(dir, IN_DELETE);
    setTimeout(() => fs.rmSync(dir, { recursive: true }), 5);
    const got: string[] = [];
    for await (const e of t) got.push(show(e));
    expect(got).toContain("IN_DELETE|IN_ISDIR R/d");
    expect(got.at(-1)).toBe("IN_IGNORED R");
    expect(t.inotify.closed).toBe(true);
  });

  test("a root that does not exist, or is a file: the error, and no fd left", () => {
    expect(() => new InotifyTree(`${dir}/none`)).toThrow(expect.objectContaining({ code: "ENOENT" }));
    fs.writeFileSync(`${dir}/file`, "");
    expect(() => new InotifyTree(Buffer.from(`${dir}/file`))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
  });

  test("get() serves events one at a time, in order, and honours an AbortSignal", async () => {
    await using t = new InotifyTree(dir, IN_CREATE);
    const ac = new AbortController();
    const aborted = t.get({ signal: ac.signal });
    ac.abort(new Error("nope"));
    await expect(aborted).rejects.toThrow("nope");
    const a = t.get();
    const b = t.get();
    fs.mkdirSync(`${dir}/p`);
    fs.writeFileSync(`${dir}/p/q`, "");
    expect([show(await a), show(await b)]).toEqual(["IN_CREATE|IN_ISDIR R/p", "IN_CREATE R/p/q"]);
  });
});
