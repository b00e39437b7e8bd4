/**
 * The errno matrix against the man pages: for each call in harness/errno-pages.json,
 * which listed errnos a row forces, which the file marks as impossible in butter's use
 * (with the reason), and which are missing (neither: must be none). Used by the
 * completeness test (test/errno-matrix.test.ts) and by `bun run test:errors`.
 */
import type { Row } from "./errno-rows.ts";
import type { PagesFile } from "./errno-pages.ts";

export interface CallAccount {
  call: string;
  page: string;
  listed: string[];
  /** listed errnos a row forces */
  forced: string[];
  /** listed errnos the pages file says cannot happen */
  impossible: string[];
  /** listed errnos with neither a row nor a reason */
  missing: string[];
  /** listed errnos with both a forcing row and a reason (a contradiction) */
  both: string[];
}

/** `forcedOnly`: count only rows whose labels are in it (those that really ran and passed). */
export function account(matrix: readonly Row[], pages: PagesFile, forcedOnly?: (r: Row) => boolean): CallAccount[] {
  const out: CallAccount[] = [];
  for (const [call, entry] of Object.entries(pages.calls)) {
    const rowErrnos = new Set(
      matrix.filter((r) => r.call === call && r.errno !== undefined && r.cannot === undefined && (forcedOnly?.(r) ?? true)).map((r) => r.errno!),
    );
    const forced: string[] = [];
    const impossible: string[] = [];
    const missing: string[] = [];
    const both: string[] = [];
    for (const e of entry.listed) {
      const f = rowErrnos.has(e);
      const c = entry.cannot[e] !== undefined;
      if (f) forced.push(e);
      if (c) impossible.push(e);
      if (f && c) both.push(e);
      if (!f && !c) missing.push(e);
    }
    out.push({ call, page: entry.page, listed: entry.listed, forced, impossible, missing, both });
  }
  return out.sort((a, b) => a.call.localeCompare(b.call));
}
