// The errno rows of Linux AIO: io_setup(2), io_destroy(2), io_submit(2), io_getevents(2),
// io_pgetevents, io_cancel(2) (all through syscall(2): glibc has no wrappers), a
// completion's result (the shim's "io_event" point puts -errno in the first event reaped),
// and the read of the eventfd a reap resets.
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type * as Butter from "../../src/index.ts";
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

const DATA = "butter in flight";

/** A context, a file holding DATA, and an eventfd that is readable. */
interface Aio {
  ctx: Butter.AioContext;
  dir: string;
  fd: number;
  bell: Butter.Eventfd;
}

function aio(b: B): Aio {
  const dir = mkdtempSync(`${tmpdir()}/butter-aio-rows-`);
  writeFileSync(`${dir}/f`, DATA);
  const bell = new b.Eventfd(1, b.EFD_NONBLOCK);
  return { ctx: new b.AioContext(4), dir, fd: openSync(`${dir}/f`, "r+"), bell };
}

/** aio(), with a poll request out on an eventfd nothing has written to yet (`quiet`). */
type PollOut = Aio & { quiet: Butter.Eventfd; pending: Promise<number> };
function pollOut(b: B): PollOut {
  const e = aio(b);
  const quiet = new b.Eventfd(0, b.EFD_NONBLOCK);
  const pending = e.ctx.poll(quiet.fd, 1);
  e.ctx.submit();
  return { ...e, quiet, pending };
}

function done(_b: B, e: Aio & { quiet?: Butter.Eventfd }): void {
  e.ctx.close();
  e.bell.close();
  e.quiet?.close();
  closeSync(e.fd);
  rmSync(e.dir, { recursive: true, force: true });
}

/** A request made, submitted and reaped in one synchronous call (a file's read completes
 *  at submit; an fsync a moment later, on a kernel thread). */
function roundTrip(e: Aio, make: () => Promise<number>): Promise<number> {
  const p = make();
  e.ctx.submit();
  while (e.ctx.inFlight > 0) e.ctx.reap();
  return p;
}

const readBack = (e: Aio) => roundTrip(e, () => e.ctx.read(e.fd, new Uint8Array(64), 0));
const readAll = (_b: B, _e: unknown, n: unknown) => {
  if (n !== DATA.length) throw new Error(`read ${n} bytes, not ${DATA.length}`);
};
const readsData = async (b: B, e: Aio) => readAll(b, e, await readBack(e));

/** A bare context and a poll request in it, for the 1:1 calls. */
interface Raw {
  ctx: bigint;
  bell: Butter.Eventfd;
  poll: Butter.Iocb;
}
function raw(b: B): Raw {
  const ctx = b.ioSetup(4);
  const bell = new b.Eventfd(0, b.EFD_NONBLOCK);
  const poll = new b.Iocb({ opcode: b.IOCB_CMD_POLL, fd: bell.fd, events: 1 });
  b.ioSubmit(ctx, [poll]);
  return { ctx, bell, poll };
}
function rawDone(b: B, r: Raw): void {
  try {
    b.ioDestroy(r.ctx);
  } catch {
    // a row that failed io_destroy destroyed it in `usable`
  }
  r.bell.close();
}
const rawUsable = (b: B, r: Raw) => {
  r.bell.write(1);
  if (b.ioGetevents(r.ctx, 1, 4, 5000).length !== 1) throw new Error("the poll request did not complete");
};

export const scenarios: Record<string, Scenario> = {
  "aio/io_setup": {
    fn: "syscall",
    call: (b) => new b.AioContext(4),
    usable: (b) => new b.AioContext(4).close(),
  },
  "aio/io_destroy": {
    fn: "syscall",
    setup: (b) => b.ioSetup(4),
    call: (b, ctx: bigint) => b.ioDestroy(ctx),
    // the context is still there, and goes now
    usable: (b, ctx: bigint) => b.ioDestroy(ctx),
  },
  // close() of a context: the object is closed even so (its eventfd too)
  "aio/io_destroy:close": {
    fn: "syscall",
    setup: aio,
    call: (_b, e: Aio) => e.ctx.close(),
    usable: (b, e: Aio) => {
      if (!e.ctx.closed) throw new Error("the context is not closed");
      e.ctx = new b.AioContext(4);
      return readsData(b, e);
    },
    teardown: done,
  },
  "aio/io_submit": {
    fn: "syscall",
    setup: aio,
    call: (_b, e: Aio) => readBack(e),
    usable: readsData,
    teardown: done,
  },
  "aio/io_getevents": {
    fn: "syscall",
    setup: (b) => {
      const r = raw(b);
      r.bell.write(1); // the poll completes
      return r;
    },
    call: (b, r: Raw) => b.ioGetevents(r.ctx, 1, 4, 5000),
    returns: (_b, r: Raw, v) => {
      const evs = v as Butter.IoEvent[];
      if (evs.length !== 1 || evs[0]!.iocb !== r.poll || (evs[0]!.res & 1) !== 1) throw new Error("the poll's completion was not returned");
    },
    // the completion a failed call did not take is still there (a retried call took it)
    usable: (b, r: Raw) => {
      let evs = b.ioGetevents(r.ctx, 0, 4, 0);
      if (evs.length === 0) {
        b.ioSubmit(r.ctx, [r.poll]);
        evs = b.ioGetevents(r.ctx, 1, 4, 5000);
      }
      if (evs.length !== 1 || evs[0]!.iocb !== r.poll) throw new Error("the completion was lost");
    },
    teardown: rawDone,
  },
  // an AioContext's own reap: its completions stay in the ring, and are taken on a timer
  // (the failed reap had reset the eventfd, so no wake-up would come for them)
  "aio/io_getevents:reap": {
    fn: "syscall",
    setup: pollOut,
    call: (_b, e: PollOut) => {
      e.quiet.write(1); // the poll completes: the reap below finds it
      return e.ctx.reap();
    },
    usable: async (_b, e: PollOut) => {
      if (((await e.pending) & 1) !== 1) throw new Error("the request was lost");
    },
    teardown: done,
  },
  // the reap right after a submit (completions already there): a failure there is taken
  // up by the timer, and the request settles all the same
  "aio/io_getevents:submit": {
    fn: "syscall",
    setup: aio,
    call: (_b, e: Aio) => {
      const p = e.ctx.read(e.fd, new Uint8Array(64), 0);
      e.ctx.submit(); // syscall 1: io_submit; 2: the reap after it
      return p;
    },
    returns: readAll,
    usable: readsData,
    teardown: done,
  },
  // no room in the kernel while a request is in flight: the new one stays in line (it goes
  // with the next submit, or when a completion makes room), never rejected with EAGAIN
  "aio/io_submit:busy": {
    fn: "syscall",
    setup: pollOut,
    call: (_b, e: Aio) => {
      const p = e.ctx.read(e.fd, new Uint8Array(64), 0);
      e.ctx.submit();
      return { p }; // not a promise: the row checks what waits, then lets it go
    },
    returns: async (b, e: PollOut, v) => {
      // kept, not rejected: it went again with the next submit (the poll is still out)
      readAll(b, e, await (v as { p: Promise<number> }).p);
      if (e.ctx.submits !== 3) throw new Error(`${e.ctx.submits} submits, not 3 (the poll, the refused one, the one that went)`);
      e.quiet.write(1);
      if (((await e.pending) & 1) !== 1) throw new Error("the poll did not complete");
    },
    usable: readsData,
    teardown: done,
  },
  // the key whose destructor destroys a thread's contexts when it ends: made on the
  // thread's first AioContext (after owned.c's, for its eventfd), in a fresh process;
  // the context io_setup made is destroyed in the same helper call
  "aio:own": {
    fn: "pthread_key_create",
    call: (b) => new b.AioContext(4),
    usable: (b) => new b.AioContext(4).close(),
  },
  "aio/io_pgetevents": {
    fn: "syscall",
    setup: raw,
    call: (b, r: Raw) => b.ioPgetevents(r.ctx, 0, 4, 0, b.maskOf(["SIGUSR1"])),
    usable: rawUsable,
    teardown: rawDone,
  },
  "aio/io_cancel": {
    fn: "syscall",
    setup: raw,
    call: (b, r: Raw) => b.ioCancel(r.ctx, r.poll),
    usable: (b, r: Raw) => {
      if (b.ioCancel(r.ctx, r.poll) !== true) throw new Error("not cancelled");
      if (b.ioGetevents(r.ctx, 1, 4, 5000).length !== 1) throw new Error("no completion for the cancelled poll");
    },
    teardown: rawDone,
  },
  "aio-result/read": {
    fn: "io_event",
    setup: aio,
    call: (_b, e: Aio) => readBack(e),
    usable: readsData,
    teardown: done,
  },
  "aio-result/write": {
    fn: "io_event",
    setup: aio,
    call: (_b, e: Aio) => roundTrip(e, () => e.ctx.write(e.fd, new TextEncoder().encode("B"), 0)),
    usable: readsData,
    teardown: done,
  },
  "aio-result/fsync": {
    fn: "io_event",
    setup: aio,
    call: (_b, e: Aio) => roundTrip(e, () => e.ctx.fsync(e.fd)),
    usable: readsData,
    teardown: done,
  },
  "aio-result/poll": {
    fn: "io_event",
    setup: aio,
    call: (_b, e: Aio) => roundTrip(e, () => e.ctx.poll(e.bell.fd, 1)),
    usable: readsData,
    teardown: done,
  },
  // the reap's read of the context's eventfd: its failure leaves the counter set (which
  // only rings again), and the completions are taken all the same
  "aio-reap/read": {
    fn: "read",
    setup: aio,
    call: (_b, e: Aio) => readBack(e),
    returns: readAll,
    usable: readsData,
    teardown: done,
  },
};

const all = (call: string, errnos: { os?: string[]; perm?: string[]; internal?: string[] }, extra: Partial<Row> = {}): Row[] => [
  ...rows(call, "OSError", errnos.os ?? [], extra),
  ...rows(call, "PermissionError", errnos.perm ?? [], extra),
  ...rows(call, "InternalError", errnos.internal ?? [], extra),
  ...rows(call, "UnknownError", [UNDOCUMENTED], extra),
];

export const matrix: Row[] = [
  ...all("aio/io_setup", { os: ["EAGAIN", "EINVAL", "ENOMEM", "ENOSYS"], internal: ["EFAULT"] }),
  ...all("aio/io_destroy", { os: ["EINVAL", "ENOSYS"], internal: ["EFAULT"] }),
  ...rows("aio/io_destroy", "OSError", ["EINVAL"], { scenario: "aio/io_destroy:close" }),
  ...all("aio/io_submit", { os: ["EAGAIN", "EBADF", "EINVAL", "ENOSYS", "EOPNOTSUPP"], perm: ["EPERM"], internal: ["EFAULT"] }),
  // a signal's interruption is waited through
  ...rows("aio/io_getevents", "retried", ["EINTR"]),
  ...all("aio/io_getevents", { os: ["EINVAL", "ENOSYS"], internal: ["EFAULT"] }),
  ...rows("aio/io_getevents", "OSError", ["EINVAL"], { scenario: "aio/io_getevents:reap" }),
  ...rows("aio/io_getevents", "passes", ["EINVAL"], { scenario: "aio/io_getevents:submit", nth: 2 }),
  ...rows("aio/io_submit", "passes", ["EAGAIN"], { scenario: "aio/io_submit:busy" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { scenario: "aio:own", nth: 2, once: "process" }),
  // the record grows on the thread's first context (realloc; owned.c's fd record is realloc 1)
  ...rows("owned/malloc", "OSError", ["ENOMEM"], { scenario: "aio:own", fn: "realloc", nth: 2, once: "process" }),
  // io_pgetevents' EINTR is its point (the mask let a signal in): reported, not retried
  ...all("aio/io_pgetevents", { os: ["EINTR", "EINVAL", "ENOSYS"], internal: ["EFAULT"] }),
  ...all("aio/io_cancel", { os: ["EAGAIN", "EINVAL", "ENOSYS"], internal: ["EFAULT"] }),
  ...all("aio-result/read", { os: ["EAGAIN", "EBADF", "EINTR", "EINVAL", "EIO", "EISDIR", "ECANCELED"], internal: ["EFAULT"] }),
  ...all("aio-result/write", { os: ["EAGAIN", "EBADF", "EDESTADDRREQ", "EDQUOT", "EFBIG", "EINTR", "EINVAL", "EIO", "ENOSPC", "EPIPE", "ECANCELED"], perm: ["EPERM"], internal: ["EFAULT"] }),
  ...all("aio-result/fsync", { os: ["EBADF", "EDQUOT", "EINTR", "EINVAL", "EIO", "ENOSPC", "EROFS", "ECANCELED"] }),
  ...all("aio-result/poll", { os: ["EINTR", "EINVAL", "ENOMEM", "ECANCELED"], internal: ["EFAULT"] }),
  ...rows("aio-reap/read", "passes", ["EAGAIN", "EBADF", "EFAULT", "EINTR", "EINVAL", "EIO", "EISDIR"]),
];
