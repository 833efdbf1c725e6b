"""7. Cold start: from process start to the first 200 from /readyz, with an empty data dir and
with 10,000 pods stored; the baseline is the bare FastAPI app's start to its first 200."""

from __future__ import annotations

from bench import fixtures, harness
from bench.harness import Context
from bench.report import Figure, Result

REPEAT = 5


def run(ctx: Context) -> Result:
    repeat = 2 if ctx.quick else REPEAT
    result = Result(7, "Cold start: process start to /readyz 200")
    fixture = fixtures.pods_10k(ctx.work)
    empty, full, bare = [], [], []
    for i in range(repeat):  # interleaved, so drift hits all three alike
        server = harness.minik(ctx.scratch(f"cold-empty-{i}"))
        empty.append(_start(server) * 1e3)
        data = harness.copy_data_dir(fixture, ctx.work / f"cold-full-{i}")
        loaded = harness.minik(data)
        full.append(_start(loaded) * 1e3)
        base = harness.baseline(ctx.work)
        bare.append(_start(base) * 1e3)
    result.commands = [harness.command_line(server) + "   (a fresh, empty DIR)",
                       harness.command_line(loaded) + "   (DIR holds 10,000 pods)",
                       harness.command_line(base)]
    f_empty = Figure("cold start, empty", "ms", empty, bare, target="<= 1.5x the bare app, <= 1 s", digits=0)
    f_empty.met = (f_empty.ratio or 1e9) <= 1.5 and f_empty.value <= 1000
    f_full = Figure("cold start, 10,000 pods stored", "ms", full, bare, target="<= 1.5x the bare app", digits=0)
    f_full.met = (f_full.ratio or 1e9) <= 1.5
    result.figures = [f_empty, f_full]
    result.notes = [f"{repeat} starts of each, interleaved; the clock runs from `Popen` to the first 200 of "
                    "GET /readyz, polled every 5 ms. Default flags: controllers and one simulated node run. "
                    "Anchors: kwok ~5 s, k3d 20 s, kind 33 s, envtest's start budget 20 s."]
    return result


def _start(process: harness.Process) -> float:
    with process:
        return process.ready_after
