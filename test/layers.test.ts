// The layers of src/ (harness/layers.ts, docs/design.md): the tree keeps them, and each
// rule fails on an example that breaks it.
import { expect, test } from "vitest";
import { ROOT } from "../harness/child.ts";
import { importsOf, layerViolations, treeSources } from "../harness/layers.ts";

test("the tree keeps the layers", () => {
  expect(layerViolations(treeSources(ROOT))).toEqual([]);
});

test("every family folder has its calls.ts, and core has no calls.ts", () => {
  const files = [...treeSources(ROOT).keys()];
  const families = new Set(files.map((f) => /^src\/([^/]+)\//.exec(f)?.[1]).filter((f) => f && f !== "core"));
  expect(families.size).toBeGreaterThanOrEqual(6);
  for (const f of families) expect(files, f).toContain(`src/${f}/calls.ts`);
  expect(files).not.toContain("src/core/calls.ts");
});

const index = `
export { aPublic } from "./alpha/calls.ts";
export { Alpha } from "./alpha/alpha.ts";
`;
const broken = (file: string, text: string) =>
  layerViolations(new Map([["src/index.ts", index], ["src/alpha/calls.ts", ""], [file, text]]));

test.each([
  ["core importing a family", "src/core/x.ts", `import { aPublic } from "../alpha/calls.ts";`, /core imports only core/],
  ["a calls.ts importing its own objects", "src/beta/calls.ts", `import { B } from "./beta.ts";`, /a calls.ts imports only core/],
  ["objects importing the loader", "src/beta/beta.ts", `import { helpers } from "../../bunffi/load.ts";`, /through its calls.ts/],
  ["another family's internal name", "src/beta/beta.ts", `import { aPublic, secret } from "../alpha/calls.ts";`, /internals: secret/],
  ["another family's file as a namespace", "src/beta/beta.ts", `import * as a from "../alpha/calls.ts";`, /internals: \*/],
  ["a dynamic import of another family", "src/beta/beta.ts", `const a = await import("../alpha/calls.ts");`, /internals: \*/],
  ["a require() of the loader from objects", "src/beta/beta.ts", `const l = require("../../bunffi/load.ts");`, /through its calls.ts/],
  ["the public index from inside", "src/beta/beta.ts", `import { Alpha } from "../index.ts";`, /public index/],
  ["an entry point from inside", "src/beta/beta.ts", `import { Alpha } from "../alpha/index.ts";`, /an entry point/],
  ["a re-export outside the entry points", "src/beta/beta.ts", `export { aPublic } from "../alpha/calls.ts";`, /only the entry points re-export/],
  ["an entry point re-exporting another family", "src/beta/index.ts", `export { aPublic } from "../alpha/calls.ts";`, /its own folder only/],
  ["an entry point's export *", "src/beta/index.ts", `export * from "./calls.ts";`, /listed by hand/],
  ["node:fs at load", "src/beta/beta.ts", `import { readFileSync } from "node:fs";`, /node:fs at load/],
  ["node:os at load, in the loader", "bunffi/load.ts", `import { constants } from "node:os";`, /node:os at load/],
  ["a package", "src/core/y.ts", `import x from "left-pad";`, /the package "left-pad"/],
])("a violation is reported: %s", (_what, file, text, why) => {
  const v = broken(file, text);
  expect(v).toHaveLength(1);
  expect(v[0]).toMatch(why);
});

test("public names may come from a family's entry point", () => {
  const v = layerViolations(
    new Map([
      ["src/index.ts", `export * from "./alpha/index.ts";`],
      ["src/alpha/index.ts", `export { aPublic } from "./calls.ts";`],
      ["src/alpha/calls.ts", ""],
      ["src/beta/beta.ts", `import { aPublic, secret } from "../alpha/calls.ts";`],
    ]),
  );
  expect(v).toEqual([expect.stringMatching(/internals: secret; only/)]);
});

test("allowed: public names of another family, core from anywhere, runtime modules at first use, type imports", () => {
  expect(
    broken(
      "src/beta/beta.ts",
      `import { aPublic } from "../alpha/calls.ts";
       import type { Alpha } from "../alpha/alpha.ts";
       import { OSError } from "../core/errors.ts";
       import type * as NodeFs from "node:fs";
       const fs = () => require("node:fs") as typeof import("node:fs");
       import { cc } from "bun:ffi";
       // import { secret } from "../alpha/calls.ts";  (a comment is not an import)`,
    ),
  ).toEqual([]);
});

test("importsOf reads names, aliases and type-only names", () => {
  expect(importsOf(`import { a, b as c, type D } from "./x.ts";`)).toEqual([{ spec: "./x.ts", names: ["a", "b", "D"], kind: "import", atLoad: true }]);
  expect(importsOf(`import type * as T from "./y.ts";`)).toEqual([{ spec: "./y.ts", names: ["*"], kind: "import", atLoad: false }]);
  expect(importsOf(`const z = require("./z.ts");`)).toEqual([{ spec: "./z.ts", names: ["*"], kind: "import", atLoad: false }]);
});
