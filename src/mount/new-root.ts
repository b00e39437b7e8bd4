/**
 * The new-root builder: run a program in a disposable root made of a tmpfs, chosen bind
 * mounts (read-only unless asked), /proc, a minimal /dev and a /tmp, with the old root
 * detached. The host's mount table never sees any of it.
 *
 * Why a child process: a mount namespace and a root belong to each THREAD's fs_struct,
 * and Bun cannot run code between fork and exec. So a child Bun starts
 * (src/mount/new-root-child.ts), moves its JS thread into a new mount namespace, builds
 * the root there, pivots into it, and execve(2)s the program from that thread: exec ends
 * Bun's other threads, and the program runs whole, every thread inside the new root.
 */
import { OSError, PermissionError, UnknownError, InternalError } from "../core/errors.ts";
import * as v from "../core/validate.ts";
import { nodeFs } from "../core/lazy-node.ts";

/** One bind mount of a new root: `src` on the host at `dst` inside (default: the same path). */
export interface NewRootBind {
  /** the host path */
  src: string;
  /** where it appears inside the root, absolute (default: `src`) */
  dst?: string;
  /** writable (default false: read-only, the whole tree under it) */
  writable?: boolean;
}

/** What the new root holds and how the program runs in it. */
export interface NewRootOptions {
  /** host paths to bind into the root, read-only by default */
  binds?: readonly (string | NewRootBind)[];
  /** mount a proc at /proc (default true; it shows this PID namespace) */
  proc?: boolean;
  /** a tmpfs /dev with null, zero, full, random, urandom and tty bound from the host (default true) */
  dev?: boolean;
  /** a tmpfs at /tmp (default true) */
  tmp?: boolean;
  /** a new UTS namespace with this host name */
  hostname?: string;
  /** the root tmpfs's size (bytes, or tmpfs's "64m") */
  size?: number | string;
  /** the program's working directory inside (default "/") */
  cwd?: string;
  /** the program's environment (default: PATH only) */
  env?: Record<string, string>;
  /** the program's stdin, as Bun.spawn takes it (default "inherit") */
  stdin?: "inherit" | "ignore" | "pipe";
  /** the program's stdout (default "inherit") */
  stdout?: "inherit" | "ignore" | "pipe";
  /** the program's stderr (default "inherit") */
  stderr?: "inherit" | "ignore" | "pipe";
}

/** The plan the child carries out, as it crosses in its environment. @internal */
export interface NewRootPlan {
  argv: string[];
  binds: { src: string; dst: string; writable: boolean }[];
  proc: boolean;
  dev: boolean;
  tmp: boolean;
  hostname?: string;
  size?: number | string;
  cwd: string;
  env: Record<string, string>;
}

/** The environment variable the plan crosses in. @internal */
export const PLAN_VAR = "BUTTER_NEW_ROOT_PLAN";
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A program started in a new root. */
export interface NewRootProcess {
  /** the child (Bun's Subprocess): pid, stdin/stdout/stderr when piped, kill() */
  readonly process: Bun.Subprocess<"pipe" | "inherit" | "ignore", "pipe" | "inherit" | "ignore", "pipe" | "inherit" | "ignore">;
  /** resolves when the root is built and the program is being executed; rejects with the setup's error (the step and its errno) */
  readonly ready: Promise<void>;
  /** the exit code (or 128 + the signal), once the program ended */
  readonly exited: Promise<number>;
}

const CLASSES: Record<string, new (errno: number, syscall: string, path?: string, detail?: string) => Error> = {
  OSError, PermissionError, UnknownError, InternalError,
};

function planOf(argv: readonly string[], opts: NewRootOptions): NewRootPlan {
  if (!Array.isArray(argv) || argv.length === 0) throw new TypeError("argv must be a non-empty array of strings");
  argv.forEach((a, i) => v.cstring(a, `argv[${i}]`));
  const o = v.options(opts);
  const binds = (o.binds ?? []).map((b, i) => {
    const spec = typeof b === "string" ? { src: b } : v.options(b, `binds[${i}]`);
    v.cstring(spec.src, `binds[${i}].src`);
    const dst = spec.dst ?? spec.src!;
    v.cstring(dst, `binds[${i}].dst`);
    if (!dst.startsWith("/")) throw new TypeError(`binds[${i}].dst must be an absolute path inside the new root`);
    return { src: spec.src!, dst, writable: spec.writable ?? false };
  });
  const env = o.env ?? { PATH: DEFAULT_PATH };
  for (const [k, val] of Object.entries(env)) v.cstring(`${k}=${val}`, `env.${k}`);
  if (o.hostname !== undefined) v.cstring(o.hostname, "hostname", 64);
  return {
    argv: [...argv],
    binds,
    proc: o.proc ?? true,
    dev: o.dev ?? true,
    tmp: o.tmp ?? true,
    hostname: o.hostname,
    size: o.size,
    cwd: o.cwd ?? "/",
    env,
  };
}

/**
 * Starts `argv` in a new root (see {@link NewRootOptions}). Needs CAP_SYS_ADMIN (root,
 * or a child of `unshare -Ur`). The program is looked up on the `env` PATH inside the
 * new root, so it must be bound in (with its libraries).
 * @throws TypeError or RangeError for bad arguments; the setup's own failures reject `ready` (PermissionError EPERM without CAP_SYS_ADMIN, OSError ENOENT for a bind source or a program that is not there, ...).
 */
export function spawnInNewRoot(argv: readonly string[], opts: NewRootOptions = {}): NewRootProcess {
  const plan = planOf(argv, opts);
  const child = new URL("./new-root-child.ts", import.meta.url).pathname;
  const proc = Bun.spawn([process.execPath, child], {
    stdio: [opts.stdin ?? "inherit", opts.stdout ?? "inherit", opts.stderr ?? "inherit", "pipe"],
    env: { [PLAN_VAR]: JSON.stringify(plan), PATH: process.env.PATH ?? DEFAULT_PATH },
  });
  const status = proc.stdio[3] as unknown as number;
  // the child writes a setup failure to fd 3, or closes it just before execve
  const ready = new Response(Bun.file(status).stream()).text().then((text) => {
    nodeFs().closeSync(status);
    if (text === "") return;
    const e = JSON.parse(text) as { cls: string; errno: number; syscall: string; path?: string; detail?: string };
    throw new (CLASSES[e.cls] ?? OSError)(e.errno, e.syscall, e.path, e.detail);
  });
  const exited = proc.exited;
  return { process: proc, ready, exited };
}

/** What a program run in a new root did. */
export interface NewRootResult {
  /** the exit code, or 128 + the signal that ended it */
  exitCode: number;
  /** everything it wrote to stdout */
  stdout: string;
  /** everything it wrote to stderr */
  stderr: string;
}

/**
 * Runs `argv` in a new root to its end and collects its output (stdout and stderr piped).
 * @throws as {@link spawnInNewRoot}: the setup's error when the root could not be built.
 */
export async function runInNewRoot(argv: readonly string[], opts: NewRootOptions = {}): Promise<NewRootResult> {
  const p = spawnInNewRoot(argv, { ...opts, stdout: "pipe", stderr: "pipe" });
  const out = new Response(p.process.stdout as ReadableStream).text();
  const err = new Response(p.process.stderr as ReadableStream).text();
  const [exitCode, stdout, stderr] = await Promise.all([p.exited, out, err, p.ready]);
  return { exitCode, stdout, stderr };
}

