// Differential test: inotifywait (Debian's inotify-tools) and butter watch the same
// directory through the same scripted operations; the two event streams must match.
import { expect, test } from "vitest";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { Inotify } from "../../src/inotify/inotify.ts";
import { IN_ALL_EVENTS, IN_NONBLOCK } from "../../src/inotify/calls.ts";
import { tempDirs } from "../helpers.ts";

const tmp = tempDirs("diff", "out");
const have = spawnSync("inotifywait", ["--help"]).error === undefined;

// butter's event in inotifywait's `--format '%e|%w%f'` spelling: names without IN_,
// comma-joined, CLOSE after either close bit, and a trailing slash for the watch itself.
function asInotifywait(flags: string[], path: string, name: string): string {
  const names = flags.flatMap((f) => {
    const n = f.slice(3);
    return n === "CLOSE_WRITE" || n === "CLOSE_NOWRITE" ? [n, "CLOSE"] : [n];
  });
  return `${names.join(",")}|${name === "" ? `${path}/` : path}`;
}

// The kernel merges an event into an identical one still unread in the queue (inotify(7)),
// so identical neighbours count once: inotifywait reads as events come and may see two
// MODIFYs where butter, reading at the end, gets one.
const merged = (events: string[]) => events.filter((e, i) => e !== events[i - 1]);

test.skipIf(!have)("inotifywait and butter see the same events (needs inotify-tools)", async () => {
  const { diff: dir, out } = tmp;
  const iw = Bun.spawn(["inotifywait", "-m", "--format", "%e|%w%f", dir], { stdout: "pipe", stderr: "pipe" });
  // wait until its watch exists
  const reader = iw.stderr.getReader();
  let err = "";
  while (!err.includes("Watches established.")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`inotifywait ended: ${err}`);
    err += new TextDecoder().decode(value);
  }
  using ino = new Inotify(IN_NONBLOCK);
  ino.watch(dir, IN_ALL_EVENTS);

  const f = (n: string) => `${dir}/${n}`;
  fs.writeFileSync(f("a"), "created"); // create
  fs.appendFileSync(f("a"), " written"); // write
  fs.chmodSync(f("a"), 0o600); // chmod
  fs.renameSync(f("a"), f("b")); // rename within
  fs.renameSync(f("b"), `${out}/b`); // rename out
  fs.writeFileSync(`${out}/c`, "");
  fs.renameSync(`${out}/c`, f("c")); // rename in
  fs.unlinkSync(f("c")); // delete
  fs.mkdirSync(f("d")); // mkdir
  fs.rmdirSync(f("d")); // rmdir
  fs.rmdirSync(dir); // delete the watched directory

  // read its output up to the last event (it keeps running with no watch left)
  const timer = setTimeout(() => iw.kill(), 5000);
  let text = "";
  const lines = iw.stdout.getReader();
  while (!text.includes("DELETE_SELF")) {
    const { value, done } = await lines.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  clearTimeout(timer);
  iw.kill();
  await iw.exited;
  const theirs = text.trim().split("\n");

  const ours = ino.readEvents();
  // inotifywait does not print IN_IGNORED
  expect(ours.at(-1)!.flags).toEqual(["IN_IGNORED"]);
  expect(merged(ours.slice(0, -1).map((e) => asInotifywait(e.flags, e.path, e.name)))).toEqual(merged(theirs));
  expect(merged(theirs).length).toBeGreaterThanOrEqual(16);
});
