// A direct reading of one argument comparison, for the tests that check the compiled
// programs against it (filter.test.ts) and choose which calls libseccomp decides
// (libseccomp.test.ts).
import type * as b from "../../src/index.ts";

/** Whether comparison `c` holds for `args`, on 64-bit unsigned values. */
export function holds(c: b.ArgCmp, args: readonly bigint[]): boolean {
  const x = args[c.arg]!;
  const val = BigInt.asUintN(64, BigInt(c.value));
  switch (c.op) {
    case "EQ": return x === val;
    case "NE": return x !== val;
    case "LT": return x < val;
    case "LE": return x <= val;
    case "GT": return x > val;
    case "GE": return x >= val;
    case "MASKED_EQ": return (x & BigInt.asUintN(64, BigInt(c.mask ?? -1n))) === val;
  }
}
