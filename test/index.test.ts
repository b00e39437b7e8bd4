// The public surface: what `import ... from "butter"` offers.
import { expect, test } from "vitest";
import * as butter from "../src/index.ts";

test("every family's 1:1 calls, classes, constants and errors are exported", () => {
  const expected = [
    // errors
    "OSError", "PermissionError", "UnknownError", "InternalError", "ClockChangedError", "classFor", "calls", "ERRNO", "ERRNO_NAMES",
    // shared pieces
    "FdObject", "EventSource", "Queued", "QueueEmpty", "QueueClosed",
    // eventfd
    "eventfd", "eventfdRead", "eventfdWrite", "EFD_CLOEXEC", "EFD_NONBLOCK", "EFD_SEMAPHORE", "EVENTFD_MAX", "Eventfd", "EventfdAsync",
    // timerfd
    "timerfdCreate", "timerfdSettime", "timerfdGettime", "clockGettime", "CLOCK_MONOTONIC", "CLOCK_REALTIME", "CLOCK_BOOTTIME",
    "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", "TFD_CLOEXEC", "TFD_NONBLOCK", "TFD_TIMER_ABSTIME", "TFD_TIMER_CANCEL_ON_SET",
    "Timerfd", "TimerfdAsync", "toNanoseconds",
    // process identity, hostname
    "getpid", "getppid", "gettid", "gethostname", "sethostname", "getdomainname", "setdomainname", "HOST_NAME_MAX",
  ];
  for (const name of expected) expect(butter, name).toHaveProperty(name);
  using e = new butter.EventfdAsync();
  expect(e).toBeInstanceOf(butter.FdObject);
  // every wrapped call is registered with its documented errnos, for the error table
  expect([...butter.calls.keys()]).toEqual(
    expect.arrayContaining(["eventfd", "eventfd/read", "eventfd/write", "timerfd_create", "timerfd/read", "sethostname", "close"]),
  );
});
