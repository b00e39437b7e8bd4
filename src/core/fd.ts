/**
 * The base of every fd-owning object: it owns one fd, closes it exactly once, and says
 * clearly when it is used after close. What it holds is given back three ways: close(),
 * the garbage collector (a FinalizationRegistry), and the end of the JS thread that made
 * it (a Worker that ended: no finalizer runs then, so bunffi/owned.c closes the fds that
 * thread's objects still own).
 */
import { helpers } from "../../bunffi/load.ts";
import { CLOSE, close, ioReady, OWN_AT } from "./io.ts";
import { OSError, EBADF, check } from "./errors.ts";
import * as v from "./validate.ts";

const lib = helpers("owned.c", {
  bt_own: { args: ["i32", "ptr"], returns: "i32" },
  bt_owned_count: { args: [], returns: "i32" },
  bt_disown_close: { args: ["i32"], returns: "i32" },
  bt_disown: { args: ["i32"], returns: "void" },
  bt_own_mount: { args: ["ptr", "i64", "ptr"], returns: "i32" },
  bt_disown_mount: { args: ["ptr"], returns: "void" },
  bt_owned_mounts: { args: [], returns: "i32" },
});

const at = new Int32Array(1); // (one per JS thread, as this module is)

/** How many fds this JS thread's objects own now (for tests and diagnostics). */
export function ownedFds(): number {
  return lib().bt_owned_count();
}

/**
 * Records that an object of this JS thread mounted at `target` (NUL-terminated bytes):
 * if the thread ends first (a Worker ended), the mount is detached then. @internal
 */
export function ownMount(target: Uint8Array): void {
  check(lib().bt_own_mount(target, target.length, at), OWN_AT[at[0]!]!);
}

/** The object unmounted `target` itself: forget it. @internal */
export function disownMount(target: Uint8Array): void {
  lib().bt_disown_mount(target);
}

/** How many mounts this JS thread's objects hold now (for tests and diagnostics). */
export function ownedMounts(): number {
  return lib().bt_owned_mounts();
}

// Holds only the fd number, or the object's own release: never the object itself, which
// must stay collectable.
const forgotten = new FinalizationRegistry<number | (() => void)>((held) => {
  try {
    if (typeof held === "number") lib().bt_disown_close(held);
    else held();
  } catch {
    // Nobody is left to tell; the fd is released by the kernel either way.
  }
});

/**
 * The base of every object that owns an fd: `fd`, `fileno()`, `closed`, an idempotent
 * `close()` and `using`. An object dropped without `close()` has its fd closed by the
 * garbage collector; do not rely on that for timing.
 */
export class FdObject implements Disposable {
  #fd: number;

  /**
   * @param fd - the fd this object owns
   * @param release - for an object that holds more than its fd (a held Signalfd: two
   * more fds and a process-wide hold): what the garbage collector runs instead of
   * closing `fd`, giving everything back. It must not refer to the object. Such an
   * object gives back what it holds at its thread's end itself.
   * @throws {@link OSError} from pthread_key_create (EAGAIN, ENOMEM) on a JS thread's
   * first object when the key that closes its fds at the thread's end cannot be made,
   * or ENOMEM (malloc) when its record of the fd cannot grow; `fd` is closed then.
   */
  constructor(fd: number, release?: () => void) {
    fd = v.fd(fd); // (bunffi/owned.c indexes by it)
    ioReady();
    const owned = lib(); // compiled now: close() must never be the first use
    if (release === undefined) {
      const r = owned.bt_own(fd, at);
      if (r < 0) {
        close(fd);
        check(r, OWN_AT[at[0]!]!);
      }
    }
    this.#fd = fd;
    forgotten.register(this, release ?? fd, this);
  }

  /** The fd number, or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The fd number; throws OSError EBADF once closed. */
  fileno(): number {
    return this.openFd("fileno");
  }

  /**
   * Closes the fd. Idempotent. A close(2) error (EIO, say) is thrown after the object
   * is marked closed, since Linux releases the fd either way.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.beforeClose(fd);
    this.#fd = -1;
    forgotten.unregister(this);
    check(lib().bt_disown_close(fd), CLOSE);
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Hands the fd over instead of closing it: the object is closed from then on, and
   * neither the collector nor the thread's end will close the fd. Returns it. @internal
   */
  protected detachFd(): number {
    const fd = this.openFd("detach");
    this.beforeClose(fd);
    this.#fd = -1;
    forgotten.unregister(this);
    lib().bt_disown(fd);
    return fd;
  }

  /** Hook for subclasses that must let go of the fd first (pending waits). @internal */
  protected beforeClose(_fd: number): void {}

  /** The fd for an operation, or OSError EBADF naming the operation and the class. @internal */
  protected openFd(syscall: string): number {
    const fd = this.#fd;
    if (fd < 0) throw new OSError(EBADF, syscall, undefined, `this ${this.constructor.name} is closed`);
    return fd;
  }
}
