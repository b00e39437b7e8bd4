// Watches a directory tree and prints its events, with renames paired, until the root
// is deleted or Ctrl-C. Usage: bun examples/watch-tree.ts [DIR]   (default: a demo that
// makes its own temporary tree and changes it)
import * as fs from "node:fs";
import { InotifyTree, InotifyMove, MovePairer, IN_CREATE, IN_DELETE, IN_MOVE, IN_CLOSE_WRITE, IN_ATTRIB } from "../src/index.ts";

const demo = process.argv[2] === undefined;
const root = process.argv[2] ?? fs.mkdtempSync("/tmp/butter-watch-");
const tree = new InotifyTree(root, IN_CREATE | IN_DELETE | IN_MOVE | IN_CLOSE_WRITE | IN_ATTRIB);
console.log(`watching ${root} (${tree.inotify.watches.size} directories)`);

if (demo) {
  // a script of changes, made after the watches exist
  setTimeout(() => {
    fs.mkdirSync(`${root}/src/lib`, { recursive: true });
    fs.writeFileSync(`${root}/src/lib/a.ts`, "export {}");
    fs.renameSync(`${root}/src/lib/a.ts`, `${root}/src/lib/b.ts`);
    fs.chmodSync(`${root}/src/lib/b.ts`, 0o600);
    fs.renameSync(`${root}/src`, `${root}/source`);
    fs.writeFileSync(`${root}/source/lib/c.ts`, "");
    setTimeout(() => fs.rmSync(root, { recursive: true }), 50);
  }, 20);
}

const moves = new MovePairer(20);
const show = (o: InstanceType<typeof InotifyMove> | Awaited<ReturnType<typeof tree.get>>) =>
  o instanceof InotifyMove ? `MOVE     ${o.from ?? "(from outside)"} -> ${o.to ?? "(outside)"}` : `${o.flags.join(",").padEnd(8)} ${o.path}`;
for await (const ev of tree) for (const o of moves.push(ev, performance.now())) console.log(show(o));
for (const o of moves.flush()) console.log(show(o));
console.log(`done (${tree.inotify.overflows} overflows)`);
