/**
 * `Signalfd` (event-like) and `SignalfdAsync` (queue): signals as events, each a
 * Siginfo with every field of `struct signalfd_siginfo`.
 *
 * By default the signals are held process-wide (holds.ts): blocked in every
 * thread, so that they wait in the kernel for this signalfd while JS runs, and caught,
 * because Bun's event loop waits with an empty mask and so takes any signal while idle;
 * the handler writes what it caught to a pipe. The object reads that pipe first (those
 * signals came first), then its signalfd. `close()` gives back the masks and
 * dispositions there were. With `{ hold: false }` it is a plain signalfd, for programs
 * that manage masks (and Bun's loop) themselves.
 */
import { EventSource } from "../core/events.ts";
import { Queued } from "../core/queue.ts";
import { check, errorFor, EINTR } from "../core/errors.ts";
import { close, PIPE2 } from "../core/io.ts";
import { holdSignals, lostSignals, releaseSignals, CLOSE_ALL, CLOSE_OTHERS } from "./holds.ts";
import { settleListeners } from "./listeners.ts";
import {
  lib,
  readCaught,
  caughtCount,
  READ_RECORDS,
  refuseRuntimeSignals,
  readSignalfd,
  signame,
  sigrtmax,
  sigset,
  signalfd,
  SFD_CLOEXEC,
  SFD_NONBLOCK,
  SIGNALFD_POLL,
  SIGNALFD_READ,
  type Signal,
  type Siginfo,
} from "./calls.ts";
import * as v from "../core/validate.ts";

/** Options of {@link Signalfd} and {@link SignalfdAsync}. */
export interface SignalfdOptions {
  /** SFD_NONBLOCK; close-on-exec is always set */
  flags?: number;
  /** hold the signals process-wide so that they arrive here (default true) */
  hold?: boolean;
}

interface Opened {
  /** the object's fd: the caught-signal pipe's read end when holding, else the signalfd */
  fd: number;
  sfd: number;
  /** the pipe's write end when holding (the hold's key in bunffi/signal.c), else -1 */
  pipeWrite: number;
}

function open(set: Set<number>, flags: number, hold: boolean): Opened {
  refuseRuntimeSignals(set, "Signalfd");
  if (hold && set.has(sigrtmax())) throw new RangeError("SIGRTMAX is reserved: butter uses it to change the masks of every thread");
  // signalfd(2) would silently leave these out: they can be neither caught nor blocked
  for (const n of [9, 19]) if (set.has(n)) throw new RangeError(`${signame(n)} cannot be received through a signalfd`);
  // Held: the signalfd is only ever read when poll(2) or a try says it has something.
  const sfd = signalfd(-1, set, flags | SFD_CLOEXEC | (hold ? SFD_NONBLOCK : 0));
  if (!hold) return { fd: sfd, sfd, pipeWrite: -1 };
  const pipe = new Int32Array(2);
  try {
    check(lib().bt_catch_pipe(pipe), PIPE2);
  } catch (e) {
    close(sfd);
    throw e;
  }
  try {
    holdSignals(set, pipe[0]!, pipe[1]!, sfd);
  } catch (e) {
    close(sfd);
    close(pipe[0]!);
    close(pipe[1]!);
    throw e;
  }
  return { fd: pipe[0]!, sfd, pipeWrite: pipe[1]! };
}

// Gives back the hold of the pipe whose write end is `wr` (bunffi/signal.c closes the fds
// `closeFds` says), then the hidden listeners of what is no longer held (listeners.ts).
function release(wr: number, closeFds: number): void {
  releaseSignals(wr, closeFds);
  settleListeners();
}

/**
 * Signals as events: each a {@link Siginfo}. By default the signals are held
 * process-wide while the object is open (blocked in every thread, and caught while Bun's
 * loop idles), so that they arrive here and nowhere else; `close()` gives back each
 * thread's mask and the old disposition. docs/signal.md.
 */
export class Signalfd extends EventSource<Siginfo> {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = SIGNALFD_READ;
  /** The signals this object receives. */
  readonly signals: ReadonlySet<number>;
  #sfd: number;
  #pipeWrite: number;
  #held: boolean;
  #nonblocking: boolean;
  #lostBefore: Map<number, number>;
  #caughtSeen = -1; // caughtCount() when the pipe was last read
  #readPipe = true; // read the pipe next time whatever the count says

  /**
   * @param signals - names ("SIGUSR1", "SIGRTMIN+1") or numbers
   * @param options - `flags` (SFD_NONBLOCK), `hold` (default true: see the module comment)
   */
  constructor(signals: Iterable<Signal>, options: SignalfdOptions = {}) {
    const opts = v.options(options);
    const set = sigset(signals);
    const flags = v.flags(opts.flags === undefined ? 0 : opts.flags, "flags", SFD_NONBLOCK | SFD_CLOEXEC);
    const o = open(set, flags, v.boolean(opts.hold, "hold", true));
    // Dropped without close(): the collector releases the hold and closes all three fds
    // (the closure holds numbers only, never the object).
    const wr = o.pipeWrite;
    super(o.fd, wr >= 0 ? () => release(wr, CLOSE_ALL) : undefined);
    this.signals = set;
    this.#sfd = o.sfd;
    this.#pipeWrite = wr;
    this.#held = wr >= 0;
    this.#nonblocking = (flags & SFD_NONBLOCK) !== 0;
    this.#lostBefore = new Map([...set].map((n) => [n, lostSignals(n)]));
  }

  /**
   * Signals that were caught for this object but did not fit in its pipe (8,192 waiting
   * records: it was not read for that long), so never reached it. Kept by signal number,
   * so when two objects hold one signal, a loss is seen by both.
   */
  get lost(): number {
    let n = 0;
    for (const [sig, before] of this.#lostBefore) n += lostSignals(sig) - before;
    return n;
  }

  /** One read(2), decoded. @internal */
  protected readBatch(fd: number): Siginfo[] | null {
    if (!this.#held) return readSignalfd(fd);
    for (;;) {
      // The pipe (signals butter's handler caught) is read only when its count moved, or
      // when the last read found nothing or filled the buffer (a count read between the
      // handler's write and its increment is caught up then): an empty read of it costs
      // as much as the signalfd's own.
      const count = caughtCount();
      let got: Siginfo[] | null = null;
      if (count !== this.#caughtSeen || this.#readPipe) {
        this.#caughtSeen = count;
        got = readCaught(fd);
      }
      got ??= readSignalfd(this.#sfd);
      this.#readPipe = got === null || got.length === READ_RECORDS;
      if (got !== null || this.#nonblocking) return got;
      // Blocking: the signal may come either way (a Worker idle in its loop can take it
      // into the pipe while this thread waits), so wait for both.
      const r = lib().bt_wait_either(fd, this.#sfd);
      if (r < 0 && r !== -EINTR) throw errorFor(r, SIGNALFD_POLL);
    }
  }

  /**
   * Closes the fds and gives the signals back: each thread's old mask bit and the old
   * disposition return, so a signal that arrives afterwards (or was still pending) does
   * what it did before. Signals caught but not read are dropped with the fd. All or
   * nothing: the hold is released first, and if that fails (the error says which call)
   * the object stays open and holding. Concurrent closes and constructions on other
   * threads wait their turn; close() never fails because another thread is busy.
   */
  override close(): void {
    if (this.#held && !this.closed) {
      // bunffi/signal.c closes the write end and the signalfd once the hold is released
      release(this.#pipeWrite, CLOSE_OTHERS);
      this.#held = false;
      this.#pipeWrite = -1;
      this.#sfd = -1;
    }
    super.close();
  }

  /** Closes the signalfd of an object that does not hold (its own fd is closed after). @internal */
  protected override beforeClose(fd: number): void {
    super.beforeClose(fd);
    if (this.#sfd >= 0 && this.#sfd !== fd) close(this.#sfd);
    this.#sfd = -1;
  }
}

/** A Signalfd with a non-blocking fd and an async queue: `for await (const si of sfd)`. */
export class SignalfdAsync extends Queued<Siginfo, typeof Signalfd>(Signalfd) {
  /**
   * @param signals - names ("SIGUSR1", "SIGRTMIN+1") or numbers
   * @param options - `flags` (SFD_NONBLOCK is always added); `hold` must stay true
   * @throws TypeError for `hold: false`: Bun's event loop waits with an empty signal mask,
   * so a signal that is not held is delivered to an idle thread (and its default action
   * ends the process) instead of waiting for the signalfd.
   */
  constructor(signals: Iterable<Signal>, options: SignalfdOptions = {}) {
    const opts = v.options(options);
    if (opts.hold === false) {
      throw new TypeError(
        "SignalfdAsync cannot take { hold: false }: Bun's event loop waits with an empty signal mask, so a signal that is not " +
          "held reaches an idle thread (whose default action ends the process) instead of the signalfd. Hold the signals " +
          "(the default), or use Signalfd with { hold: false } and block them yourself.",
      );
    }
    super(signals, { ...opts, flags: v.flags(opts.flags === undefined ? 0 : opts.flags, "flags", SFD_NONBLOCK | SFD_CLOEXEC) | SFD_NONBLOCK });
  }
}
