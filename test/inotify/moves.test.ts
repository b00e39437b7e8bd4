import { describe, expect, test } from "vitest";
import * as fs from "node:fs";
import { InotifyAsync, InotifyEvent } from "../../src/inotify/inotify.ts";
import { InotifyMove, MovePairer, pairMoves } from "../../src/inotify/moves.ts";
import { IN_CREATE, IN_ISDIR, IN_MOVE, IN_MOVED_FROM, IN_MOVED_TO } from "../../src/inotify/calls.ts";
import { tempDirs } from "../helpers.ts";

const ev = (mask: number, cookie: number, path: string) => new InotifyEvent(1, mask, cookie, path.split("/").pop()!, path);
const show = (o: InotifyEvent | InotifyMove) =>
  o instanceof InotifyMove ? `move ${o.from ?? "(out of view)"} -> ${o.to ?? "(out of view)"}` : `${o.flags.join("|")} ${o.path}`;

describe("MovePairer (the clock passed in)", () => {
  test("a FROM and its TO become one move, at the TO's place", () => {
    const p = new MovePairer(20);
    expect(p.push(ev(IN_MOVED_FROM, 5, "/d/a"), 0)).toEqual([]);
    expect(p.nextDeadline).toBe(20);
    expect(p.push(ev(IN_CREATE, 0, "/d/other"), 1).map(show)).toEqual(["IN_CREATE /d/other"]); // not held back
    const [m] = p.push(ev(IN_MOVED_TO | IN_ISDIR, 5, "/d/b"), 2) as InotifyMove[];
    expect(show(m!)).toBe("move /d/a -> /d/b");
    expect([m!.kind, m!.cookie, p.nextDeadline]).toEqual(["move", 5, undefined]);
  });

  test("a TO with no FROM is a move in, at once; an expired FROM is a move out", () => {
    const p = new MovePairer(20);
    expect(p.push(ev(IN_MOVED_TO, 7, "/d/in"), 0).map(show)).toEqual(["move (out of view) -> /d/in"]);
    p.push(ev(IN_MOVED_FROM | IN_ISDIR, 8, "/d/out"), 0);
    expect(p.expire(19)).toEqual([]);
    const [m] = p.expire(20);
    expect([show(m!), m!.isDir]).toEqual(["move /d/out -> (out of view)", true]);
  });

  test("defaults: a 20 ms wait; a move in of a file is not a directory", () => {
    const p = new MovePairer();
    expect(p.timeout).toBe(20);
    const [m] = p.push(ev(IN_MOVED_TO, 3, "/d/f"), 0) as InotifyMove[];
    expect(m!.isDir).toBe(false);
  });

  test("an event after the deadline releases the expired half first; flush releases all", () => {
    const p = new MovePairer(10);
    p.push(ev(IN_MOVED_FROM, 1, "/d/x"), 0);
    p.push(ev(IN_MOVED_FROM, 2, "/d/y"), 5);
    expect(p.push(ev(IN_CREATE, 0, "/d/z"), 12).map(show)).toEqual(["move /d/x -> (out of view)", "IN_CREATE /d/z"]);
    expect(p.flush().map(show)).toEqual(["move /d/y -> (out of view)"]);
  });
});

describe("pairMoves over an InotifyAsync", () => {
  const tmp = tempDirs("moves", "out");

  test("renames within, out of and into the watched directory", async () => {
    const ino = new InotifyAsync();
    ino.watch(tmp.moves, IN_MOVE | IN_CREATE);
    fs.writeFileSync(`${tmp.moves}/a`, "");
    fs.writeFileSync(`${tmp.out}/c`, "");
    const seen: string[] = [];
    const t0 = performance.now();
    let outAt = 0;
    setTimeout(() => {
      fs.renameSync(`${tmp.moves}/a`, `${tmp.moves}/b`);
      fs.renameSync(`${tmp.moves}/b`, `${tmp.out}/b`);
      fs.writeFileSync(`${tmp.moves}/after`, ""); // reported before the move out's wait ends
      fs.renameSync(`${tmp.out}/c`, `${tmp.moves}/c`);
    }, 5);
    for await (const o of pairMoves(ino, { timeout: 30 })) {
      seen.push(show(o));
      if (show(o).includes("(out of view)") && o instanceof InotifyMove && o.to === undefined) outAt = performance.now() - t0;
      if (seen.length === 5) ino.close();
    }
    expect(seen).toEqual([
      `IN_CREATE ${tmp.moves}/a`,
      `move ${tmp.moves}/a -> ${tmp.moves}/b`,
      `IN_CREATE ${tmp.moves}/after`,
      `move (out of view) -> ${tmp.moves}/c`,
      `move ${tmp.moves}/b -> (out of view)`,
    ]);
    expect(outAt).toBeGreaterThan(30); // it waited for a partner that never came
  });

  test("closing the source reports the halves still waiting; an abort throws its reason", async () => {
    const ino = new InotifyAsync();
    ino.watch(tmp.moves, IN_MOVE);
    fs.writeFileSync(`${tmp.moves}/a`, "");
    fs.renameSync(`${tmp.moves}/a`, `${tmp.out}/a`);
    const seen: string[] = [];
    setTimeout(() => ino.close(), 5); // before the default 20 ms wait is over
    for await (const o of pairMoves(ino)) seen.push(show(o));
    expect(seen).toEqual([`move ${tmp.moves}/a -> (out of view)`]);

    await using ino2 = new InotifyAsync();
    ino2.watch(tmp.moves, IN_MOVE);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("enough")), 5);
    await expect(pairMoves(ino2, { signal: ac.signal }).next()).rejects.toThrow("enough");
    ac.signal.throwIfAborted = () => {};
    await expect(pairMoves(ino2, { signal: AbortSignal.abort(new Error("already")) }).next()).rejects.toThrow("already");
  });
});

describe("pairMoves and MovePairer check their arguments at the call", () => {
  test.each([
    [2 ** 31, RangeError], [Infinity, RangeError], [Number.NaN, RangeError], [-5, RangeError], ["abc", TypeError], [10n, TypeError],
  ])("timeout %s: %s, before anything is read", async (timeout, cls) => {
    await using q = new InotifyAsync();
    expect(() => pairMoves(q, { timeout: timeout as number })).toThrow(cls);
    expect(() => new MovePairer(timeout as number)).toThrow(cls);
  });

  test("options given as null, or a source that is not a queue: butter's TypeError", async () => {
    await using q = new InotifyAsync();
    expect(() => pairMoves(q, null as never)).toThrow(/options must be an object/);
    expect(() => pairMoves({} as never)).toThrow(/source must be an InotifyAsync/);
    expect(() => pairMoves(q, { signal: {} as never })).toThrow(/signal must be an AbortSignal/);
    // the largest timeout a timer takes is fine, and so is 0
    expect(new MovePairer(2 ** 31 - 1).timeout).toBe(2 ** 31 - 1);
    expect(new MovePairer(0).timeout).toBe(0);
  });
});
