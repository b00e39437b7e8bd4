# The libseccomp side of the seccomp benchmark: builds the allow-list of the names given
# on stdin (JSON) with default KILL_PROCESS, N times; prints the median ms per build and
# the program's bytes as hex (JSON). Needs Debian's python3-seccomp.
import json, sys, tempfile, time
import seccomp as s

names = json.load(sys.stdin)
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
times = []
for _ in range(runs):
    t0 = time.perf_counter_ns()
    f = s.SyscallFilter(s.KILL_PROCESS)
    for n in names:
        f.add_rule(s.ALLOW, n)
    with tempfile.TemporaryFile() as t:
        f.export_bpf(t)
        times.append(time.perf_counter_ns() - t0)
        t.seek(0)
        program = t.read().hex()
times.sort()
print(json.dumps({"ms": times[len(times) // 2] / 1e6, "hex": program}))
