// The queue and the event buffer, through a test-only family: a FIFO whose every byte
// is one event, so that one read(2) yields many events (as inotify's do) and the byte
// 0xEE makes the decoder fail (as a kernel error would).
import { writeSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { EventSource } from "../../src/core/events.ts";
import { Queued, QueueClosed } from "../../src/core/queue.ts";
import { errorFor, OSError, type CallSpec } from "../../src/core/errors.ts";
import { readInto } from "../../src/core/io.ts";
import { fifo, thrown } from "../helpers.ts";

const READ: CallSpec = { syscall: "read", family: "bytes-test", errnos: ["EAGAIN", "EIO"] };

class Bytes extends EventSource<number> {
  protected readonly readCall = READ;
  #buf = new Uint8Array(4);
  protected readBatch(fd: number): number[] | null {
    const n = readInto(fd, this.#buf, READ);
    if (n === null) return null;
    if (this.#buf[0] === 0xee) throw errorFor(-5, READ);
    return [...this.#buf.subarray(0, n)];
  }
}
class BytesAsync extends Queued<number, typeof Bytes>(Bytes) {}

// Each test closes its object, which owns (and closes) the FIFO's fd.
let open: { fd: number; dispose(): void }[] = [];
afterEach(() => {
  for (const f of open) f.dispose();
  open = [];
});
function make<T>(cls: new (fd: number) => T): [T, (...b: number[]) => void] {
  const f = fifo();
  open.push(f);
  return [new cls(f.fd), (...b: number[]) => void writeSync(f.fd, Uint8Array.from(b))];
}

describe("EventSource buffer", () => {
  test("one read's events are handed out one by one, none dropped", () => {
    const [src, send] = make(Bytes);
    send(1, 2, 3, 4, 5, 6);
    expect(src.readEvent()).toBe(1); // read 4 bytes, keeps 2..4
    expect(src.readEvents()).toEqual([2, 3, 4]); // the buffer first
    expect(src.readEvents()).toEqual([5, 6]); // then one more read
    expect(src.readEvents()).toEqual([]);
    expect(thrown(() => src.readEvent())).toMatchObject({ code: "EAGAIN" });
    src.close();
  });
  test("events read before close stay readable after it", () => {
    const [src, send] = make(Bytes);
    send(1, 2, 3);
    expect(src.readEvent()).toBe(1);
    src.close();
    expect(src.readEvent()).toBe(2);
    expect(src.readEvents()).toEqual([3]);
    expect(thrown(() => src.readEvent())).toMatchObject({ code: "EBADF" });
  });
});

describe("AsyncQueue over a many-events-per-read family", () => {
  test("size counts buffered events; empty() peeks without losing", async () => {
    const [q, send] = make(BytesAsync);
    send(7, 8, 9);
    expect(q.size).toBe(0);
    expect(q.empty()).toBe(false);
    expect(q.size).toBe(3);
    expect(q.getNowait()).toBe(7);
    expect(q.empty()).toBe(false); // the peek puts 8 back in front of 9
    expect(q.size).toBe(2);
    expect(await q.get()).toBe(8);
    expect(await q.get()).toBe(9);
    q.close();
  });

  test("waiters are served in order from one wake-up", async () => {
    const [q, send] = make(BytesAsync);
    const got = Promise.all([q.get(), q.get(), q.get(), q.get(), q.get()]);
    send(1, 2, 3, 4, 5, 6);
    expect(await got).toEqual([1, 2, 3, 4, 5]);
    expect(q.getNowait()).toBe(6);
    q.close();
  });

  test("an error rejects the one get() it was read for; the next one gets the next event", async () => {
    const [q, send] = make(BytesAsync);
    const a = q.get();
    const b = q.get();
    send(0xee);
    await expect(a).rejects.toBeInstanceOf(OSError);
    send(3);
    expect(await b).toBe(3);
    send(0xee);
    await expect(q.get()).rejects.toMatchObject({ code: "EIO", syscall: "read" });
    q.close();
  });

  test("close with events buffered: they come out first, then QueueClosed", async () => {
    const [q, send] = make(BytesAsync);
    send(1, 2);
    expect(q.empty()).toBe(false);
    q.close();
    const seen: number[] = [];
    for await (const e of q) seen.push(e);
    expect(seen).toEqual([1, 2]);
    await expect(q.get()).rejects.toBeInstanceOf(QueueClosed);
  });

  test("an error from the iterator's get() is thrown by for await", async () => {
    const [q, send] = make(BytesAsync);
    send(0xee);
    const run = async () => {
      for await (const _ of q) {
        // nothing
      }
    };
    await expect(run()).rejects.toMatchObject({ code: "EIO" });
    q.close();
  });
});
