// The thread's read buffer (src/core/scratch.ts): one, reused by every read, and big
// enough for what the drain hands over.
import { expect, test } from "vitest";
import { scratch, SCRATCH_BYTES } from "../../src/core/scratch.ts";
import { MAX_DRAIN_READ } from "../../src/core/drain.ts";

test("one buffer, of SCRATCH_BYTES, the same at every call (no allocation per read)", () => {
  const a = scratch();
  expect(a.length).toBe(SCRATCH_BYTES);
  expect(scratch()).toBe(a);
  // (the drain's take fills it: what one drain read may hand over must fit)
  expect(MAX_DRAIN_READ).toBeLessThanOrEqual(SCRATCH_BYTES);
});
