// The public surface: what `import ... from "butter"` offers, folder by folder, and what
// it must not offer (the names with their signatures are docs/api/butter.api.md, checked
// by test/api.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import * as butter from "../src/index.ts";
import { importsOf } from "../harness/layers.ts";

// The names each entry point (src/<folder>/index.ts, `butter/<folder>`) exports, read from
// its export statements; src/index.ts re-exports every entry point, so a new family is
// covered by being listed there.
const indexText = readFileSync(new URL("../src/index.ts", import.meta.url), "utf8");
const entryText = new Map<string, string>();
const families = new Map<string, string[]>();
const fromCalls = new Map<string, string[]>();
for (const imp of importsOf(indexText)) {
  const folder = /^\.\/([^/]+)\/index\.ts$/.exec(imp.spec)?.[1];
  if (imp.kind !== "export" || folder === undefined) continue;
  const text = readFileSync(new URL(`../src/${folder}/index.ts`, import.meta.url), "utf8");
  entryText.set(folder, text);
  for (const e of importsOf(text)) {
    if (e.kind !== "export") continue;
    families.set(folder, [...(families.get(folder) ?? []), ...e.names]);
    if (e.spec === "./calls.ts") fromCalls.set(folder, [...(fromCalls.get(folder) ?? []), ...e.names]);
  }
}
const typeOnly = new Set(
  [...entryText.values()].flatMap((t) =>
    [...t.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",").map((n) => n.trim()).filter(Boolean)),
  ),
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

test("the surface is exactly what the entry points list", () => {
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

test("src/index.ts is only the entry points; each lists its names by hand (no export *)", () => {
  const code = indexText.replace(/\/\*[\s\S]*?\*\//g, "").trim().split("\n");
  expect(code).toEqual([...entryText.keys()].map((f) => `export * from "./${f}/index.ts";`));
  for (const [folder, text] of entryText) expect(text, folder).not.toMatch(/^\s*export\s*\*/m);
});

test("no two entry points export the same name (export * would drop it from the root silently)", () => {
  const all = [...families.values()].flat();
  expect(all.length).toBe(new Set(all).size);
});

test.each([...families])("butter/%s resolves by the package's name, and is the root's own code", async (folder, names) => {
  const entry = (await import(`butter/${folder}`)) as Record<string, unknown>;
  const values = names.filter((n) => !typeOnly.has(n));
  expect(Object.keys(entry).sort()).toEqual([...values].sort());
  for (const n of values) expect(entry[n], n).toBe((butter as Record<string, unknown>)[n]);
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
