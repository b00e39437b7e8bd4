// When the suite runs with the fault-injection shim preloaded (`bun run test`), mark every
// butter helper call so that planned failures can fire inside it, and only there.
import { markHelperCalls } from "../../harness/fiu/control.ts";

markHelperCalls();
