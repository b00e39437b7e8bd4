/** butter/eventfd: eventfd. One family's entry point (why: src/index.ts). */
export { EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK, EVENTFD_MAX, eventfd, eventfdRead, eventfdWrite } from "./calls.ts";
export { Eventfd, EventfdAsync } from "./eventfd.ts";
