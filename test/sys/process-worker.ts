import { getpid, gettid } from "../../src/sys/process.ts";
declare const self: Worker;
self.postMessage({ pid: getpid(), tid: gettid() });
