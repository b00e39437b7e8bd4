import { describe, expect, test } from "vitest";
import * as fs from "node:fs";
import { InotifyTree } from "../../src/inotify/tree.ts";
import type { InotifyEvent } from "../../src/inotify/inotify.ts";
import { IN_ALL_EVENTS, IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_MOVE } from "../../src/inotify/calls.ts";
import { OSError } from "../../src/core/errors.ts";
import { spawnSync } from "node:child_process";
import { QueueEmpty } from "../../src/core/queue.ts";
import { tempDirs } from "../helpers.ts";

const tmp = tempDirs("tree", "out");

const show = (e: InotifyEvent) => `${e.flags.join("|")} ${e.path.replace(tmp.tree, "R")}`;
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
    fs.mkdirSync(`${tmp.tree}/a/b`, { recursive: true });
    using t = new InotifyTree(tmp.tree, IN_CREATE);
    expect([...t.inotify.watches.values()].sort()).toEqual([tmp.tree, `${tmp.tree}/a`, `${tmp.tree}/a/b`]);
    fs.writeFileSync(`${tmp.tree}/a/b/f`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/a/b/f"]);
  });

  test("a new directory: watched, then listed, so files made before its watch are not missed", () => {
    using t = new InotifyTree(tmp.tree, IN_CREATE | IN_CLOSE_WRITE);
    // all of this happens before the tree reads a single event
    fs.mkdirSync(`${tmp.tree}/n/m`, { recursive: true });
    fs.writeFileSync(`${tmp.tree}/n/early`, "");
    fs.writeFileSync(`${tmp.tree}/n/m/deeper`, "");
    const got = drain(t);
    expect(got.slice(0, 1)).toEqual(["IN_CREATE|IN_ISDIR R/n"]);
    expect(new Set(got.slice(1))).toEqual(new Set(["IN_CREATE|IN_ISDIR R/n/m", "IN_CREATE R/n/early", "IN_CREATE R/n/m/deeper"]));
    fs.writeFileSync(`${tmp.tree}/n/m/later`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/n/m/later", "IN_CLOSE_WRITE R/n/m/later"]);
  });

  test("directories moved within, in and out; the watches follow", async () => {
    fs.mkdirSync(`${tmp.tree}/a/sub`, { recursive: true });
    fs.mkdirSync(`${tmp.out}/x/y`, { recursive: true });
    using t = new InotifyTree(tmp.tree, IN_CREATE | IN_MOVE);
    fs.renameSync(`${tmp.tree}/a`, `${tmp.tree}/b`); // within
    fs.renameSync(`${tmp.out}/x`, `${tmp.tree}/x`); // in
    drain(t);
    expect([...t.inotify.watches.values()].sort()).toEqual([tmp.tree, `${tmp.tree}/b`, `${tmp.tree}/b/sub`, `${tmp.tree}/x`, `${tmp.tree}/x/y`]);
    fs.renameSync(`${tmp.tree}/b`, `${tmp.out}/b`); // out
    expect(drain(t)).toEqual(["IN_MOVED_FROM|IN_ISDIR R/b"]);
    expect([...t.inotify.watches.values()].sort()).toEqual([tmp.tree, `${tmp.tree}/x`, `${tmp.tree}/x/y`]);
    fs.writeFileSync(`${tmp.out}/b/sub/gone`, ""); // not reported: no longer in the tree
    fs.writeFileSync(`${tmp.tree}/x/y/here`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/x/y/here"]);
  });

  test("a new directory renamed before the tree read its IN_CREATE: still watched and listed", () => {
    using t = new InotifyTree(tmp.tree, IN_CREATE | IN_MOVE);
    fs.mkdirSync(`${tmp.tree}/new/inner`, { recursive: true });
    fs.writeFileSync(`${tmp.tree}/new/inner/f`, "");
    fs.renameSync(`${tmp.tree}/new`, `${tmp.tree}/renamed`);
    const got = drain(t);
    expect(got.slice(0, 3)).toEqual(["IN_CREATE|IN_ISDIR R/new", "IN_MOVED_FROM|IN_ISDIR R/new", "IN_MOVED_TO|IN_ISDIR R/renamed"]);
    expect(new Set(got.slice(3))).toEqual(new Set(["IN_CREATE|IN_ISDIR R/renamed/inner", "IN_CREATE R/renamed/inner/f"]));
    fs.writeFileSync(`${tmp.tree}/renamed/inner/g`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/renamed/inner/g"]);
  });

  test("a directory moved out and deleted before the tree catches up", () => {
    fs.mkdirSync(`${tmp.tree}/b/sub`, { recursive: true });
    using t = new InotifyTree(tmp.tree, IN_CREATE | IN_MOVE);
    fs.renameSync(`${tmp.tree}/b`, `${tmp.out}/b`);
    fs.rmSync(`${tmp.out}/b`, { recursive: true }); // the kernel drops those watches first
    expect(drain(t)).toEqual(["IN_MOVED_FROM|IN_ISDIR R/b"]);
    expect([...t.inotify.watches.values()]).toEqual([tmp.tree]);
  });

  test("deleting directories cleans up; deleting the root ends the loop", async () => {
    fs.mkdirSync(`${tmp.tree}/d/e`, { recursive: true });
    const t = new InotifyTree(tmp.tree, IN_DELETE);
    setTimeout(() => fs.rmSync(tmp.tree, { recursive: true }), 5);
    const got: string[] = [];
    for await (const e of t) got.push(show(e));
    expect(got).toContain("IN_DELETE|IN_ISDIR R/d");
    expect(got.at(-1)).toBe("IN_IGNORED R");
    expect(t.inotify.closed).toBe(true);
  });

  test("a root that does not exist, or is a file: the error, and no fd left", () => {
    expect(() => new InotifyTree(`${tmp.tree}/none`)).toThrow(expect.objectContaining({ code: "ENOENT" }));
    fs.writeFileSync(`${tmp.tree}/file`, "");
    expect(() => new InotifyTree(Buffer.from(`${tmp.tree}/file`))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
  });

  test("get() serves events one at a time, in order, and honours an AbortSignal", async () => {
    await using t = new InotifyTree(tmp.tree, IN_CREATE);
    const ac = new AbortController();
    const aborted = t.get({ signal: ac.signal });
    ac.abort(new Error("nope"));
    await expect(aborted).rejects.toThrow("nope");
    const a = t.get();
    const b = t.get();
    fs.mkdirSync(`${tmp.tree}/p`);
    fs.writeFileSync(`${tmp.tree}/p/q`, "");
    expect([show(await a), show(await b)]).toEqual(["IN_CREATE|IN_ISDIR R/p", "IN_CREATE R/p/q"]);
  });

  test("an abort rejects at once, also while the get() waits behind another one, and consumes nothing", async () => {
    await using t = new InotifyTree(tmp.tree, IN_CREATE);
    const first = t.get();
    const ac = new AbortController();
    const second = t.get({ signal: ac.signal });
    ac.abort(new Error("stop"));
    const outcome = await Promise.race([second.then(() => "resolved", (e) => (e as Error).message), Bun.sleep(500).then(() => "still waiting")]);
    expect(outcome).toBe("stop");
    fs.writeFileSync(`${tmp.tree}/one`, "");
    fs.writeFileSync(`${tmp.tree}/two`, "");
    expect(show(await first)).toBe("IN_CREATE R/one");
    expect(show(await t.get())).toBe("IN_CREATE R/two"); // the aborted get() took nothing
    await expect(t.get({ signal: ac.signal })).rejects.toThrow("stop"); // already aborted
    expect(() => t.get({ signal: "no" as never })).toThrow(TypeError);
    expect(() => t.get(null as never)).toThrow(TypeError);
  });

  test("a fresh tree reports nothing of its own listing, and a new directory's listing is not reported", async () => {
    fs.mkdirSync(`${tmp.tree}/a/b`, { recursive: true });
    fs.mkdirSync(`${tmp.tree}/c`);
    fs.writeFileSync(`${tmp.tree}/a/f`, "");
    using t = new InotifyTree(tmp.tree, IN_ALL_EVENTS);
    await Bun.sleep(20);
    expect(drain(t)).toEqual([]);
    fs.mkdirSync(`${tmp.tree}/n`);
    expect(drain(t)).toEqual(["IN_CREATE|IN_ISDIR R/n"]);
    // the full mask is back once listed: reading a directory is reported again
    fs.readdirSync(`${tmp.tree}/a`);
    expect(drain(t)).toEqual(expect.arrayContaining(["IN_OPEN|IN_ISDIR R/a", "IN_CLOSE_NOWRITE|IN_ISDIR R/a"]));
  });

  test("a file created right after its directory was moved into the tree is reported", () => {
    fs.mkdirSync(`${tmp.out}/x`, { recursive: true });
    using t = new InotifyTree(tmp.tree, IN_CREATE | IN_MOVE);
    fs.renameSync(`${tmp.out}/x`, `${tmp.tree}/x`);
    fs.writeFileSync(`${tmp.tree}/x/late`, ""); // before the tree read the IN_MOVED_TO
    const got = drain(t);
    expect(got[0]).toBe("IN_MOVED_TO|IN_ISDIR R/x");
    expect(got).toContain("IN_CREATE R/x/late");
    fs.writeFileSync(`${tmp.tree}/x/later`, "");
    expect(drain(t)).toEqual(["IN_CREATE R/x/later"]);
  });

  test("a tree deeper than PATH_MAX: an OSError ENAMETOOLONG naming the path, and no fd left", () => {
    const part = "d".repeat(200);
    // (made by the shell one level at a time: each mkdir is relative, so none passes PATH_MAX)
    const made = spawnSync("sh", ["-c", `cd "$1" && i=0 && while [ $i -lt 25 ]; do mkdir ${part} && cd -P ${part} || exit 1; i=$((i + 1)); done`, "sh", tmp.tree]);
    expect(made.status).toBe(0);
    let err: unknown;
    try {
      new InotifyTree(tmp.tree);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OSError);
    expect(err).toMatchObject({ code: "ENAMETOOLONG" });
    expect((err as OSError).path!.length).toBeGreaterThan(4000);
    spawnSync("rm", ["-rf", `${tmp.tree}/${part}`]);
  });
});
