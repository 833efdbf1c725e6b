"""4. Watch delivery latency: 100 concurrent watchers on one namespace's pods; a writer
patches pods at 20 writes/s; latency runs from just before the write is sent to the moment
each watcher has read the event's line."""

from __future__ import annotations

import asyncio
import re
import time

import orjson

from bench import fixtures, harness, loadgen
from bench.harness import Context
from bench.report import Figure, Result

NAMESPACE = "bench-watch"
WATCHERS = 100
PODS = 10
RATE = 20.0
SEQ = re.compile(rb'"bench/seq":"(\d+)"')


def run(ctx: Context) -> Result:
    seconds = 3.0 if ctx.quick else 5.0
    result = Result(4, f"Watch delivery latency, write to receipt, {WATCHERS} concurrent watchers")
    server = harness.minik(ctx.scratch("watch"), "--no-controllers")
    p50s, p99s, maxes, counts = [], [], [], []
    with server:
        fixtures.create_namespace(server.port, NAMESPACE)
        loadgen.run(fixtures.create_pods(server.port, NAMESPACE, PODS, named=True))
        for _ in range(ctx.runs):
            lat, expected = loadgen.run(_one_run(server.port, seconds))
            if len(lat) < expected:
                raise RuntimeError(f"only {len(lat)} of {expected} events were delivered")
            p50s.append(harness.percentile(lat, 50) * 1e3)
            p99s.append(harness.percentile(lat, 99) * 1e3)
            maxes.append(max(lat) * 1e3)
            counts.append(len(lat))
        result.commands = [harness.command_line(server),
                           f"{WATCHERS} x GET /api/v1/namespaces/{NAMESPACE}/pods?watch=true&resourceVersion=RV "
                           f"(python asyncio clients, one process); PATCH (merge) of {PODS} pods round-robin at "
                           f"{RATE:.0f}/s for {seconds:.0f} s"]
    result.figures = [Figure("watch delivery p50", "ms", p50s, digits=2),
                      Figure("watch delivery p99", "ms", p99s, target="<= 50 ms", digits=2),
                      Figure("watch delivery max", "ms", maxes, digits=2)]
    result.figures[1].met = result.figures[1].value <= 50.0
    result.notes = [f"Deliveries measured per run: {', '.join(f'{c:,}' for c in counts)} "
                    f"({int(RATE * seconds)} writes x {WATCHERS} watchers). The latency includes the write's "
                    "durable commit, the fan-out, HTTP framing and the client's own event loop, which "
                    "shares the machine's two cores with the server."]
    return result


async def _one_run(port: int, seconds: float) -> tuple[list[float], int]:
    ns_path = f"/api/v1/namespaces/{NAMESPACE}/pods"
    conn = await loadgen.Connection.open(port)
    status, raw = await conn.send(loadgen.build("GET", ns_path))
    rv = orjson.loads(raw)["metadata"]["resourceVersion"]
    sent: dict[int, float] = {}
    latencies: list[float] = []
    writes = int(RATE * seconds)
    watch_req = loadgen.build("GET", f"{ns_path}?watch=true&resourceVersion={rv}&timeoutSeconds={int(seconds) + 30}")
    watchers = [await loadgen.Connection.open(port) for _ in range(WATCHERS)]
    try:
        tasks = [asyncio.create_task(_watch(w, watch_req, sent, latencies, writes)) for w in watchers]
        await asyncio.sleep(0.5)  # every watch registered (they start from rv anyway)
        start = time.perf_counter()
        for i in range(writes):
            due = start + i / RATE
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body = orjson.dumps({"metadata": {"annotations": {"bench/seq": str(i)}}})
            sent[i] = time.perf_counter()
            status, raw = await conn.send(loadgen.build("PATCH", f"{ns_path}/pod-{i % PODS:05d}", body,
                                                        content_type="application/merge-patch+json"))
            if status != 200:
                raise RuntimeError(f"PATCH -> {status}: {raw[:200]!r}")
        await asyncio.wait(tasks, timeout=10.0)
        for t in tasks:
            t.cancel()
    finally:
        await conn.close()
        for w in watchers:
            await w.close()
    return latencies, writes * WATCHERS


async def _watch(conn: loadgen.Connection, req: bytes, sent: dict[int, float], out: list[float], want: int) -> None:
    """Read one watch stream until `want` writes were seen; chunk boundaries need not be lines."""
    conn.writer.write(req)
    status, headers = await conn.head()
    if status != 200:
        raise RuntimeError(f"watch -> {status}")
    seen = 0
    pending = b""
    async for chunk in conn.chunks():
        now = time.perf_counter()
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            m = SEQ.search(line)
            if m:
                out.append(now - sent[int(m.group(1))])
                seen += 1
        if seen >= want:
            return
