/**
 * The child of the new-root builder (src/mount/new-root.ts): builds the root on its JS
 * thread and execve(2)s the program. Run as `bun new-root-child.ts` with the plan in
 * BUTTER_NEW_ROOT_PLAN and a status pipe on fd 3: a failure is written there as JSON;
 * success closes it just before execve.
 *
 * Every step runs on the JS thread with synchronous calls only: this thread alone is in
 * the new mount namespace (Bun's pool threads, which serve asynchronous fs calls, still
 * see the host's), and execve ends the others.
 *
 * The steps: a new mount namespace, every mount private (nothing propagates to the host);
 * open every bind source (so that a later mount cannot hide one); a tmpfs on /tmp as
 * the staging root; binds, proc, dev, tmp in it; pivot_root into it with the old root
 * stacked on it and detached; chdir; execve.
 */
import { O_CLOEXEC, O_PATH } from "../core/open-flags.ts";
import { closeSync, existsSync, mkdirSync, openSync, statSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { InternalError, OSError, PermissionError } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { sethostname } from "../hostname/calls.ts";
import { execve, getpid } from "../process/calls.ts";
import { unshare, CLONE_NEWNS, CLONE_NEWUTS } from "../namespace/calls.ts";
import * as c from "./calls.ts";
import { readOnly } from "./disposable.ts";
import { PLAN_VAR, type NewRootPlan } from "./new-root.ts";

const STATUS = 3;
const STAGE = "/tmp";
const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"];

let step = "start";

function build(plan: NewRootPlan): string {
  // butter's C helpers compile on first use, from bunffi/, which the new root does not
  // have: every one this child calls is compiled here, before the pivot
  step = "compile the helpers";
  void getpid();
  step = "unshare";
  unshare(CLONE_NEWNS | (plan.hostname !== undefined ? CLONE_NEWUTS : 0));
  if (plan.hostname !== undefined) sethostname(plan.hostname);
  step = "make every mount private";
  c.mount(null, "/", null, c.MS_REC | c.MS_PRIVATE);
  // opened in the new namespace (a bind's source must be one of its mounts), before the
  // staging tmpfs can hide one
  step = "open the bind sources";
  const sources = plan.binds.map((b) => ({ ...b, fd: openSync(b.src, O_PATH | O_CLOEXEC), dir: statSync(b.src).isDirectory() }));
  const devices = plan.dev ? DEVICES.filter((d) => existsSync(`/dev/${d}`)).map((d) => ({ d, fd: openSync(`/dev/${d}`, O_PATH | O_CLOEXEC) })) : [];

  step = "mount the root tmpfs";
  const size = plan.size === undefined ? "" : `,size=${plan.size}`;
  c.mount("tmpfs", STAGE, "tmpfs", c.MS_NOSUID | c.MS_NODEV, `mode=755${size}`);
  const at = (p: string) => `${STAGE}${p}`;

  for (const b of sources) {
    step = `bind ${b.src} on ${b.dst}`;
    if (b.dir) mkdirSync(at(b.dst), { recursive: true });
    else {
      mkdirSync(at(b.dst).replace(/\/[^/]*$/, "") || STAGE, { recursive: true });
      writeFileSync(at(b.dst), "");
    }
    c.mount(`/proc/self/fd/${b.fd}`, at(b.dst), null, c.MS_BIND | c.MS_REC);
    closeSync(b.fd);
    if (!b.writable) readOnly(at(b.dst), true);
  }
  if (plan.proc) {
    step = "mount /proc";
    mkdirSync(at("/proc"), { recursive: true });
    try {
      c.mount("proc", at("/proc"), "proc", c.MS_NOSUID | c.MS_NODEV | c.MS_NOEXEC);
    } catch (e) {
      if ((e as { code?: string }).code !== "EPERM") throw e;
      throw new PermissionError(ERRNO.EPERM!, "mount", at("/proc"), "a proc can be mounted only by the owner of its PID namespace: in a user namespace, pass { proc: false }");
    }
  }
  if (plan.dev) {
    step = "make /dev";
    mkdirSync(at("/dev"), { recursive: true });
    c.mount("tmpfs", at("/dev"), "tmpfs", c.MS_NOSUID | c.MS_NOEXEC, "mode=755,size=64k");
    for (const { d, fd } of devices) {
      writeFileSync(at(`/dev/${d}`), "");
      c.mount(`/proc/self/fd/${fd}`, at(`/dev/${d}`), null, c.MS_BIND);
      closeSync(fd);
    }
    mkdirSync(at("/dev/shm"));
    for (const [name, to] of [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"]])
      symlinkSync(to!, at(`/dev/${name}`));
  }
  if (plan.tmp) {
    step = "mount /tmp";
    mkdirSync(at("/tmp"), { recursive: true });
    c.mount("tmpfs", at("/tmp"), "tmpfs", c.MS_NOSUID | c.MS_NODEV, "mode=1777");
  }

  step = "pivot_root";
  c.chdir(STAGE);
  c.pivotRoot(".", ".");
  step = "detach the old root";
  c.umount2(".", c.MNT_DETACH);
  step = "chdir";
  c.chdir("/");
  c.chdir(plan.cwd);

  step = "find the program";
  const file = programPath(plan.argv[0]!, plan.env.PATH ?? "");
  return file;
}

/** argv[0] as execvp(3) would find it, inside the new root. */
function programPath(name: string, path: string): string {
  const found = name.includes("/") ? [name] : path.split(":").map((d) => `${d || "."}/${name}`);
  for (const p of found) if (existsSync(p) && statSync(p).isFile()) return p;
  throw new OSError(ERRNO.ENOENT!, "execve", name, "not found on the PATH of the new root");
}

function report(e: unknown): void {
  const err = e as { errno?: number; syscall?: string; path?: string };
  const ours = e instanceof OSError || e instanceof InternalError;
  const errno = Math.abs(err.errno ?? ERRNO.EINVAL!); // Node's system errors carry it negative
  const cls = ours ? e.constructor.name : errno === ERRNO.EPERM || errno === ERRNO.EACCES ? "PermissionError" : "OSError";
  // a Node system error says its errno and syscall in the fields; anything else, in words
  // butter's own explanation (the message's last parenthesis) goes along
  const own = ours ? /\(([^()]*)\)$/.exec((e as Error).message)?.[1] : undefined;
  const why = own ?? (err.errno === undefined ? (e as Error).message : undefined);
  const detail = `new root, step "${step}"${why === undefined ? "" : `: ${why}`}`;
  writeSync(STATUS, JSON.stringify({ cls, errno, syscall: err.syscall ?? "new root", path: err.path, detail }));
}

const plan = JSON.parse(process.env[PLAN_VAR] ?? "null") as NewRootPlan | null;
if (plan === null) {
  console.error("new-root-child: run by spawnInNewRoot (src/mount/new-root.ts), not by hand");
  process.exit(2);
}
let file: string;
try {
  file = build(plan);
} catch (e) {
  report(e);
  process.exit(125);
}
closeSync(STATUS);
try {
  execve(file, plan.argv, Object.entries(plan.env).map(([k, val]) => `${k}=${val}`));
} catch (e) {
  // the status pipe is closed: say it on stderr, and exit as a shell does when exec fails
  console.error(`new root: execve ${file}: ${(e as Error).message}`);
  process.exit(127);
}
