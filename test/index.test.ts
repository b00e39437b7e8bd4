// The public surface: what `import ... from "butter"` offers, folder by folder, and what
// it must not offer (the names with their signatures are docs/api/butter.api.md, checked
// by test/api.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import * as butter from "../src/index.ts";
import { importsOf } from "../harness/layers.ts";

// The names src/index.ts exports from each folder of src/ (core, then each family), read
// from its export statements: a new family is covered by being listed there.
const indexText = readFileSync(new URL("../src/index.ts", import.meta.url), "utf8");
const families = new Map<string, string[]>();
const fromCalls = new Map<string, string[]>();
for (const imp of importsOf(indexText)) {
  if (imp.kind !== "export") continue;
  const [, folder, file] = /^\.\/([^/]+)\/(.+)$/.exec(imp.spec)!;
  families.set(folder!, [...(families.get(folder!) ?? []), ...imp.names]);
  if (file === "calls.ts") fromCalls.set(folder!, [...(fromCalls.get(folder!) ?? []), ...imp.names]);
}
const typeOnly = new Set(
  [...indexText.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",").map((n) => n.trim()).filter(Boolean)),
);

test("every folder of src/ is exported from, and every family exports its 1:1 calls and objects", () => {
  const folders = readdirSync(new URL("../src/", import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory());
  expect([...families.keys()].sort()).toEqual(folders.map((d) => d.name).sort());
  for (const folder of families.keys()) {
    if (folder === "core") continue;
    // the 1:1 layer: functions named after C calls, from the family's calls.ts
    const calls = (fromCalls.get(folder) ?? []).filter((n) => typeof (butter as Record<string, unknown>)[n] === "function");
    expect(calls.length, `${folder}/calls.ts exports its 1:1 calls`).toBeGreaterThan(0);
  }
});

test.each([...families])("%s: every exported value is defined", (_folder, names) => {
  for (const name of names) {
    if (typeOnly.has(name)) expect(butter, `${name} is a type`).not.toHaveProperty(name);
    else expect((butter as Record<string, unknown>)[name], name).toBeDefined();
  }
});

test("the surface is exactly what src/index.ts lists", () => {
  const listed = new Set([...families.values()].flat());
  expect(Object.keys(butter).filter((n) => !listed.has(n))).toEqual([]);
  expect(Object.keys(butter).length).toBe([...listed].filter((n) => !typeOnly.has(n)).length);
});

test("internals are not exported", () => {
  // call descriptors, raw C symbols, decoders and low-level machinery: editProcessMask
  // could block glibc's own signals, and the descriptors' names sit beside constants
  for (const name of [
    "calls", "classFor", "defineCall", "CLOCK_GETTIME", "TIMERFD_CREATE", "EVENTFD_READ", "INOTIFY_READ", "SIGNALFD",
    "lib", "readInotify", "INOTIFY_MIN_BUFFER", "decodeInotifyEvents", "decodeSiginfos", "editProcessMask",
    "THREAD_TIMEOUT_MS", "Queued", "CounterSource", "toNanoseconds", "lostSignals", "sigbit", "word",
    "holdSignals", "releaseSignals", "machineryFds", "ownedFds", "helpersLoaded", "guardListeners", "settleListeners",
    "readyNow", "growPipe", "SPLICE", "MMAP", "TEE", "VMSPLICE", "mapPages",
    "aioLib", "address", "completionCall", "decodeEvents", "setupError", "IO_SETUP", "IO_SUBMIT", "AIO_READ", "AIO_WRITE",
    "decodeFanotifyEvents", "readFanotifyPaths", "fdPath", "packResponse", "handleKey", "FANOTIFY_READ", "FANOTIFY_MARK", "FidPaths", "explainEinval",
    "decodeStatmount", "parseMountinfo", "topMountAt", "readOnly", "ownMount", "disownMount", "ownedMounts", "MOUNT", "UNSHARE",
    "decodeNotif", "spawnFilteredRaw", "waitPidfd", "Builder", "SECCOMP", "PRCTL", "SPAWN_CLONE", "PROCESS_SETNS",
  ]) {
    expect(butter, name).not.toHaveProperty(name);
  }
});

test("src/index.ts lists every name by hand (no export *)", () => {
  expect(indexText).not.toMatch(/^\s*export\s*\*/m);
});

test("objects of every family share the fd base", () => {
  using e = new butter.EventfdAsync();
  using t = new butter.Timerfd();
  using i = new butter.Inotify();
  using s = new butter.Signalfd(["SIGURG"], { hold: false });
  for (const o of [e, t, i, s]) {
    expect(o).toBeInstanceOf(butter.FdObject);
    expect(o).toBeInstanceOf(butter.EventSource);
  }
});
