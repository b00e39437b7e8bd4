// Start-up of a program that uses one family (a file-watching CLI): its entry point,
// butter/inotify, imported and used once. Compare bench/first-use.ts (all 11 families).
// Run by bench/run.ts; prints performance.now(): ms from the process's start to here.
import { IN_CREATE, Inotify } from "../src/inotify/index.ts";

new Inotify().watch("/tmp", IN_CREATE);
console.log(performance.now().toFixed(2));
process.exit(0);
