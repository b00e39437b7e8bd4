/**
 * spawnFiltered: a child process filtered from its first instruction after exec.
 *
 * Why not Bun.spawn: Bun runs no code of ours between fork and exec, and a filter loaded
 * into Bun itself would cover the parent too. bunffi/seccomp.c clones the calling thread
 * (a raw clone with a pidfd: no atfork handler of Bun's runs), and the child, with raw
 * system calls only, resets every signal handler, sets up its stdio, changes directory,
 * sets no_new_privs, installs the filter and execs. A failure before exec comes back
 * through a close-on-exec pipe as the error of its step. The parent waits for the end
 * through the pidfd, which the reactor watches: nothing blocks the JS thread, and the
 * child is never reaped behind Bun's back (Bun does not know it).
 *
 * The filter applies to the child's execve itself: it must allow execve (or execveat).
 * A filter with USER_NOTIF rules gets its listener taken into this process before the
 * child execs (the child's last write and read go through the filter too: they must not
 * be notified).
 */
import { O_CLOEXEC } from "../core/open-flags.ts";
import { ready, READABLE } from "../core/reactor.ts";
import * as v from "../core/validate.ts";
import { pidfdSendSignal } from "../process/calls.ts";
import { signame } from "../signal/calls.ts";
import { pipe2 } from "../splice/calls.ts";
import { spawnFilteredRaw, waitPidfd, SECCOMP_FILTER_FLAG_NEW_LISTENER } from "./calls.ts";
import { SeccompNotifyAsync } from "./notify.ts";
import type { SeccompFilter } from "./filter.ts";
import { nodeFs } from "../core/lazy-node.ts";

/** A child's stdin, stdout or stderr: as this process's, /dev/null, a pipe, or an fd. */
export type Stdio = "inherit" | "ignore" | "pipe" | number;

/** How spawnFiltered starts the child. */
export interface SpawnFilteredOptions {
  /** the filter the child runs under */
  filter: SeccompFilter;
  /** the child's working directory (default: this process's) */
  cwd?: string;
  /** the child's environment (default: this process's) */
  env?: Record<string, string | undefined>;
  /** "inherit" (default), "ignore", "pipe", or an fd */
  stdin?: Stdio;
  /** as stdin */
  stdout?: Stdio;
  /** as stdin */
  stderr?: Stdio;
  /** set no_new_privs in the child before its filter (default true; without it the filter needs CAP_SYS_ADMIN) */
  noNewPrivs?: boolean;
}

/** A child started by spawnFiltered. */
export interface FilteredProcess {
  /** its process id */
  readonly pid: number;
  /** when the filter has USER_NOTIF rules: the child's listener, as an async queue of notifications (close it when done) */
  readonly notify: SeccompNotifyAsync | undefined;
  /** with stdin "pipe": the write end (the caller closes it) */
  readonly stdin: number | undefined;
  /** with stdout "pipe": its output (read it to its end, or cancel it: the pipe is closed then) */
  readonly stdout: ReadableStream<Uint8Array> | undefined;
  /** with stderr "pipe": its output */
  readonly stderr: ReadableStream<Uint8Array> | undefined;
  /** the exit code, or 128 + the signal that ended it (SIGSYS is 159: a filter's KILL) */
  readonly exited: Promise<number>;
  /** the signal that ended it, once it ended by one ("SIGSYS"), else null */
  readonly signalCode: string | null;
  /** the exit code once it exited normally, else null */
  readonly exitCode: number | null;
  /** sends it a signal (SIGTERM by default) through its pidfd, never to a reused pid */
  kill(signal?: number): void;
}

/** argv[0] as execvp(3) finds it on `path`. */
function resolve(name: string, path: string | undefined): string {
  if (name.includes("/")) return name;
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const p = `${dir || "."}/${name}`;
    if (nodeFs().existsSync(p) && nodeFs().statSync(p).isFile()) return p;
  }
  return name; // execve says ENOENT, as the error of its step
}

/**
 * Starts `argv` in a child that runs under `filter` from its first instruction after
 * exec (no_new_privs set first). Its interface follows Bun.spawn: stdio, env, cwd, and
 * the exit status as a promise.
 * @throws {@link OSError} the error of the step that failed (clone here; or in the child dup2, chdir, prctl, seccomp (EINVAL: a program the kernel refuses) or execve, ENOENT for a program that is not there), with nothing left running; TypeError for bad arguments.
 */
export function spawnFiltered(argv: readonly string[], opts: SpawnFilteredOptions): FilteredProcess {
  if (!Array.isArray(argv) || argv.length === 0) throw new TypeError("argv must be a non-empty array of strings");
  const o = v.options(opts);
  if (o.filter === undefined || typeof o.filter.bpf !== "function") throw new TypeError("spawnFiltered needs { filter: SeccompFilter }");
  const program = o.filter.bpf();
  const envObj = o.env ?? process.env;
  const env = Object.entries(envObj).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}=${x}`);
  const mine: number[] = []; // fds this call opened: closed whatever happens
  const theirs: number[] = []; // the parent's ends of pipes, handed out
  const fdFor = (s: Stdio | undefined, i: number): number => {
    if (s === undefined || s === "inherit") return -1;
    if (s === "ignore") {
      const fd = nodeFs().openSync("/dev/null", i === 0 ? "r" : "w");
      mine.push(fd);
      return fd;
    }
    if (s === "pipe") {
      const [r, w] = pipe();
      mine.push(i === 0 ? r : w);
      theirs[i] = i === 0 ? w : r;
      return i === 0 ? r : w;
    }
    return v.fd(s, ["stdin", "stdout", "stderr"][i]);
  };
  let started: { pid: number; pidfd: number; listener: number };
  try {
    const fds: [number, number, number] = [fdFor(o.stdin, 0), fdFor(o.stdout, 1), fdFor(o.stderr, 2)];
    const flags = o.filter.notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    started = spawnFilteredRaw(resolve(argv[0]!, envObj.PATH), argv, env, o.cwd ?? null, fds, program, flags, o.noNewPrivs ?? true);
  } catch (e) {
    for (const fd of theirs) if (fd !== undefined) nodeFs().closeSync(fd);
    throw e;
  } finally {
    for (const fd of mine) nodeFs().closeSync(fd);
  }
  const { pid, pidfd, listener } = started;
  const notify = listener >= 0 ? new SeccompNotifyAsync(listener) : undefined;
  let exitCode: number | null = null;
  let signalCode: string | null = null;
  let ended = false;
  const exited = (async () => {
    for (;;) {
      let r: ReturnType<typeof waitPidfd>;
      try {
        r = waitPidfd(pidfd);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "EINTR") continue;
        if (code === "EAGAIN") {
          await ready(pidfd, READABLE);
          continue;
        }
        // the wait itself failed: said here; the child is still reaped once it ends, and
        // its pidfd closed then
        if (code !== "ECHILD") void ready(pidfd, READABLE).then(() => reapQuietly(pidfd));
        else nodeFs().closeSync(pidfd);
        ended = true;
        throw e;
      }
      if (r !== null) {
        ended = true;
        nodeFs().closeSync(pidfd);
        if (r.code === 1) return (exitCode = r.status);
        signalCode = signame(r.status);
        return 128 + r.status;
      }
      await ready(pidfd, READABLE);
    }
  })();
  const stream = (fd: number | undefined) => (fd === undefined ? undefined : owningStream(fd));
  return {
    pid,
    notify,
    stdin: theirs[0],
    stdout: stream(theirs[1]),
    stderr: stream(theirs[2]),
    exited,
    get exitCode() {
      return exitCode;
    },
    get signalCode() {
      return signalCode;
    },
    kill(signal = 15) {
      if (!ended) pidfdSendSignal(pidfd, v.int(signal, "signal", 1, 64));
    },
  };
}

/** A pipe's read end as a stream that closes the fd at its end or when cancelled (Bun's
 * own stream of an fd leaves it open). */
function owningStream(fd: number): ReadableStream<Uint8Array> {
  const reader = (Bun.file(fd).stream() as ReadableStream<Uint8Array>).getReader();
  let open = true;
  const done = () => {
    if (open) {
      open = false;
      nodeFs().closeSync(fd);
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const r = await reader.read();
      if (r.done) {
        done();
        c.close();
      } else c.enqueue(r.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
      done();
    },
  });
}

function reapQuietly(pidfd: number): void {
  try {
    waitPidfd(pidfd);
  } catch {
    // nobody is left to tell
  }
  nodeFs().closeSync(pidfd);
}

function pipe(): [number, number] {
  const p = pipe2(O_CLOEXEC);
  return [p[0], p[1]];
}
