"""Runs the stress parts as child processes and reports (see ``run``).

Each part is a child process (a crash is reported, not fatal to the run):
``stress_py.py`` parts under ``$PY``, ``stress_r.R`` parts under Rscript.
For ``r.sigint`` this process sends SIGINT to the R child at random
moments (seeded) and detects a child killed by a signal.

Environment: ``STRESS_SEED`` (default: random, printed), ``STRESS_SCALE``
(multiplies every time budget, default 1), ``STRESS_PARTS`` (comma list of
part names to run, default all), ``PY``, ``RSCRIPT``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
SCALE = float(os.environ.get("STRESS_SCALE", "1"))
PY = os.environ.get("PY", sys.executable)
RSCRIPT = os.environ.get("RSCRIPT", "Rscript")
R = os.environ.get("R", os.path.join(os.path.dirname(RSCRIPT), "R") if os.sep in RSCRIPT else "R")

# name: (command builder, seconds). Two lanes run side by side (2 cores).
LANES = [
    [
        ("py.sigalrm", "sigalrm", 20),
        ("py.threads", "threads", 10),
        ("py.hostile", "hostile", 15),
        ("py.registry", "registry", 6),
        ("py.calls", "calls", 5),
        ("py.rhost", "rhost", 4),
    ],
    [
        ("r.sigint", "sigint", 24),
        ("r.timelimit", "timelimit", 12),
        ("r.hostile", "hostile", 20),
        ("r.calls", "calls", 4),
    ],
]


class Part:
    def __init__(self, name):
        self.name = name
        self.checks = {}
        self.failures = []
        self.ops = 0
        self.interrupts = 0
        self.signals_sent = 0
        self.seconds = 0.0

    def merge(self, result):
        for check, (ok, bad) in result.get("checks", {}).items():
            cur = self.checks.setdefault(check, [0, 0])
            cur[0] += ok
            cur[1] += bad
        self.failures += result.get("failures", [])
        self.ops += result.get("ops", 0)
        self.interrupts += result.get("interrupts", 0)

    def fail(self, check, detail, repro):
        self.checks.setdefault(check, [0, 0])[1] += 1
        self.failures.append({"check": check, "detail": detail, "repro": repro})

    def passed(self):
        return sum(ok for ok, _ in self.checks.values())

    def failed(self):
        return sum(bad for _, bad in self.checks.values())


def _result_line(out, tag="RESULT "):
    for line in reversed(out.splitlines()):
        if line.startswith(tag):
            try:
                return json.loads(line[len(tag) :])
            except ValueError:
                return None
    return None


def _last_progress(out):
    for line in reversed(out.splitlines()):
        if line.startswith("PROGRESS "):
            return line[9:]
    return "(none)"


def _died(part, proc_rc, out, err, repro):
    """Report a child that did not finish cleanly; returns the result or None."""
    result = _result_line(out)
    # Killed by a signal, R's segfault report, or Python's interpreter
    # broken under it ("XXX lineno: N, opcode: N", "Fatal Python error").
    crashed = proc_rc < 0 or any(
        m in err for m in ("caught segfault", "irrecoverable", "XXX lineno", "Fatal Python error")
    )
    err = "\n".join(dict.fromkeys(err.splitlines()))  # each distinct line once
    if crashed:
        sig = -proc_rc if proc_rc < 0 else None
        name = signal.Signals(sig).name if sig else f"exit {proc_rc}"
        at = err.find("caught segfault")
        tail = err[at : at + 300] if at >= 0 else err.strip()[-300:]
        part.fail(
            "no_crash",
            f"child died ({name}) after {out.count('PROGRESS ')} steps; last step: "
            f"{_last_progress(out)}; stderr: {tail}",
            repro,
        )
        # What it did before dying still counts: its last PARTIAL report.
        result = _result_line(out, "PARTIAL ")
        if result is None:
            part.ops += out.count("PROGRESS ")
            part.interrupts += out.count("INTERRUPTED")
    elif result is None:
        part.fail("part_completed", f"no result (exit {proc_rc}); stderr: {err.strip()[-500:]}", repro)
    else:
        part.checks.setdefault("no_crash", [0, 0])[0] += 1
    return result


def run_child(part, cmd, budget, repro):
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=budget * 2 + 60)
    except subprocess.TimeoutExpired:
        part.fail("no_hang", f"child ran over {budget * 2 + 60:.0f} s", repro)
        return
    part.seconds += time.monotonic() - start
    result = _died(part, proc.returncode, proc.stdout, proc.stderr, repro)
    if result:
        part.merge(result)


def run_sigint(part, seed, budget):
    """R children, each interrupted by SIGINT at random moments until the
    budget is spent; a child killed by a signal is a failure (a crash).

    The child is an *interactive* R (``R --interactive`` reading
    ``source("stress_r.R")`` from a pipe): Ctrl-C is an interactive event,
    and a non-interactive Rscript halts on SIGINT by design ("Execution
    halted"), which would say nothing about rbridge."""
    end = time.monotonic() + budget
    child = 0
    while time.monotonic() < end - 3:
        child += 1
        child_seed = seed * 100 + child
        rng = random.Random(f"{child_seed}-sigint")
        seconds = min(8.0, max(3.0, end - time.monotonic() - 2))
        repro = (
            f"r.sigint child {child}: STRESS_SEED={seed} (child seed {child_seed}); "
            f"echo 'source(\"tests/stress/stress_r.R\")' | R --interactive --no-echo --no-save "
            f"--args sigint {child_seed} {seconds:.0f}, with SIGINT every ~25 ms"
        )
        start = time.monotonic()
        proc = subprocess.Popen(
            [
                R,
                "--interactive",
                "--no-echo",
                "--no-save",
                "--no-restore",
                "--args",
                "sigint",
                str(child_seed),
                f"{seconds:.1f}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(f"source({json.dumps(os.path.join(HERE, 'stress_r.R'))})\n")
        proc.stdin.close()
        lines = []
        ready = threading.Event()

        def reader(proc, lines, ready):
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("READY"):
                    ready.set()
            ready.set()

        t = threading.Thread(target=reader, args=(proc, lines, ready), daemon=True)
        t.start()
        err_chunks = []
        te = threading.Thread(
            target=lambda proc=proc, out=err_chunks: out.append(proc.stderr.read()), daemon=True
        )
        te.start()
        ready.wait(timeout=60)
        # Interrupt while the child loops; stop 1 s before its end, so that
        # its report is not interrupted.
        stop = time.monotonic() + seconds - 1.0
        while proc.poll() is None and time.monotonic() < stop:
            time.sleep(rng.expovariate(1 / 0.025))
            if proc.poll() is None and time.monotonic() < stop:
                try:
                    proc.send_signal(signal.SIGINT)
                    part.signals_sent += 1
                except ProcessLookupError:
                    break
        try:
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            part.fail("no_hang", "child did not finish", repro)
        t.join(timeout=5)
        te.join(timeout=5)
        part.seconds += time.monotonic() - start
        result = _died(part, proc.returncode, "".join(lines), "".join(err_chunks), repro)
        if result:
            part.merge(result)


def run_part(name, what, budget, seed, parts):
    part = Part(name)
    parts.append(part)
    budget *= SCALE
    try:
        _run_part(part, name, what, budget, seed)
    except OSError as e:  # e.g. no Rscript
        part.fail("part_completed", f"could not run the part: {e}", name)
    print(line_of(part), flush=True)


def _run_part(part, name, what, budget, seed):
    if name.startswith("py."):
        cmd = [PY, os.path.join(HERE, "stress_py.py"), what, str(seed), f"{budget:.1f}"]
        run_child(part, cmd, budget, f"STRESS_SEED={seed} STRESS_PARTS={name} tests/stress/run")
    elif what == "sigint":
        run_sigint(part, seed, budget)
    else:
        cmd = [RSCRIPT, os.path.join(HERE, "stress_r.R"), what, str(seed), f"{budget:.1f}"]
        run_child(part, cmd, budget, f"STRESS_SEED={seed} STRESS_PARTS={name} tests/stress/run")


def line_of(part):
    extra = f", SIGINT sent {part.signals_sent}" if part.signals_sent else ""
    return (
        f"stress {part.name}: {part.passed()} passed, {part.failed()} failed "
        f"(ops {part.ops}, interrupts {part.interrupts}{extra}; {part.seconds:.0f} s)"
    )


def write_junit(path, parts, seed):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for p in parts:
        out.append(
            f'<testsuite name="stress.{p.name}" tests="{len(p.checks)}" '
            f'failures="{sum(1 for c in p.checks.values() if c[1])}" time="{p.seconds:.1f}">'
        )
        out.append(
            f'<properties><property name="seed" value="{seed}"/>'
            f'<property name="ops" value="{p.ops}"/><property name="interrupts" value="{p.interrupts}"/>'
            f'<property name="signals_sent" value="{p.signals_sent}"/></properties>'
        )
        for check, (ok, bad) in sorted(p.checks.items()):
            out.append(f'<testcase classname="stress.{p.name}" name="{escape(check)}">')
            if bad:
                details = "\n".join(f"{f['repro']}: {f['detail']}" for f in p.failures if f["check"] == check)
                out.append(f'<failure message="{bad} of {ok + bad} failed">{escape(details)}</failure>')
            out.append("</testcase>")
        out.append("</testsuite>")
    out.append("</testsuites>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main(argv):
    junit = argv[1] if len(argv) > 1 else None
    seed = int(os.environ.get("STRESS_SEED") or random.SystemRandom().randrange(1, 10**6))
    only = set(filter(None, os.environ.get("STRESS_PARTS", "").split(",")))
    print(
        f"stress: seed {seed} (reproduce with STRESS_SEED={seed} tests/stress/run; interrupt "
        f"timing also depends on the machine), scale {SCALE}",
        flush=True,
    )
    parts: list[Part] = []
    lanes = [[p for p in lane if not only or p[0] in only] for lane in LANES]
    reticulate = "-"
    if any(p[0].startswith("r.") for lane in lanes for p in lane):
        try:
            reticulate = (
                subprocess.run(
                    [RSCRIPT, "-e", 'cat(format(packageVersion("reticulate")))'],
                    capture_output=True,
                    text=True,
                    timeout=60,
                ).stdout.strip()
                or "?"
            )
        except (OSError, subprocess.TimeoutExpired):
            reticulate = "?"
        print(f"stress: R parts on reticulate {reticulate}", flush=True)
    threads = [
        threading.Thread(target=lambda lane=lane: [run_part(*p, seed, parts) for p in lane])
        for lane in lanes
        if lane
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    order = [p[0] for lane in LANES for p in lane]
    parts.sort(key=lambda p: order.index(p.name))
    print()
    for p in parts:
        for check, (ok, bad) in sorted(p.checks.items()):
            if not bad:
                continue
            print(f"FAILED {p.name} {check}: {bad} of {ok + bad}")
            for f in [f for f in p.failures if f["check"] == check][:3]:
                print(f"    {f['detail'][:300]}\n      repro: {f['repro']}")
    print()
    for p in parts:
        print(line_of(p))
    passed = sum(p.passed() for p in parts)
    failed = sum(p.failed() for p in parts)
    ops = sum(p.ops for p in parts)
    interrupts = sum(p.interrupts for p in parts)
    signals = sum(p.signals_sent for p in parts)
    print(
        f"stress: {passed} passed, {failed} failed (ops {ops}, interrupts injected {interrupts}, "
        f"SIGINT sent {signals}; seed {seed}; reticulate {reticulate})",
        flush=True,
    )
    if junit:
        write_junit(junit, parts, seed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
