/**
 * butter: Linux's low-level kernel interfaces for TypeScript on Bun.
 *
 * Two layers per family: 1:1 calls named after the C function in camelCase
 * (`eventfdRead`, `timerfdSettime`), and fd-owning objects (`Eventfd`, `TimerfdAsync`).
 *
 * This file is the whole public surface: every family's entry point (`butter/<family>`,
 * src/<family>/index.ts, which lists its names by hand) and core's. The checked-in
 * report `docs/api/butter.api.md` is generated from it (`bun run api`), and a test fails
 * when the two differ; another checks that the entry points together are this surface.
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
