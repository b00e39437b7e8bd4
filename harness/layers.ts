/**
 * The layers of src/, as rules over import statements (docs/design.md):
 * - `src/core/` imports only core, the helper loader (`bunffi/*.ts`) and runtime
 *   modules (`node:*`, `bun:*`): it is what every family shares, so it knows none.
 * - a family's `calls.ts` (the 1:1 layer) imports only core and the loader;
 * - a family's other files (its objects) import their own family and core, not the
 *   loader: native code is reached through the family's calls;
 * - a family that needs another imports only names that its entry point
 *   (`src/<family>/index.ts`, `butter/<family>`) exports from that file: its public API,
 *   never its internals;
 * - an entry point re-exports only its own folder's files, name by name; `src/index.ts`
 *   re-exports the entry points; nothing else in src/ re-exports, and nothing imports
 *   an entry point or `src/index.ts`;
 * - src/ and the loader load no `node:*` module with their own: each is required at its
 *   first use (src/core/lazy-node.ts), since each costs start-up that few programs need.
 * test/layers.test.ts applies them to the tree, and to broken examples so that the rules
 * are known to bite.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

export interface Import {
  /** the specifier as written */
  spec: string;
  /** the names imported (`*` for a namespace or a bare import, `=>` for a re-export) */
  names: string[];
  kind: "import" | "export";
  /** whether it is loaded when the importing module is: not for `import type`, a
   * dynamic `import()` or a `require()` */
  atLoad: boolean;
}

const FROM = /\b(import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+["']([^"']+)["']/g;
const BARE = /\bimport\s+["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
// a module loaded at first use (src/core/lazy-node.ts) is still an import for the rules
const REQUIRE = /\brequire\(\s*["']([^"']+)["']\s*\)/g;

/** The import and re-export statements of a TypeScript source (comments removed first). */
export function importsOf(source: string): Import[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out: Import[] = [];
  for (const m of code.matchAll(FROM)) {
    const clause = m[3]!;
    const braces = /\{([\s\S]*)\}/.exec(clause);
    const names = braces
      ? braces[1]!
          .split(",")
          .map((s) => s.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim())
          .filter(Boolean)
      : ["*"];
    // a default import beside braces (`import a, { b }`) is not used in src/
    out.push({ spec: m[4]!, names, kind: m[1] as "import" | "export", atLoad: m[2] === undefined });
  }
  for (const m of code.matchAll(BARE)) out.push({ spec: m[1]!, names: ["*"], kind: "import", atLoad: true });
  for (const m of code.matchAll(DYNAMIC)) out.push({ spec: m[1]!, names: ["*"], kind: "import", atLoad: false });
  for (const m of code.matchAll(REQUIRE)) out.push({ spec: m[1]!, names: ["*"], kind: "import", atLoad: false });
  return out;
}

/** Where a repo-relative file sits in the layers. */
function place(file: string): { layer: "index" | "entry" | "core" | "calls" | "objects" | "loader" | "other"; family?: string } {
  if (file === "src/index.ts") return { layer: "index" };
  const entry = /^src\/([^/]+)\/index\.ts$/.exec(file);
  if (entry) return { layer: "entry", family: entry[1] };
  if (/^bunffi\/[^/]+\.ts$/.test(file)) return { layer: "loader" }; // load.ts and what it uses
  const m = /^src\/([^/]+)\/(.+)$/.exec(file);
  if (!m) return { layer: "other" };
  if (m[1] === "core") return { layer: "core" };
  return { layer: m[2] === "calls.ts" ? "calls" : "objects", family: m[1] };
}

/**
 * Every broken rule in a set of sources (repo-relative path -> text), as readable lines.
 * `src/index.ts` must be among the sources; it and the entry points say which names are
 * public.
 */
export function layerViolations(sources: Map<string, string>): string[] {
  if (!sources.has("src/index.ts")) throw new Error("layerViolations needs src/index.ts among the sources");
  // file -> the names the entry points (and src/index.ts) export from it
  const publicNames = new Map<string, Set<string>>();
  for (const [file, text] of sources) {
    const layer = place(file).layer;
    if (layer !== "index" && layer !== "entry") continue;
    for (const imp of importsOf(text)) {
      if (imp.kind !== "export") continue;
      const target = normalize(join(dirname(file), imp.spec));
      const set = publicNames.get(target) ?? new Set<string>();
      for (const n of imp.names) set.add(n);
      publicNames.set(target, set);
    }
  }

  const out: string[] = [];
  for (const [file, text] of sources) {
    const me = place(file);
    if (me.layer === "index" || me.layer === "other") continue;
    for (const imp of importsOf(text)) {
      if (me.layer === "entry") {
        const target = normalize(join(dirname(file), imp.spec));
        if (imp.kind !== "export" || imp.names.includes("*")) out.push(`${file}: ${imp.spec} (an entry point re-exports names listed by hand, nothing else)`);
        else if (!target.startsWith(`src/${me.family}/`)) out.push(`${file}: re-exports ${target} (an entry point re-exports its own folder only)`);
        continue;
      }
      if (/^(node|bun):/.test(imp.spec)) {
        // each costs about a millisecond or more at start-up (node:fs 3.5-5 ms), and few
        // programs reach a call that needs one (a child program's imports cost nothing)
        if (imp.spec.startsWith("node:") && imp.atLoad && !file.endsWith("-child.ts"))
          out.push(`${file}: imports ${imp.spec} at load (require it at its first use: src/core/lazy-node.ts)`);
        continue;
      }
      if (!imp.spec.startsWith(".")) {
        out.push(`${file}: imports the package "${imp.spec}" (src/ uses only the runtime's own modules)`);
        continue;
      }
      const target = normalize(join(dirname(file), imp.spec));
      const it = place(target);
      const say = (why: string) => out.push(`${file}: imports ${relative(".", target)} (${why})`);
      if (imp.kind === "export") say("only the entry points re-export");
      else if (it.layer === "index" || it.layer === "entry") say("nothing in src/ imports the public index or an entry point");
      else if (it.layer === "other") say("not a layer of src/");
      else if (me.layer === "loader") {
        if (it.layer !== "loader") say("the loader imports nothing of src/");
      }
      else if (me.layer === "core") {
        if (it.layer !== "core" && it.layer !== "loader") say("core imports only core and the loader");
      } else if (it.layer === "loader") {
        if (me.layer !== "calls") say("a family reaches native code through its calls.ts");
      } else if (it.layer === "core") {
        // allowed from every layer
      } else if (it.family === me.family) {
        if (me.layer === "calls") say("a calls.ts imports only core and the loader");
      } else {
        const pub = publicNames.get(target) ?? new Set<string>();
        const hidden = imp.names.filter((n) => n === "*" || !pub.has(n));
        if (hidden.length > 0) say(`another family's internals: ${hidden.join(", ")}; only its public exports may be used`);
      }
    }
  }
  return out;
}

/** The sources of the real tree: everything under src/, and the loader. */
export function treeSources(root: string): Map<string, string> {
  const files = (readdirSync(`${root}/src`, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `src/${f}`);
  for (const f of readdirSync(`${root}/bunffi`)) if (f.endsWith(".ts")) files.push(`bunffi/${f}`);
  return new Map(files.map((f) => [f, readFileSync(`${root}/${f}`, "utf8")]));
}
