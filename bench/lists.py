"""3. LIST of 1,000 and 10,000 pods, as JSON and as a Table (kubectl's Accept), against the
same uvicorn setup serving a prebuilt bytes response of the same size."""

from __future__ import annotations

import time

from bench import fixtures, harness, loadgen
from bench.harness import Context
from bench.report import Figure, Result

TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
CASES = [("1,000 pods JSON", f"/api/v1/namespaces/{fixtures.NS_1K}/pods", "application/json", None),
         ("1,000 pods Table", f"/api/v1/namespaces/{fixtures.NS_1K}/pods", TABLE_ACCEPT, None),
         ("10,000 pods JSON", "/api/v1/pods", "application/json", 3.0),
         ("10,000 pods Table", "/api/v1/pods", TABLE_ACCEPT, 6.0)]


def run(ctx: Context) -> Result:
    per_run = 3 if ctx.quick else 5
    result = Result(3, "LIST of 1,000 and 10,000 pods, JSON and Table")
    data = harness.copy_data_dir(fixtures.pods_10k(ctx.work), ctx.work / "lists")
    server = harness.minik(data, "--no-controllers")
    base = harness.baseline(ctx.work)
    sizes: dict[str, int] = {}
    with server, base:
        for label, path, accept, limit in CASES:
            size = _check(server.port, path, accept)
            sizes[label] = size
            raw = loadgen.build("GET", path, accept=accept)
            braw = loadgen.build("GET", f"/bytes/{size}")
            mine, theirs = [], []
            for _ in range(ctx.runs):
                mine.append(loadgen.run(_time(server.port, raw, per_run)) * 1e3)
                theirs.append(loadgen.run(_time(base.port, braw, per_run)) * 1e3)
            fig = Figure(f"LIST {label}", "ms", mine, theirs, digits=1)
            if limit is not None:
                fig.target = f"ratio <= {limit:.0f}x"
                fig.met = (fig.ratio or 1e9) <= limit
            result.figures.append(fig)
        result.commands = [harness.command_line(server), harness.command_line(base),
                           "GET /api/v1/namespaces/bench-1k/pods and GET /api/v1/pods (10,000), "
                           f"`Accept: application/json` and kubectl's Table Accept (`{TABLE_ACCEPT}`), "
                           f"one keep-alive connection, {per_run} sequential requests per run (median), timed "
                           "from send to the last byte; the baseline serves GET /bytes/SIZE with the same size"]
    result.notes = ["Response sizes: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items()) + "."]
    return result


def _check(port: int, path: str, accept: str) -> int:
    status, body = harness.request(port, "GET", path, accept=accept, timeout=60)
    if status != 200:
        raise RuntimeError(f"GET {path} -> {status}")
    return len(body)


async def _time(port: int, raw: bytes, n: int) -> float:
    """The median seconds of n sequential requests on one connection (after one warm-up)."""
    conn = await loadgen.Connection.open(port)
    try:
        await conn.send(raw)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            status, body = await conn.send(raw)
            times.append(time.perf_counter() - t0)
            if status != 200:
                raise RuntimeError(f"status {status}")
        return harness.median(times)
    finally:
        await conn.close()
