// The demo's worker thread: "finishes a job" every few milliseconds and adds 1 to the
// main thread's eventfd for each.
import { eventfdWrite, gettid } from "../src/index.ts";
declare const self: Worker;
self.onmessage = (m: MessageEvent) => {
  const { fd } = m.data as { fd: number };
  console.log(`worker thread tid ${gettid()} started`);
  setInterval(() => eventfdWrite(fd, 1), 7);
};
