// The wd -> path registry against event sequences the kernel can produce, including a
// wd handed out again before the old watch's IN_IGNORED was read (which a test cannot
// make Linux do: it allocates wds cyclically).
import { describe, expect, test } from "vitest";
import { WatchRegistry } from "../../src/inotify/registry.ts";
import { IN_CREATE, IN_DELETE_SELF, IN_IGNORED, IN_ISDIR, IN_MOVED_FROM, IN_MOVED_TO, IN_UNMOUNT } from "../../src/inotify/calls.ts";

describe("WatchRegistry", () => {
  test("events get their full path; IN_IGNORED ends the watch after its own event", () => {
    const r = new WatchRegistry();
    r.added(1, "/d", false);
    expect(r.event(1, IN_CREATE, 0, "f")).toBe("/d/f");
    expect(r.event(1, IN_DELETE_SELF, 0, "")).toBe("/d");
    expect(r.event(1, IN_IGNORED, 0, "")).toBe("/d");
    expect(r.pathOf(1)).toBeUndefined();
    expect(r.event(1, IN_CREATE, 0, "late")).toBe("late"); // unknown wd: the name alone
  });

  test("removing a wd it does not know is a no-op", () => {
    const r = new WatchRegistry();
    r.removed(99);
    expect(r.snapshot().size).toBe(0);
  });

  test("a trailing slash is not doubled", () => {
    const r = new WatchRegistry();
    r.added(1, "/", false);
    expect(r.event(1, IN_CREATE, 0, "tmp")).toBe("/tmp");
  });

  test("the same inode watched again keeps its wd and takes the newest path", () => {
    const r = new WatchRegistry();
    r.added(1, "/a", false);
    r.added(1, "/link-to-a", false);
    expect(r.snapshot()).toEqual(new Map([[1, "/link-to-a"]]));
  });

  test.each([
    ["unwatch()", (r: WatchRegistry) => r.removed(7)],
    ["IN_DELETE_SELF", (r: WatchRegistry) => r.event(7, IN_DELETE_SELF, 0, "")],
    ["IN_UNMOUNT", (r: WatchRegistry) => r.event(7, IN_UNMOUNT, 0, "")],
  ])("a wd reused while the old IN_IGNORED is queued (after %s) is chained", (_w, end) => {
    const r = new WatchRegistry();
    r.added(7, "/old", false);
    end(r);
    r.added(7, "/new", false); // the kernel handed out 7 again
    expect(r.event(7, IN_CREATE, 0, "x")).toBe("/old/x"); // still queued before IN_IGNORED
    expect(r.event(7, IN_IGNORED, 0, "")).toBe("/old");
    expect(r.event(7, IN_CREATE, 0, "y")).toBe("/new/y");
    expect(r.pathOf(7)).toBe("/new");
  });

  test("a oneshot watch goes away after its event; a wd reused meanwhile is chained", () => {
    const r = new WatchRegistry();
    r.added(3, "/once", true);
    expect(r.event(3, IN_CREATE, 0, "f")).toBe("/once/f");
    r.added(3, "/again", false);
    expect(r.event(3, IN_IGNORED, 0, "")).toBe("/once");
    expect(r.pathOf(3)).toBe("/again");
  });

  test("a paired rename moves every watch at or under the old path", () => {
    const r = new WatchRegistry();
    r.added(1, "/t", false);
    r.added(2, "/t/a", false);
    r.added(3, "/t/a/b", false);
    r.added(4, "/t/ab", false); // a sibling sharing the prefix: untouched
    expect(r.event(1, IN_MOVED_FROM | IN_ISDIR, 9, "a")).toBe("/t/a");
    expect(r.event(1, IN_MOVED_TO | IN_ISDIR, 9, "z")).toBe("/t/z");
    expect(r.snapshot()).toEqual(new Map([[1, "/t"], [2, "/t/z"], [3, "/t/z/b"], [4, "/t/ab"]]));
  });

  test("a rename of a path given with a trailing slash", () => {
    const r = new WatchRegistry();
    r.added(1, "/t/", false);
    r.added(2, "/t/a/", false);
    r.added(3, "/t/a/b", false);
    r.event(1, IN_MOVED_FROM | IN_ISDIR, 4, "a/");
    r.event(1, IN_MOVED_TO | IN_ISDIR, 4, "c");
    expect(r.pathOf(3)).toBe("/t/c/b");
  });

  test("an unpaired half changes nothing; only the last 64 unpaired FROMs are kept", () => {
    const r = new WatchRegistry();
    r.added(1, "/t", false);
    r.added(2, "/t/a", false);
    r.event(1, IN_MOVED_FROM, 1, "a");
    for (let c = 2; c < 70; c++) r.event(1, IN_MOVED_FROM, c, `n${c}`);
    r.event(1, IN_MOVED_TO, 1, "b"); // its FROM was forgotten: a move in
    r.event(1, IN_MOVED_TO, 999, "c");
    expect(r.pathOf(2)).toBe("/t/a");
  });
});
