/**
 * Every wrapped call butter declares, by id: the CallSpec objects (src/core/errors.ts)
 * among the exports of the modules that src/index.ts imports, directly or not (an
 * exported array of them counts too). butter keeps no registry at run time, so that its
 * import runs nothing per call; the errno matrix, its rows and the error table of
 * docs/errors.md read this one. Two declarations of one id, or a misspelt errno name,
 * throw here.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { callId, documentedErrnos, type CallSpec } from "../src/core/errors.ts";

const isCall = (v: unknown): v is CallSpec =>
  typeof v === "object" && v !== null && typeof (v as CallSpec).syscall === "string" && Array.isArray((v as CallSpec).errnos);

/** The files of the library's module graph, from its entry point. */
export function libraryModules(entry = resolve(import.meta.dirname, "../src/index.ts")): string[] {
  const scanner = new Bun.Transpiler({ loader: "ts" });
  const seen = new Set<string>([entry]);
  for (const file of seen) {
    for (const { path } of scanner.scanImports(readFileSync(file, "utf8"))) {
      if (path.startsWith(".")) seen.add(resolve(dirname(file), path));
    }
  }
  return [...seen];
}

/** The calls that `modules` export, by id. */
export async function collectCalls(modules: readonly string[]): Promise<Map<string, CallSpec>> {
  const found = new Map<string, CallSpec>();
  for (const file of modules) {
    for (const value of Object.values(await import(file) as Record<string, unknown>)) {
      for (const call of Array.isArray(value) ? value : [value]) {
        if (!isCall(call)) continue;
        const id = callId(call);
        const other = found.get(id);
        if (other !== undefined && other !== call) throw new Error(`butter: call ${id} declared twice`);
        documentedErrnos(call); // throws for a misspelt name
        found.set(id, call);
      }
    }
  }
  return found;
}

/** Every call butter declares, by id. */
export const calls: ReadonlyMap<string, CallSpec> = await collectCalls(libraryModules());
