import { getpid, gettid } from "../../src/process/calls.ts";
declare const self: Worker;
self.postMessage({ pid: getpid(), tid: gettid() });
