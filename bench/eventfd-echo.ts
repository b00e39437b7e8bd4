// Worker for the "wait" benchmark: blocks in read(2) on the ping eventfd (its own thread,
// so blocking is fine here) and answers each ping with a pong, `count` times.
import { eventfdRead, eventfdWrite } from "../src/index.ts";
declare const self: Worker;
self.onmessage = (m: MessageEvent) => {
  const { ping, pong, count } = m.data as { ping: number; pong: number; count: number };
  for (let i = 0; i < count; i++) {
    eventfdRead(ping);
    eventfdWrite(pong, 1n);
  }
};
