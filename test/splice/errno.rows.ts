// The errno rows of splice: splice(2), tee(2), vmsplice(2) and the memory it takes
// (mmap), copy_file_range(2), sendfile(2), the pipe calls (pipe2, fcntl's pipe size,
// FIONREAD) and the zero-timeout poll(2) of the movers.
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import type * as Butter from "../../src/index.ts";
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

const DATA = "butter splices";

/** A pipe holding DATA, a file holding DATA, and a file to write to. */
interface Ends {
  pipe: Butter.Pipe;
  out: Butter.Pipe;
  dir: string;
  src: number;
  dst: number;
}

function ends(b: B, filled = true): Ends {
  const dir = mkdtempSync(`${tmpdir()}/butter-splice-rows-`);
  writeFileSync(`${dir}/src`, DATA);
  const pipe = new b.Pipe();
  if (filled) writeSync(pipe.writer.fd, DATA);
  const out = new b.Pipe({ nonblocking: true });
  return { pipe, out, dir, src: openSync(`${dir}/src`, "r"), dst: openSync(`${dir}/dst`, "w+") };
}

function done(_b: B, e: Ends): void {
  e.pipe.close();
  e.out.close();
  closeSync(e.src);
  closeSync(e.dst);
  rmSync(e.dir, { recursive: true, force: true });
}

const setup = (b: B) => ends(b);

/** What `out` holds, as text. */
function drained(b: B, e: Ends): string {
  const n = e.out.available();
  b.splice(e.out.reader.fd, null, e.dst, { offset: 0n }, n);
  return readFileSync(`${e.dir}/dst`, "utf8").slice(0, n);
}

const pipeUsable = (b: B, e: Ends) => {
  if (b.splice(e.pipe.reader.fd, null, e.out.writer.fd, null, 100) !== DATA.length) throw new Error("the pipe's bytes did not move");
};

const moved = (b: B, e: Ends, v: unknown) => {
  if (v !== DATA.length) throw new Error(`moved ${v}, not ${DATA.length}`);
  if (drained(b, e) !== DATA) throw new Error("the bytes that arrived are not the ones sent");
};

/** DATA vmspliced from butter's memory into `out`: the call of both vmsplice scenarios. */
const vmspliceData = {
  setup: (b: B) => ({ ...setup(b), buf: b.vmspliceBuffer(DATA.length) }),
  call: (b: B, e: Ends & { buf: Uint8Array }) => {
    e.buf.set(new TextEncoder().encode(DATA));
    return b.vmsplice(e.out.writer.fd, e.buf);
  },
  teardown: done,
};

export const scenarios: Record<string, Scenario> = {
  splice: {
    fn: "splice",
    setup,
    call: (b, e: Ends) => b.splice(e.pipe.reader.fd, null, e.out.writer.fd, null, 100),
    usable: pipeUsable,
    teardown: done,
  },
  "splice:spliceAll": {
    fn: "splice",
    setup: (b) => {
      const e = setup(b);
      e.pipe.writer.close(); // so that spliceAll meets the end
      return e;
    },
    call: (b, e: Ends) => b.spliceAll(e.pipe.reader, e.out.writer),
    returns: moved,
    usable: (b, e: Ends) => b.spliceAll(e.pipe.reader, e.out.writer),
    teardown: done,
  },
  tee: {
    fn: "tee",
    setup,
    call: (b, e: Ends) => b.tee(e.pipe.reader.fd, e.out.writer.fd, 100),
    usable: (b, e: Ends) => {
      if (b.tee(e.pipe.reader.fd, e.out.writer.fd, 100) !== DATA.length) throw new Error("tee copied nothing");
    },
    teardown: done,
  },
  vmsplice: {
    ...vmspliceData,
    fn: "vmsplice",
    usable: (b, e: Ends & { buf: Uint8Array }) => moved(b, e, vmspliceData.call(b, e)),
  },
  // the fresh pages put under what the kernel took (the mmaps vmsplice makes after the kernel took the bytes)
  "vmsplice:replace": {
    ...vmspliceData,
    fn: "mmap",
    usable: (b, e: Ends & { buf: Uint8Array }) => {
      // the bytes were taken, and the buffer can never be written again
      if (e.buf.byteLength !== 0 || e.buf.buffer.byteLength !== 0) throw new Error("the buffer is still attached");
      if (drained(b, e) !== DATA) throw new Error("the pipe does not hold the bytes");
      b.vmspliceBuffer(16);
    },
  },
  "pages/mmap": {
    fn: "mmap",
    call: (b) => b.vmspliceBuffer(10),
    usable: (b) => b.vmspliceBuffer(10),
  },
  copy_file_range: {
    fn: "copy_file_range",
    setup,
    call: (b, e: Ends) => b.copyFileRange(e.src, { offset: 0n }, e.dst, { offset: 0n }, 100),
    usable: (b, e: Ends) => {
      if (b.copyFileRange(e.src, { offset: 0n }, e.dst, { offset: 0n }, 100) !== DATA.length) throw new Error("nothing copied");
    },
    teardown: done,
  },
  sendfile: {
    fn: "sendfile",
    setup,
    call: (b, e: Ends) => b.sendfile(e.out.writer.fd, e.src, 0n, 100),
    usable: (b, e: Ends) => moved(b, e, b.sendfile(e.out.writer.fd, e.src, 0n, 100)),
    teardown: done,
  },
  "pipe2:Pipe": {
    fn: "pipe2",
    call: (b) => new b.Pipe(),
    usable: (b) => new b.Pipe().close(),
  },
  "splice/fcntl": {
    fn: "fcntl",
    setup,
    call: (_b, e: Ends) => e.pipe.resize(1 << 16),
    usable: (_b, e: Ends) => {
      if (e.pipe.resize(1 << 17) !== 1 << 17) throw new Error("resize did not take");
    },
    teardown: done,
  },
  "splice/fcntl:get": {
    fn: "fcntl",
    setup,
    call: (_b, e: Ends) => e.pipe.size,
    usable: (_b, e: Ends) => {
      if (e.pipe.size !== 1 << 16) throw new Error("size is not 64 KiB");
    },
    teardown: done,
  },
  "splice/ioctl": {
    fn: "ioctl",
    setup,
    call: (_b, e: Ends) => e.pipe.available(),
    usable: (_b, e: Ends) => {
      if (e.pipe.available() !== DATA.length) throw new Error("FIONREAD is wrong");
    },
    teardown: done,
  },
  // The zero-timeout poll a mover makes after EAGAIN: the pipe is empty (a real EAGAIN)
  // until a timer writes the bytes and closes it.
  "splice/poll": {
    fn: "poll",
    setup: (b) => ends(b, false),
    call: (b, e: Ends) => {
      setTimeout(() => {
        if (e.pipe.writer.closed) return;
        writeSync(e.pipe.writer.fd, DATA);
        e.pipe.writer.close();
      }, 5);
      return b.spliceAll(e.pipe.reader, e.out.writer);
    },
    returns: moved,
    usable: async (b, e: Ends) => {
      while (!e.pipe.writer.closed) await Bun.sleep(1);
      await b.spliceAll(e.pipe.reader, e.out.writer);
    },
    teardown: done,
  },
};

export const matrix: Row[] = [
  // splice(2): the 1:1 call takes any fds, so every listed errno can reach it
  ...rows("splice", "OSError", ["EAGAIN", "EBADF", "EINVAL", "ENOMEM", "ESPIPE"]),
  // not on the pages; the kernel's word for a reader that is gone (see calls.ts)
  ...rows("splice", "OSError", ["EPIPE"]),
  ...rows("tee", "OSError", ["EPIPE"]),
  ...rows("vmsplice", "OSError", ["EPIPE"]),
  ...rows("sendfile", "OSError", ["EPIPE"]),
  ...rows("splice", "UnknownError", [UNDOCUMENTED]),
  ...rows("splice", "retried", ["EINTR"], { scenario: "splice:spliceAll" }),
  ...rows("splice", "waits", ["EAGAIN"], { scenario: "splice:spliceAll" }),
  ...rows("splice", "OSError", ["EINVAL", "ENOMEM"], { scenario: "splice:spliceAll" }),
  ...rows("tee", "OSError", ["EAGAIN", "EINVAL", "ENOMEM"]),
  ...rows("tee", "UnknownError", [UNDOCUMENTED]),
  ...rows("vmsplice", "OSError", ["EAGAIN", "EBADF", "EINVAL", "ENOMEM"]),
  ...rows("vmsplice", "UnknownError", [UNDOCUMENTED]),
  ...rows("pages/mmap", "OSError", ["EAGAIN", "ENOMEM"]),
  ...rows("pages/mmap", "PermissionError", ["EPERM"]),
  ...rows("pages/mmap", "UnknownError", [UNDOCUMENTED]),
  ...rows("pages/mmap", "OSError", ["ENOMEM"], { scenario: "vmsplice:replace" }),
  // the second mmap of the replacement: the fresh pages themselves (MAP_FIXED)
  ...rows("pages/mmap", "OSError", ["ENOMEM"], { scenario: "vmsplice:replace", nth: 2 }),
  ...rows("copy_file_range", "OSError", ["EBADF", "EFBIG", "EINVAL", "EIO", "EISDIR", "ENOMEM", "ENOSPC", "EOPNOTSUPP", "EOVERFLOW", "ETXTBSY", "EXDEV"]),
  ...rows("copy_file_range", "PermissionError", ["EPERM"]),
  ...rows("copy_file_range", "UnknownError", [UNDOCUMENTED]),
  ...rows("sendfile", "OSError", ["EAGAIN", "EBADF", "EINVAL", "EIO", "ENOMEM", "EOVERFLOW", "ESPIPE"]),
  ...rows("sendfile", "InternalError", ["EFAULT"]),
  ...rows("sendfile", "UnknownError", [UNDOCUMENTED]),
  ...rows("pipe2", "OSError", ["EMFILE", "ENFILE", "EINVAL"], { scenario: "pipe2:Pipe" }),
  ...rows("pipe2", "InternalError", ["EFAULT"], { scenario: "pipe2:Pipe" }),
  ...rows("splice/poll", "retried", ["EINTR"]),
  ...rows("splice/poll", "OSError", ["ENOMEM"]),
  ...rows("splice/poll", "InternalError", ["EFAULT"]),
  ...rows("splice/poll", "UnknownError", [UNDOCUMENTED]),
  ...rows("splice/fcntl", "OSError", ["EBADF", "EBUSY", "EINVAL"]),
  ...rows("splice/fcntl", "PermissionError", ["EPERM"]),
  ...rows("splice/fcntl", "UnknownError", [UNDOCUMENTED]),
  ...rows("splice/fcntl", "OSError", ["EBADF"], { scenario: "splice/fcntl:get" }),
  ...rows("splice/ioctl", "OSError", ["EBADF", "EINVAL", "ENOTTY"]),
  ...rows("splice/ioctl", "InternalError", ["EFAULT"]),
  ...rows("splice/ioctl", "UnknownError", [UNDOCUMENTED]),
];
