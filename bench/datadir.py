"""9. Data-dir size (database, WAL and shared-memory file) after 50,000 and after 100,000
updates to 1,000 objects: history is compacted to a window, so the files must stop growing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson

from bench import harness, loadgen
from bench.harness import Context
from bench.report import Figure, Result

NAMESPACE = "bench-churn"
OBJECTS = 1000
CLIENTS = 16
SETTLE = 7.0  # longer than the server's 5 s compaction interval, so a pass has run


def run(ctx: Context) -> Result:
    batch = 10_000 if ctx.quick else 50_000
    result = Result(9, f"Data-dir size after {batch:,} and {2 * batch:,} updates to {OBJECTS:,} objects")
    data = ctx.scratch("churn")
    server = harness.minik(data, "--no-controllers")
    sizes, peaks, rates = [], [], []
    with server:
        harness.request_json(server.port, "POST", "/api/v1/namespaces",
                             {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        base = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
        creates = [loadgen.build("POST", base, orjson.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i:04d}"}, "data": {"v": "0"}}))
            for i in range(OBJECTS)]
        loadgen.run(loadgen.closed_loop(server.port, creates.__getitem__, clients=CLIENTS, total=OBJECTS))
        for round_ in range(2):
            offset = round_ * batch

            def patch(i: int) -> bytes:
                n = offset + i
                return loadgen.build("PATCH", f"{base}/cm-{n % OBJECTS:04d}",
                                     orjson.dumps({"data": {"v": str(n + 1), "payload": "x" * 200}}),
                                     content_type="application/merge-patch+json")
            peak = _Sampler(data)
            with peak:
                res = loadgen.run(loadgen.closed_loop(server.port, patch, clients=CLIENTS, total=batch, ok=(200,)))
            if res.errors:
                raise RuntimeError(f"{res.errors} updates failed: {res.statuses}")
            rates.append(res.rate)
            time.sleep(SETTLE)
            sizes.append(harness.dir_size_mb(data))
            peaks.append(peak.peak)
    result.commands = [harness.command_line(server),
                       f"{OBJECTS:,} ConfigMaps, then {batch:,} + {batch:,} merge PATCHes (each a real change), "
                       f"{CLIENTS} keep-alive clients (bench/loadgen.py closed_loop)"]
    fig = Figure(f"size after {2 * batch:,} updates", "MB", [sizes[1]], [sizes[0]], target="<= 1.1x", digits=2)
    fig.met = (fig.ratio or 1e9) <= 1.1
    result.figures = [Figure(f"size after {batch:,} updates", "MB", [sizes[0]], digits=2), fig,
                      Figure("largest size seen while updating", "MB", [max(peaks)], digits=2),
                      Figure("update rate while churning", "updates/s", rates, digits=0)]
    result.notes = [f"Sizes are of minik.db, minik.db-wal and minik.db-shm, {SETTLE:.0f} s after the updates "
                    "stop (one compaction pass and WAL checkpoint later); the largest size is sampled every "
                    "0.2 s during the updates. The server keeps the default --history-revisions 5000. "
                    "One run: the second half is the repeat of the first."]
    return result


class _Sampler:
    """Samples the data-dir size in a thread while the updates run."""

    def __init__(self, data: Path) -> None:
        self.data, self.peak = data, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, harness.dir_size_mb(self.data))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
