"""2. GET and PUT latency, p50 and p99, at 20 requests/s with 3,000 pods stored (open loop:
latency counts from when each request was due)."""

from __future__ import annotations

from typing import Any

import orjson

from bench import fixtures, harness, loadgen
from bench.harness import Context
from bench.report import Figure, Result

NAMESPACE = "bench-latency"
STORED = 3000
RATE = 20.0
TARGETS = 50  # distinct pods read and written, spread over the key space


def run(ctx: Context) -> Result:
    seconds = 5.0 if ctx.quick else 10.0
    result = Result(2, f"GET / PUT latency at {RATE:.0f} requests/s with {STORED:,} pods stored")
    server = harness.minik(ctx.scratch("latency"), "--no-controllers")
    runs: dict[str, list[float]] = {"GET p50": [], "GET p99": [], "PUT p50": [], "PUT p99": []}
    with server:
        fixtures.create_namespace(server.port, NAMESPACE)
        loadgen.run(fixtures.create_pods(server.port, NAMESPACE, STORED, named=True))
        names = [f"pod-{i * (STORED // TARGETS):05d}" for i in range(TARGETS)]
        base = f"/api/v1/namespaces/{NAMESPACE}/pods/"
        gets = [loadgen.build("GET", base + n) for n in names]
        for _ in range(ctx.runs):
            g = loadgen.run(loadgen.open_loop(server.port, lambda i: gets[i % TARGETS], rate=RATE, duration=seconds))
            p = loadgen.run(_puts(server.port, base, names, seconds))
            for op, res in (("GET", g), ("PUT", p)):
                if res.errors:
                    raise RuntimeError(f"{op}: {res.errors} requests failed")
                runs[f"{op} p50"].append(harness.percentile(res.latencies, 50) * 1e3)
                runs[f"{op} p99"].append(harness.percentile(res.latencies, 99) * 1e3)
        result.commands = [harness.command_line(server),
                           f"python open-loop generator (bench/loadgen.py open_loop): GET, then PUT, one keep-alive "
                           f"connection, {RATE:.0f} requests/s for {seconds:.0f} s each, over {TARGETS} of the "
                           f"{STORED:,} pods"]
    for label, values in runs.items():
        fig = Figure(label, "ms", values, digits=2)
        if label.endswith("p99"):
            fig.target = "<= 20 ms"
            fig.met = fig.value <= 20.0
        result.figures.append(fig)
    n = int(RATE * seconds)
    result.notes = [f"Each run sends {n} GETs and then {n} PUTs; a PUT replaces a pod with a changed label, "
                    "carrying the resourceVersion from its previous answer, so every PUT is a real, durable write."]
    return result


async def _puts(port: int, base: str, names: list[str], seconds: float) -> loadgen.LoadResult:
    """PUTs at RATE, each a real change; the body is the object last returned for that pod."""
    conn = await loadgen.Connection.open(port)
    current: dict[str, Any] = {}
    try:
        for n in names:
            status, raw = await conn.send(loadgen.build("GET", base + n))
            current[n] = orjson.loads(raw)
    finally:
        await conn.close()

    def make(i: int) -> bytes:
        name = names[i % len(names)]
        obj = current[name]
        obj["metadata"]["labels"]["seq"] = str(i)
        return loadgen.build("PUT", base + name, orjson.dumps(obj))

    def remember(i: int, status: int, body: bytes) -> None:
        if status == 200:
            current[names[i % len(names)]] = orjson.loads(body)

    return await loadgen.open_loop(port, make, rate=RATE, duration=seconds, ok=(200,), on_response=remember)
