"""`python -m bench`: run every benchmark against real servers on 127.0.0.1 and rewrite
BENCHMARKS.md. Benchmarks are not tests: nothing here fails on a slow figure; a benchmark
that breaks is reported as such and the others still run.

  python -m bench                 all nine, 3 runs each (what `make bench` runs)
  python -m bench --only 1,3      some of them (the report goes to --output, not BENCHMARKS.md)
  python -m bench --quick         fewer runs and shorter loads, for a quick look
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import report, tools
from bench.harness import REPO, Context

# (row, module): one module per benchmark, each with `run(ctx) -> Result`.
BENCHMARKS = [(1, "creates"), (2, "latency"), (3, "lists"), (4, "watch"), (5, "scale"), (6, "cli"),
              (7, "coldstart"), (8, "memory"), (9, "datadir")]
PROFILE_BUDGET = 450.0  # seconds into the run after which misses are no longer profiled
PROFILE_SECONDS = 6.0
TITLES = {1: "Durable object creates/s", 2: "GET / PUT latency", 3: "LIST", 4: "Watch delivery latency",
          5: "RC scale-up to Running", 6: "minikctl vs kubectl", 7: "Cold start", 8: "Peak RSS",
          9: "Data-dir size under churn"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--quick", action="store_true", help="1 run and shorter loads")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the report (default: BENCHMARKS.md; with --only, "
                             "minik-bench-partial.md in the temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="do not profile the benchmarks that miss their target")
    args = parser.parse_args(argv)
    only = {int(x) for x in args.only.split(",") if x.strip()} if args.only else set()
    partial = Path(tempfile.gettempdir()) / "minik-bench-partial.md"
    output = args.output or (REPO / "BENCHMARKS.md" if not only else partial)
    runs = 1 if args.quick else max(1, args.runs)
    work = Path(tempfile.mkdtemp(prefix="minik-bench-"))
    wrk, wrk_note = tools.ensure_wrk()
    if wrk is None:
        wrk_note += "; the Python load generator in bench/loadgen.py was used instead (slower than wrk, " \
                    "so both minik and the baseline figures are lower than wrk would give)"
    ctx = Context(work=work, runs=runs, quick=args.quick, wrk=wrk, wrk_note=wrk_note)
    started = time.monotonic()
    results = []
    try:
        for row, name in BENCHMARKS:
            if only and row not in only:
                continue
            results.append(_run_one(row, name, ctx))
            report.write(results, _command(argv), time.monotonic() - started, output)
        if args.profile:
            _profile_misses(results, ctx, started)
            report.write(results, _command(argv), time.monotonic() - started, output)
    finally:
        if args.keep:
            print(f"scratch kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {output} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def _run_one(row: int, name: str, ctx: Context) -> report.Result:
    t0 = time.monotonic()
    print(f"[bench] {row}. {TITLES[row]} ...", file=sys.stderr, flush=True)
    try:
        result: report.Result = importlib.import_module(f"bench.{name}").run(ctx)
    except Exception:
        result = report.Result(row, TITLES[row], error=traceback.format_exc())
        print(result.error, file=sys.stderr)
    result.seconds = time.monotonic() - t0
    for f in result.figures:
        print(f"[bench]    {f.label}: {f.value:.2f} {f.unit}"
              + (f" (ratio {f.ratio:.2f})" if f.ratio is not None else ""), file=sys.stderr, flush=True)
    print(f"[bench]    {result.seconds:.0f} s", file=sys.stderr, flush=True)
    return result


def _profile_misses(results: list[report.Result], ctx: Context, started: float) -> None:
    """Attach a py-spy profile to each benchmark that missed a target, while the suite's time
    budget lasts: the profile is what stands in the way."""
    from bench import profiling, scenarios

    for result in results:
        scenario = profiling.SCENARIO_OF_ROW.get(result.row)
        missed = result.error or any(f.met is False for f in result.figures)
        if not scenario or not missed:
            continue
        if time.monotonic() - started > PROFILE_BUDGET:
            result.notes.append(f"(Not profiled in this run: the suite's time budget was spent; run "
                                f"`python -m bench.profiling {scenario}`.)")
            continue
        if not tools.ensure_profilers():
            result.notes.append("(Not profiled: py-spy could not be installed.)")
            return
        print(f"[bench] profiling {result.row}. {scenario} ...", file=sys.stderr, flush=True)
        try:
            scratch = ctx.scratch(f"profile-{scenario}")
            scratch.mkdir(parents=True)
            text = scenarios.profile(scenario, scratch, PROFILE_SECONDS, scratch / "stacks.txt", ctx.work)
        except Exception as e:  # a profile is a bonus; never lose the figures for it
            text = f"(profiling failed: {e})"
        result.notes += [f"Profile (py-spy, `python -m bench.profiling {scenario}`, "
                         f"{PROFILE_SECONDS:.0f} s), the functions holding the most samples:", "", text]


def _command(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return "make bench" if not args else "python -m bench " + " ".join(args)


if __name__ == "__main__":
    sys.exit(main())
