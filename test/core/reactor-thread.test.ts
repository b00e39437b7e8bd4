// The reactor on its fallback backend, a helper thread blocked in epoll_wait (used where
// Linux AIO is not available): the same cases as the default (reactor.cases.ts).
import { preferReactor } from "../../src/core/reactor.ts";
import { reactorCases } from "./reactor.cases.ts";

preferReactor("thread");
reactorCases("thread");
