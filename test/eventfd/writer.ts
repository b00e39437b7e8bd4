// Worker for the eventfd tests: writes a value to an fd after a delay, from another thread.
import { eventfdWrite } from "../../src/eventfd/calls.ts";
declare const self: Worker;
self.onmessage = (m: MessageEvent) => {
  const { fd, value, delayMs } = m.data as { fd: number; value: string; delayMs: number };
  setTimeout(() => {
    eventfdWrite(fd, BigInt(value));
    self.postMessage("done");
  }, delayMs);
};
