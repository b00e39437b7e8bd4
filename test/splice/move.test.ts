// Pipe objects and the movers (spliceAll, teeTo): data compared byte for byte over files,
// pipes, child processes and sockets; waits for readability and writability; abort,
// EPIPE, Workers, and what the collector and a Worker's end give back.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { fdFlags, tempDirs } from "../helpers.ts";

const tmp = tempDirs("files");
const sha = (x: Uint8Array) => createHash("sha256").update(x).digest("hex");

function fileWith(name: string, data: Uint8Array): number {
  writeFileSync(`${tmp.files}/${name}`, data);
  return openSync(`${tmp.files}/${name}`, "r");
}
const fileFor = (name: string) => openSync(`${tmp.files}/${name}`, "w");
const contents = (name: string) => readFileSync(`${tmp.files}/${name}`);

describe("Pipe", () => {
  test("owns both ends: close-on-exec, closed together by close() and by using", () => {
    let fds: number[];
    {
      using p = new b.Pipe();
      fds = [p.reader.fd, p.writer.fd];
      expect(p.reader).toBeInstanceOf(b.FdObject);
      expect(fdFlags(p.reader.fd) & b.O_CLOEXEC).toBe(b.O_CLOEXEC);
      expect(p.closed).toBe(false);
      p.writer.close(); // one end early
      expect(p.closed).toBe(false);
    }
    for (const fd of fds) expect(() => readFileSync(`/proc/self/fdinfo/${fd}`)).toThrow();
  });

  test("options: size, non-blocking, inheritable; resize and maxSize; bad options are TypeErrors", () => {
    using p = new b.Pipe({ size: 200_000, nonblocking: true, inheritable: true });
    expect(p.size).toBe(262144);
    expect(fdFlags(p.writer.fd) & b.O_NONBLOCK).toBe(b.O_NONBLOCK);
    expect(fdFlags(p.writer.fd) & b.O_CLOEXEC).toBe(0);
    expect(p.resize(4096)).toBe(4096);
    expect(b.Pipe.maxSize).toBe(b.pipeMaxSize());
    writeSync(p.writer.fd, "abc");
    expect(p.available()).toBe(3);
    expect(() => new b.Pipe(null as never)).toThrow(TypeError);
    expect(() => new b.Pipe({ size: -1 })).toThrow(RangeError);
  });

  test("a closed end says EBADF naming the pipe", () => {
    const p = new b.Pipe();
    p.close();
    p.close();
    expect(p.closed).toBe(true);
    expect(() => p.size).toThrow(/closed/);
    expect(() => p.available()).toThrow(/EBADF/);
  });

  test("a Pipe dropped without close() has its fds closed by the collector", async () => {
    const seen: number[] = [];
    (() => {
      for (let i = 0; i < 20; i++) {
        const p = new b.Pipe();
        seen.push(p.reader.fd, p.writer.fd);
      }
    })();
    const open = () => seen.filter((fd) => {
      try {
        return readFileSync(`/proc/self/fdinfo/${fd}`, "utf8").length > 0 && b.getPipeSize(fd) > 0;
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 50 && open().length > 0; i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(open()).toEqual([]);
  });

  test("a Worker's pipes are closed when the Worker ends", async () => {
    const code = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
      const p = new b.Pipe(); const q = new b.Pipe();
      postMessage([p.reader.fd, p.writer.fd, q.reader.fd, q.writer.fd]);`;
    const url = URL.createObjectURL(new Blob([code], { type: "application/typescript" }));
    const w = new Worker(url);
    const fds = await new Promise<number[]>((r) => (w.onmessage = (e) => r(e.data)));
    await new Promise<void>((r) => {
      w.addEventListener("close", () => r());
      w.terminate();
    });
    const pipesLeft = () => fds.filter((fd) => {
      try {
        b.getPipeSize(fd);
        return true;
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 50 && pipesLeft().length > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(pipesLeft()).toEqual([]);
  });
});

describe("spliceAll", () => {
  test.each([0, 1, 4095, 4096, 65536, 1 << 20, 64 << 20])("file to file through butter's pipe, %i bytes, byte for byte", async (n) => {
    const data = randomBytes(n);
    const src = fileWith(`in-${n}`, data);
    const dst = fileFor(`out-${n}`);
    try {
      expect(await b.spliceAll(src, dst)).toBe(n);
    } finally {
      closeSync(src);
      closeSync(dst);
    }
    expect(sha(contents(`out-${n}`))).toBe(sha(data));
  });

  test("length: a part of the input, then the rest from where it stopped", async () => {
    const data = randomBytes(100_000);
    const src = fileWith("part", data);
    const dst = fileFor("part-out");
    try {
      expect(await b.spliceAll(src, dst, { length: 12_345 })).toBe(12_345);
      expect(await b.spliceAll(src, dst)).toBe(100_000 - 12_345);
    } finally {
      closeSync(src);
      closeSync(dst);
    }
    expect(sha(contents("part-out"))).toBe(sha(data));
  });

  test("a child's stdout, through a Pipe given to Bun.spawn, spliced into a file", async () => {
    using p = new b.Pipe();
    const child = Bun.spawn(["sh", "-c", `head -c 3000000 /dev/urandom | tee ${tmp.files}/child-copy`], { stdout: p.writer.fd });
    p.writer.close(); // the child has its own copy; the end of its output is the end
    const dst = fileFor("child-out");
    try {
      expect(await b.spliceAll(p.reader, dst)).toBe(3_000_000);
    } finally {
      closeSync(dst);
    }
    expect(await child.exited).toBe(0);
    expect(sha(contents("child-out"))).toBe(sha(contents("child-copy")));
  });

  test("a file into a child's stdin that reads slowly: the mover waits for writability", async () => {
    const data = randomBytes(2 << 20);
    const src = fileWith("to-child", data);
    using p = new b.Pipe();
    const child = Bun.spawn(["sh", "-c", "sleep 0.2; sha256sum"], { stdin: p.reader.fd, stdout: "pipe" });
    p.reader.close();
    try {
      expect(await b.spliceAll(src, p.writer)).toBe(2 << 20);
    } finally {
      closeSync(src);
    }
    p.writer.close();
    expect((await new Response(child.stdout).text()).split(" ")[0]).toBe(sha(data));
  });

  test("a file to a TCP socket and a socket to a file (Bun's sockets, by their fd; the reading one paused)", async () => {
    const data = randomBytes(1 << 20);
    const src = fileWith("net-in", data);
    const dst = fileFor("net-out");
    let received: Promise<number> | undefined;
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.pause(); // Bun must not read what the splice takes
          received = b.spliceAll(s as unknown as b.FdLike, dst); // (Bun's types do not declare socket.fd)
        },
        data() {
          throw new Error("Bun read bytes meant for the splice");
        },
      },
    });
    const client = await Bun.connect({ hostname: "127.0.0.1", port: server.port, socket: { data() {} } });
    try {
      expect(await b.spliceAll(src, client as unknown as b.FdLike)).toBe(1 << 20);
      client.end();
      while (received === undefined) await new Promise((r) => setTimeout(r, 1));
      expect(await received).toBe(1 << 20);
    } finally {
      server.stop(true);
      closeSync(src);
      closeSync(dst);
    }
    expect(sha(contents("net-out"))).toBe(sha(data));
  });

  test("EPIPE when the reader is gone: a rejection with bytesMoved, never SIGPIPE, also with a process.on('SIGPIPE') listener", async () => {
    const heard: string[] = [];
    const listener = () => heard.push("SIGPIPE");
    process.on("SIGPIPE", listener);
    try {
      using p = new b.Pipe();
      p.reader.close();
      const src = fileWith("epipe", randomBytes(1000));
      try {
        await expect(b.spliceAll(src, p.writer)).rejects.toMatchObject({ name: "OSError", code: "EPIPE", bytesMoved: 0 });
      } finally {
        closeSync(src);
      }
    } finally {
      process.off("SIGPIPE", listener);
    }
    expect(heard.length).toBeLessThanOrEqual(1); // the listener may hear it; the process lives either way
  });

  test("abort: the wait is given up, the rejection is the signal's reason with bytesMoved", async () => {
    using p = new b.Pipe();
    writeSync(p.writer.fd, "12345");
    const dst = fileFor("abort-out");
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("enough")), 30);
    try {
      await expect(b.spliceAll(p.reader, dst, { signal: ac.signal })).rejects.toMatchObject({ message: "enough", bytesMoved: 5 });
      await expect(b.spliceAll(p.reader, dst, { signal: ac.signal })).rejects.toThrow("enough");
    } finally {
      closeSync(dst);
    }
    expect(contents("abort-out").toString()).toBe("12345");
  });

  test("an abort's reason is given as it is: a frozen error keeps no bytesMoved, a string stays a string", async () => {
    using p = new b.Pipe();
    const frozen = Object.freeze(new Error("frozen"));
    const a = new AbortController();
    a.abort(frozen);
    await expect(b.spliceAll(p.reader, p.writer, { signal: a.signal })).rejects.toBe(frozen);
    expect((frozen as b.MoveProgress).bytesMoved).toBeUndefined();
    const c = new AbortController();
    c.abort("no more");
    await expect(b.spliceAll(p.reader, 1, { signal: c.signal })).rejects.toBe("no more");
    await expect(b.teeTo(p.reader, [1], { signal: c.signal })).rejects.toBe("no more");
  });

  test("length 0 moves nothing and touches nothing", async () => {
    using p = new b.Pipe();
    writeSync(p.writer.fd, "x");
    expect(await b.spliceAll(p.reader, 1, { length: 0 })).toBe(0);
    expect(await b.teeTo(p.reader, [1], { length: 0 })).toBe(0);
    expect(p.available()).toBe(1);
  });

  test("arguments: fds or objects with one; closed objects and bad options are errors", async () => {
    await expect(b.spliceAll({} as never, 1)).rejects.toThrow(TypeError);
    await expect(b.spliceAll({ fd: "1" } as never, 1)).rejects.toThrow(/from.fd/);
    const closed = new b.Pipe();
    closed.close();
    await expect(b.spliceAll(closed.reader, 1)).rejects.toMatchObject({ code: "EBADF" });
    await expect(b.spliceAll("3" as never, 1)).rejects.toThrow(TypeError);
    await expect(b.spliceAll(0, 1, { length: -1 })).rejects.toThrow(RangeError);
    await expect(b.spliceAll(0, 1, { signal: {} as never })).rejects.toThrow(TypeError);
  });

  test("inside a Worker, while the main thread moves too", async () => {
    const data = randomBytes(1 << 20);
    writeFileSync(`${tmp.files}/w-in`, data);
    const code = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
      import { openSync, closeSync } from "node:fs";
      const a = openSync(${JSON.stringify(`${tmp.files}/w-in`)}, "r"), c = openSync(${JSON.stringify(`${tmp.files}/w-out`)}, "w");
      const n = await b.spliceAll(a, c); closeSync(a); closeSync(c); postMessage(n);`;
    const w = new Worker(URL.createObjectURL(new Blob([code], { type: "application/typescript" })));
    const src = fileWith("m-in", data);
    const dst = fileFor("m-out");
    try {
      const [inWorker, here] = await Promise.all([new Promise((r) => (w.onmessage = (e) => r(e.data))), b.spliceAll(src, dst)]);
      expect([inWorker, here]).toEqual([1 << 20, 1 << 20]);
    } finally {
      w.terminate();
      closeSync(src);
      closeSync(dst);
    }
    expect(sha(contents("w-out"))).toBe(sha(data));
    expect(sha(contents("m-out"))).toBe(sha(data));
  });
});

describe("teeTo", () => {
  test("a child's output to a log file and to a second pipe at once, byte for byte", async () => {
    using p = new b.Pipe();
    using second = new b.Pipe();
    const child = Bun.spawn(["sh", "-c", `head -c 2500000 /dev/urandom | tee ${tmp.files}/tee-copy`], { stdout: p.writer.fd });
    p.writer.close();
    const log = fileFor("tee-log");
    const reader = Bun.spawn(["sha256sum"], { stdin: second.reader.fd, stdout: "pipe" });
    second.reader.close();
    try {
      const moved = b.teeTo(p.reader, [log, second.writer]);
      expect(await moved).toBe(2_500_000);
      second.writer.close();
    } finally {
      closeSync(log);
    }
    expect(await child.exited).toBe(0);
    const copy = sha(contents("tee-copy"));
    expect(sha(contents("tee-log"))).toBe(copy);
    expect((await new Response(reader.stdout).text()).split(" ")[0]).toBe(copy);
  });

  test("one output, a length, three outputs; errors: not a pipe, the same fd twice", async () => {
    using p = new b.Pipe({ size: 1 << 20 });
    const data = randomBytes(300_000);
    writeSync(p.writer.fd, data);
    const outs = ["t1", "t2", "t3"].map(fileFor);
    try {
      expect(await b.teeTo(p.reader, [outs[0]!], { length: 100_000 })).toBe(100_000);
      p.writer.close();
      expect(await b.teeTo(p.reader, outs.slice(1))).toBe(200_000);
      const f = fileWith("nt", data);
      try {
        await expect(b.teeTo(f, [outs[0]!])).rejects.toMatchObject({ code: "EINVAL", syscall: "tee" });
      } finally {
        closeSync(f);
      }
      await expect(b.teeTo(p.reader, [outs[0]!, outs[0]!])).rejects.toThrow(TypeError);
      await expect(b.teeTo(p.reader, [])).rejects.toThrow(TypeError);
    } finally {
      outs.forEach((fd) => closeSync(fd));
    }
    expect(sha(contents("t1"))).toBe(sha(data.subarray(0, 100_000)));
    expect(sha(contents("t2"))).toBe(sha(data.subarray(100_000)));
    expect(sha(contents("t3"))).toBe(sha(data.subarray(100_000)));
  });

  test("abort while the source is quiet: rejects with bytesMoved, and butter's copy pipes are closed", async () => {
    using p = new b.Pipe();
    writeSync(p.writer.fd, "abc");
    const outs = ["a1", "a2"].map(fileFor);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    try {
      await expect(b.teeTo(p.reader, outs, { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError", bytesMoved: 3 });
    } finally {
      outs.forEach((fd) => closeSync(fd));
    }
    expect(contents("a1").toString()).toBe("abc");
    expect(contents("a2").toString()).toBe("abc");
  });
});
