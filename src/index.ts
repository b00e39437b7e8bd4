/**
 * butter: Linux's low-level kernel interfaces for TypeScript on Bun.
 *
 * Two layers per family: 1:1 calls named after the C function in camelCase
 * (`eventfdRead`, `timerfdSettime`), and fd-owning objects (`Eventfd`, `TimerfdAsync`).
 *
 * This file is the whole public surface: every family's entry point (`butter/<family>`,
 * src/<family>/index.ts) and core's. An entry point is for a program that uses only that
 * family: importing it loads that family's modules and core's, not the others' (their
 * parse and their helpers' compile are the bulk of butter's start-up:
 * docs/benchmarks.md). Each lists its names by hand, so a name a module adds for its own
 * use never leaks. The checked-in report `docs/api/butter.api.md` is generated from
 * this file (`bun run api`), and a test fails when the two differ; another checks that
 * the entry points together are this surface.
 *
 * @packageDocumentation
 */
export * from "./core/index.ts";
export * from "./eventfd/index.ts";
export * from "./timerfd/index.ts";
export * from "./process/index.ts";
export * from "./hostname/index.ts";
export * from "./inotify/index.ts";
export * from "./signal/index.ts";
export * from "./splice/index.ts";
export * from "./aio/index.ts";
export * from "./fanotify/index.ts";
export * from "./mount/index.ts";
export * from "./namespace/index.ts";
export * from "./seccomp/index.ts";
