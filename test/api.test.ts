// The checked-in API report (docs/api/butter.api.md) is what src/index.ts exports, and
// every export is documented: the surface cannot change without the report changing.
import { expect, test } from "vitest";
import { apiReport } from "../harness/api.ts";

test("docs/api/butter.api.md matches the code, with no API Extractor or TSDoc warning", () => {
  const r = apiReport(true);
  expect(r.problems).toEqual([]);
  expect(r.ok).toBe(true);
}, 60_000);
