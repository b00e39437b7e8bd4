# Builds libseccomp programs for rule sets given as JSON on stdin, and prints each
# program's bytes as hex (one JSON list on stdout), or the error libseccomp gave. For
# test/seccomp/libseccomp.test.ts, which runs libseccomp's programs and butter's in the
# same BPF interpreter. Needs Debian's python3-seccomp.
import io, json, sys, tempfile
import seccomp as s

OPS = {"EQ": s.EQ, "NE": s.NE, "LT": s.LT, "LE": s.LE, "GT": s.GT, "GE": s.GE, "MASKED_EQ": s.MASKED_EQ}
ARCH = {"x86_64": s.Arch.X86_64, "x32": s.Arch.X32, "aarch64": s.Arch.AARCH64}

PLAIN = {"ALLOW": s.ALLOW, "KILL_PROCESS": s.KILL_PROCESS, "KILL_THREAD": s.KILL, "TRAP": s.TRAP, "LOG": s.LOG}

def action(a):
    kind, data = a
    if kind in PLAIN:
        return PLAIN[kind]  # (KILL_THREAD is 0: looked up, never tested for truth)
    return s.ERRNO(data) if kind == "ERRNO" else s.TRACE(data)

out = []
for rs in json.load(sys.stdin):
    try:
        f = s.SyscallFilter(action(rs["default"]))
        f.remove_arch(s.Arch.NATIVE)
        for a in rs["arches"]:
            f.add_arch(ARCH[a])
        f.set_attr(s.Attr.ACT_BADARCH, s.KILL_PROCESS)
        for r in rs["rules"]:
            args = [s.Arg(c["arg"], OPS[c["op"]], int(c["mask"]), int(c["value"])) if c["op"] == "MASKED_EQ" else s.Arg(c["arg"], OPS[c["op"]], int(c["value"])) for c in r["cmps"]]
            f.add_rule(action(r["action"]), r["syscall"], *args)
        with tempfile.TemporaryFile() as t:
            f.export_bpf(t)
            t.seek(0)
            out.append({"hex": t.read().hex()})
    except Exception as e:
        out.append({"error": repr(e)})
print(json.dumps(out))
