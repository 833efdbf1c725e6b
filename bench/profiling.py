"""Profiles of the server under a benchmark's load: py-spy samples the server process (no
restart, no code change) and the collapsed stacks are summarised as the functions that hold
the most samples, self and inclusive.

  python -m bench.profiling creates|latency|lists|watch|scale|cli|coldstart [--seconds S] [--out DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from bench import harness, tools

_SCENARIOS = ("creates", "latency", "lists", "watch", "scale", "cli", "coldstart")
# The scenario that shows what holds each benchmark back.
SCENARIO_OF_ROW = {1: "creates", 2: "latency", 3: "lists", 4: "watch", 5: "scale", 6: "cli", 7: "coldstart"}


_PROJECT = ("apiserver/", "minikctl/")


def record(pid: int, seconds: float, out: Path, rate: int = 200) -> subprocess.Popen[bytes]:
    """Start py-spy on `pid` for `seconds`, writing collapsed stacks to `out` (returns at once)."""
    spy = str(harness.BIN / "py-spy")
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", str(rate),
                             "--format", "raw", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frame_name(frame: str) -> str:
    # py-spy raw frames look like "func (path/to/module.py:123)"; keep module:function.
    name, _, where = frame.partition(" (")
    path = where.split(":")[0]
    for marker in ("/site-packages/", "/main/", "/snap/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{name}"


def summarise(collapsed: Path, top: int = 15) -> str:
    """A markdown table of the functions with the most samples (self and inclusive)."""
    self_count: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count = int(n)
        frames = [_frame_name(f) for f in stack.split(";")]
        total += count
        self_count[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    if not total:
        return "(no samples)"
    rows = ["| function | self % | inclusive % |", "|---|---|---|"]
    # The hottest functions by their own samples, and the project's own functions by the
    # samples under them (the entry points every sample passes through say nothing).
    chosen = {f for f, _ in self_count.most_common(top)}
    ours = [f for f, _ in incl.most_common() if f.startswith(_PROJECT) and "__main__.py" not in f]
    chosen.update(ours[:top])
    for f in sorted(chosen, key=lambda f: (-incl[f], -self_count[f])):
        rows.append(f"| `{f}` | {100 * self_count[f] / total:.1f} | {100 * incl[f] / total:.1f} |")
    return f"{total:,} samples\n\n" + "\n".join(rows)


def profile_during(server: harness.Process, seconds: float, work: Callable[[], object], out: Path) -> str:
    """Run `work()` while py-spy samples the server; return the summary."""
    spy = record(server.pid, seconds, out)
    time.sleep(0.3)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds + 120)
    try:
        spy.wait(seconds + 30)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait(10)
    return summarise(out) if out.exists() else "(py-spy wrote nothing)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=_SCENARIOS)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if not tools.ensure_profilers():
        print("py-spy is missing and could not be installed", file=sys.stderr)
        return 1
    from bench import scenarios
    work = Path(tempfile.mkdtemp(prefix="minik-profile-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    text = scenarios.profile(args.scenario, work, args.seconds, out / f"{args.scenario}.txt")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
