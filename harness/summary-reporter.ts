// A vitest reporter that ends the run with one plain line, `tests: N passed, N failed,
// N skipped`, which CI systems that do not parse vitest's own summary can read.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === "passed") passed++;
        else if (s === "failed") failedHere++;
        else skipped++;
      }
      // a file that failed outside its tests (did not load, or a hook such as the
      // fd-leak check failed) counts as one failure
      if (m.state() === "failed" && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
