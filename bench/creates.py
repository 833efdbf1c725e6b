"""1. Durable creates/s: 16 concurrent HTTP clients POST pods (generateName) for a few seconds;
the baseline is the same load against a bare FastAPI app that parses and echoes the body."""

from __future__ import annotations

from pathlib import Path

import orjson

from bench import fixtures, harness, loadgen, tools
from bench.harness import Context
from bench.report import Figure, Result

CLIENTS = 16
NAMESPACE = "bench-create"


def run(ctx: Context) -> Result:
    seconds = 3 if ctx.quick else 5
    result = Result(1, "Durable object creates/s, 16 concurrent clients")
    body = orjson.dumps(fixtures.pod(NAMESPACE))
    minik_runs: list[float] = []
    memory_runs: list[float] = []
    base_runs: list[float] = []
    stored_note = ""
    server = harness.minik(ctx.scratch("creates"), "--no-controllers")
    # The same server without a disk: what the durable write path costs, measured in this run.
    memory = harness.minik(ctx.scratch("creates-memory"), "--no-controllers", "--storage", "memory")
    base = harness.baseline(ctx.work)
    with server, memory, base:
        path = f"/api/v1/namespaces/{NAMESPACE}/pods"
        for s in (server, memory):
            fixtures.create_namespace(s.port, NAMESPACE)
        ok = 0
        for _ in range(ctx.runs):  # interleaved, so drift hits all alike
            rate, n = _load(ctx, server.port, path, body, seconds)
            minik_runs.append(rate)
            ok += n
            memory_runs.append(_load(ctx, memory.port, path, body, seconds)[0])
            base_runs.append(_load(ctx, base.port, "/echo", body, seconds)[0])
        stored = len(harness.request_json(server.port, "GET", path)["items"])
        stored_note = (f"Pods stored after the runs: {stored:,}; 2xx responses: {ok:,} (requests still in "
                       "flight when a run's clock stops may be stored without being counted).")
        result.commands = [harness.command_line(server), harness.command_line(memory),
                           harness.command_line(base), _tool_line(ctx, seconds)]
    result.figures.append(Figure("creates/s (pods, 16 clients)", "req/s", minik_runs, base_runs,
                                 target="ratio >= 0.5", digits=0))
    result.figures[-1].met = (result.figures[-1].ratio or 0) >= 0.5
    result.figures.append(Figure("creates/s, `--storage memory` (not durable)", "req/s", memory_runs,
                                 base_runs, digits=0))
    result.notes = [
        "Each create is acknowledged only after its SQLite transaction commits (WAL, "
        "synchronous=FULL, group commit); the server runs `--no-controllers` so that only the API "
        "write path is measured. Body: a ~0.5 KB pod manifest with generateName.",
        stored_note,
        "The `--storage memory` row is the same server keeping objects in memory only, measured in "
        "the same runs: the gap between the two rows is the price of durability (the SQLite commit "
        "and its fsync on the writer thread, ~120-150 us of CPU per create at these batch sizes, on "
        "the core the load generator also needs, and the loop waiting on commits). Per-thread CPU "
        "time, read from /proc during the load, splits it.",
    ]
    if ctx.wrk_note:
        result.notes.append(f"Load generator: {ctx.wrk_note}.")
    return result


def _tool_line(ctx: Context, seconds: int) -> str:
    if ctx.wrk:
        return tools.wrk_command("http://127.0.0.1:PORT/api/v1/namespaces/bench-create/pods", "post-pod.lua",
                                 connections=CLIENTS, threads=1, seconds=seconds) + \
            "  (and the same against /echo of the baseline)"
    return f"python load generator (bench/loadgen.py closed_loop): {CLIENTS} keep-alive connections, {seconds} s"


def _load(ctx: Context, port: int, path: str, body: bytes, seconds: int) -> tuple[float, int]:
    """(successful requests/s, successful requests)."""
    if ctx.wrk:
        script = tools.lua_post(Path(ctx.work) / "post-pod.lua", body)
        w = tools.run_wrk(ctx.wrk, f"http://127.0.0.1:{port}{path}", script, connections=CLIENTS,
                          threads=1, seconds=seconds)
        return w.rate, w.requests - w.non_2xx
    raw = loadgen.build("POST", path, body)
    res = loadgen.run(loadgen.closed_loop(port, lambda i: raw, clients=CLIENTS, duration=seconds))
    return res.rate, res.done
