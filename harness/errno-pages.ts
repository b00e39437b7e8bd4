/**
 * The man pages' word on errors: for every call butter wraps, and the libc calls its C
 * helpers make, every errno the ERRORS section of its man page lists. Written to
 * harness/errno-pages.json from Debian's manpages-dev (the version is recorded there);
 * the errno matrix must force each listed pair with a row, or the file must say, pair
 * by pair, why it cannot happen in butter's use ("cannot": reviewed by hand, kept when
 * the file is regenerated).
 *
 *   bun harness/errno-pages.ts           regenerate from the installed pages
 *   bun harness/errno-pages.ts --check   exit 1 when the file differs from the pages
 *
 * What is listed is the whole ERRORS section of the page, also for a page shared by
 * several calls (timerfd_create(2) lists timerfd_settime's errors and its own together):
 * the pairs a page lists for another call on it are marked "cannot" with that reason.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { ERRNO } from "../src/core/errno.ts";

const FILE = new URL("./errno-pages.json", import.meta.url).pathname;
const MAN = "/usr/share/man";

/** A call (by the id the errno matrix uses) and the page that documents its errors. */
export interface PageEntry {
  /** "read(2)"; or, for a call with no page in manpages-dev, where its errnos come from */
  page: string;
  /** the errnos the page's ERRORS section lists */
  listed: string[];
  /** errno -> why it cannot happen in butter's use of the call (by hand) */
  cannot: Record<string, string>;
}
export interface PagesFile {
  source: string;
  calls: Record<string, PageEntry>;
}

/**
 * Every call, and its page. The ids are the errno matrix's call ids (callId's, or
 * `<where>/<libc call>` for a call a helper makes whose failure is handled inside it).
 */
export const PAGES: Record<string, string> = {
  // shared pieces (src/core, bunffi/io.c, owned.c, reactor.c)
  close: "close(2)",
  pipe2: "pipe(2)",
  epoll_create1: "epoll_create(2)",
  epoll_ctl: "epoll_ctl(2)",
  "reactor/eventfd": "eventfd(2)",
  "reactor-aio/eventfd": "eventfd(2)",
  io_setup: "io_setup(2)",
  io_submit: "io_submit(2)",
  io_getevents: "io_getevents(2)",
  epoll_wait: "epoll_wait(2)",
  "reactor/epoll_wait": "epoll_wait(2)",
  "reactor/write": "write(2)",
  "pages/mmap": "mmap(2)",
  pthread_create: "pthread_create(3)",
  "owned/malloc": "malloc(3)",
  // eventfd
  eventfd: "eventfd(2)",
  "eventfd/read": "read(2)",
  "eventfd/write": "write(2)",
  // timerfd
  timerfd_create: "timerfd_create(2)",
  timerfd_settime: "timerfd_create(2)",
  timerfd_gettime: "timerfd_create(2)",
  clock_gettime: "clock_getres(2)",
  "timerfd/read": "read(2)",
  // process ids
  getpid: "getpid(2)",
  getppid: "getpid(2)",
  gettid: "gettid(2)",
  // hostname
  gethostname: "gethostname(2)",
  sethostname: "gethostname(2)",
  getdomainname: "getdomainname(2)",
  setdomainname: "getdomainname(2)",
  // inotify
  inotify_init1: "inotify_init(2)",
  inotify_add_watch: "inotify_add_watch(2)",
  inotify_rm_watch: "inotify_rm_watch(2)",
  "inotify/read": "read(2)",
  // a blocking Inotify's wait for its drain and the instance
  "inotify/poll": "poll(2)",
  // signals
  pthread_sigmask: "sigprocmask(2)",
  sigpending: "sigpending(2)",
  signalfd: "signalfd(2)",
  "signalfd/read": "read(2)",
  "signalfd/poll": "poll(2)",
  tgkill: "tgkill(2)",
  sigqueue: "sigqueue(3)",
  sigaction: "sigaction(2)",
  "processSigmask/poll": "poll(2)",
  "processSigmask/opendir": "opendir(3)",
  "processSigmask/open": "open(2)",
  "processSigmask/read": "read(2)",
  "processSigmask/nanosleep": "nanosleep(2)",
  "signalfd/fcntl": "fcntl(2)",
  // processSetns: each thread's own steps
  "processSetns/unshare": "unshare(2)",
  "processSetns/setns": "setns(2)",
  "processSetns/chdir": "chdir(2)",
  // splice, tee, vmsplice
  splice: "splice(2)",
  tee: "tee(2)",
  vmsplice: "vmsplice(2)",
  copy_file_range: "copy_file_range(2)",
  sendfile: "sendfile(2)",
  "splice/fcntl": "fcntl(2)",
  "splice/ioctl": "ioctl(2)",
  "splice/poll": "poll(2)",
  // Linux AIO: the calls, a completion's result (the errno of the operation the kernel
  // ran), and the eventfd read of a reap
  "aio/io_setup": "io_setup(2)",
  "aio/io_destroy": "io_destroy(2)",
  "aio/io_submit": "io_submit(2)",
  "aio/io_getevents": "io_getevents(2)",
  "aio/io_cancel": "io_cancel(2)",
  "aio-result/read": "read(2)",
  "aio-result/write": "write(2)",
  "aio-result/fsync": "fsync(2)",
  "aio-result/poll": "poll(2)",
  "aio-reap/read": "read(2)",
  // fanotify: a group's read and a response's write fail as read(2) and write(2) do, and
  // as fanotify(7) adds (its ERRORS section covers both: each call's other half is "cannot")
  fanotify_init: "fanotify_init(2)",
  fanotify_mark: "fanotify_mark(2)",
  "fanotify/read": "read(2), fanotify(7)",
  "fanotify/write": "write(2), fanotify(7)",
  "fanotify/readlink": "readlink(2)",
  "fanotify/poll": "poll(2)",
  // the drain's answer at a deadline (retried until the kernel takes it: never thrown)
  "drain/write": "write(2), fanotify(7)",
  // the drain thread's wait (a failure is waited out: the thread must not end)
  "drain/poll": "poll(2)",
  name_to_handle_at: "name_to_handle_at(2)",
  open_by_handle_at: "open_by_handle_at(2)",
  // the drain thread's start: its memory, its bell and wake eventfds, the thread
  "drain/mmap": "mmap(2)",
  "drain/malloc": "malloc(3)",
  "drain/eventfd": "eventfd(2)",
  "drain/pthread_create": "pthread_create(3)",
  // process: execve, pidfd_open
  execve: "execve(2)",
  pidfd_open: "pidfd_open(2)",
  // mount
  mount: "mount(2)",
  umount: "umount(2)",
  umount2: "umount(2)",
  pivot_root: "pivot_root(2)",
  chdir: "chdir(2)",
  mount_setattr: "mount_setattr(2)",
  // process: pidfd_send_signal
  pidfd_send_signal: "pidfd_send_signal(2)",
  // seccomp: the calls, and spawnFiltered's parent-side calls and child steps
  seccomp: "seccomp(2)",
  prctl: "prctl(2)",
  "seccomp-spawn/clone": "clone(2)",
  "seccomp-spawn/pipe2": "pipe(2)",
  "seccomp-spawn/waitid": "wait(2)",
  "seccomp-spawn/pidfd_getfd": "pidfd_getfd(2)",
  "seccomp/poll": "poll(2)",
  "seccomp-child/dup2": "dup(2)",
  "seccomp-child/chdir": "chdir(2)",
  "seccomp-child/prctl": "prctl(2)",
  "seccomp-child/seccomp": "seccomp(2)",
  "seccomp-child/execve": "execve(2)",
  // namespaces
  unshare: "unshare(2)",
  setns: "setns(2)",
};

/** Calls with no page in manpages-dev: their errnos, and where they come from. */
const BY_HAND: Record<string, { page: string; listed: string[] }> = {
  // seccomp_unotify(2) has no ERRORS section: the errors its description of each ioctl
  // names (RECV ENOENT, EINTR; SEND EINPROGRESS, EINVAL, ENOENT; ADDFD EBADF, EBUSY,
  // EINPROGRESS, EINVAL, EMFILE, ENOENT), and ioctl(2)'s own
  "seccomp/ioctl": { page: "seccomp_unotify(2) (its ioctl descriptions), ioctl(2)", listed: ["EBADF", "EBUSY", "EFAULT", "EINPROGRESS", "EINTR", "EINVAL", "EMFILE", "ENOENT", "ENOTTY"] },
  // The fd-based mount API has no pages in manpages-dev 6.03 (they came with man-pages
  // 6.10 and later): what fs/fsopen.c and fs/namespace.c return, and ENOSYS for a kernel
  // older than the call (5.2; statmount and listmount 6.8)
  fsopen: { page: "fs/fsopen.c (no page in manpages-dev 6.03)", listed: ["EFAULT", "EINVAL", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENODEV", "ENOMEM", "ENOSYS", "EPERM"] },
  fspick: { page: "fs/fsopen.c (no page in manpages-dev 6.03)", listed: ["EBADF", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] },
  fsconfig: { page: "fs/fsopen.c (no page in manpages-dev 6.03)", listed: ["EACCES", "EBADF", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "ENAMETOOLONG", "ENODEV", "ENOENT", "ENOMEM", "ENOSYS", "ENOTBLK", "ENOTDIR", "ENXIO", "EOPNOTSUPP", "EPERM"] },
  fsmount: { page: "fs/namespace.c (no page in manpages-dev 6.03)", listed: ["EBADF", "EBUSY", "EINVAL", "EMFILE", "ENFILE", "ENOMEM", "ENOSYS", "EPERM"] },
  move_mount: { page: "fs/namespace.c (no page in manpages-dev 6.03)", listed: ["EBADF", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] },
  open_tree: { page: "fs/namespace.c (no page in manpages-dev 6.03)", listed: ["EBADF", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] },
  statmount: { page: "fs/namespace.c (no page in manpages-dev 6.03)", listed: ["EFAULT", "EINVAL", "ENOENT", "ENOMEM", "ENOSYS", "EOVERFLOW", "EPERM"] },
  listmount: { page: "fs/namespace.c (no page in manpages-dev 6.03)", listed: ["EFAULT", "EINVAL", "ENOENT", "ENOMEM", "ENOSYS", "EPERM"] },
  // manpages-dev has no pthread_key_create(3); POSIX lists these two
  pthread_key_create: { page: "POSIX pthread_key_create (no page in manpages-dev)", listed: ["EAGAIN", "ENOMEM"] },
  // manpages-dev 6.03 has no io_pgetevents page: it is io_getevents with a signal mask
  // (the kernel's fs/aio.c), and fails as io_getevents does
  "aio/io_pgetevents": { page: "io_getevents(2) (io_pgetevents: no page in manpages-dev 6.03)", listed: ["EFAULT", "EINTR", "EINVAL", "ENOSYS"] },
};

const ALIASES: Record<string, string> = { EWOULDBLOCK: "EAGAIN", EDEADLOCK: "EDEADLK", ENOTSUP: "EOPNOTSUPP" };

function pageText(page: string): string {
  const m = /^(\w+)\((\d)\)$/.exec(page);
  if (!m) throw new Error(`bad page name ${page}`);
  let path = `${MAN}/man${m[2]}/${m[1]}.${m[2]}.gz`;
  for (let hops = 0; hops < 3; hops++) {
    const text = gunzipSync(readFileSync(path)).toString("utf8");
    const link = /^\.so\s+(\S+)/m.exec(text);
    if (!link || text.split("\n").filter((l) => !l.startsWith(".\\\"") && !l.startsWith("'\\\"")).length > 3) return text;
    path = `${MAN}/${link[1]}.gz`;
  }
  throw new Error(`${page}: too many .so links`);
}

/** The errnos an ERRORS section lists: the tags of its .TP paragraphs (and a "See x(2)"). */
export function listedErrnos(page: string): string[] {
  const text = pageText(page);
  const section = /^\.SH ERRORS\n([\s\S]*?)(?=^\.SH )/m.exec(text)?.[1];
  if (section === undefined) throw new Error(`${page} has no ERRORS section`);
  const out = new Set<string>();
  const lines = section.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== ".TP") continue;
    let j = i + 1;
    while ((lines[j] ?? "").startsWith('.\\"')) j++; // a comment before the tag
    const tag = lines[j] ?? "";
    for (const name of tag.match(/\bE[A-Z0-9]+\b/g) ?? []) {
      const n = ALIASES[name] ?? name;
      if (ERRNO[n] !== undefined) out.add(n);
    }
  }
  if (out.size === 0) {
    const see = /^\.BR (\w+) \((\d)\)/m.exec(section);
    if (see && /^See\b/m.test(section)) return listedErrnos(`${see[1]}(${see[2]})`);
  }
  return [...out].sort();
}

/** The installed manpages-dev's version: dpkg's word, or (a machine without dpkg: the aarch64 guest) its Debian changelog's first line. */
export function manpagesVersion(): string {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Version}", "manpages-dev"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    const first = gunzipSync(readFileSync("/usr/share/doc/manpages-dev/changelog.Debian.gz")).toString("utf8").split("\n")[0]!;
    return /\(([^)]+)\)/.exec(first)![1]!;
  }
}

export function loadPages(): PagesFile {
  return JSON.parse(readFileSync(FILE, "utf8")) as PagesFile;
}

/** The file as the installed pages give it, keeping the hand-written reasons. */
export function generate(): PagesFile {
  const old: PagesFile | undefined = existsSync(FILE) ? loadPages() : undefined;
  const calls: Record<string, PageEntry> = {};
  const ids = [...Object.keys(PAGES), ...Object.keys(BY_HAND)].sort();
  for (const id of ids) {
    const hand = BY_HAND[id];
    const page = hand?.page ?? PAGES[id]!;
    const listed = hand?.listed ?? [...new Set(page.split(", ").flatMap(listedErrnos))].sort();
    const kept = old?.calls[id]?.cannot ?? {};
    const cannot: Record<string, string> = {};
    for (const e of listed) if (kept[e] !== undefined) cannot[e] = kept[e]!;
    calls[id] = { page, listed, cannot };
  }
  return { source: `Debian manpages-dev ${manpagesVersion()}, ERRORS sections`, calls };
}

if (import.meta.main) {
  if (!existsSync(`${MAN}/man2/read.2.gz`)) {
    console.error("errno-pages: the man pages are not installed (apt-get install manpages-dev)");
    process.exit(1);
  }
  const text = `${JSON.stringify(generate(), null, 1)}\n`;
  if (process.argv.includes("--check")) {
    const same = existsSync(FILE) && readFileSync(FILE, "utf8") === text;
    console.log(same ? "errno-pages: harness/errno-pages.json matches the man pages" : "errno-pages: harness/errno-pages.json differs from the man pages: run bun harness/errno-pages.ts");
    process.exit(same ? 0 : 1);
  }
  writeFileSync(FILE, text);
  console.log(`errno-pages: wrote ${FILE}`);
}
