// A vitest reporter that ends the run with one plain line, `tests: N passed, N failed,
// N skipped`, which CI systems that do not parse vitest's own summary can read. It also
// writes the skipped tests (file > test, and the reason given) to
// harness/build/skipped.json, which harness/test.ts compares with test/expected-skips.json:
// in CI and in the VM a skip that is not listed there, with its reason, fails the run.
import { mkdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: { test: string; note: string }[] = [];
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === "passed") passed++;
        else if (r.state === "failed") failedHere++;
        else skipped.push({ test: `${relative(process.cwd(), m.moduleId)} > ${t.fullName}`, note: (r as { note?: string }).note ?? "" });
      }
      // a file that failed outside its tests (did not load, or a hook such as the
      // fd-leak check failed) counts as one failure
      if (m.state() === "failed" && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    const dir = new URL("./build/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL("skipped.json", dir), `${JSON.stringify(skipped, null, 1)}\n`);
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
  }
}
