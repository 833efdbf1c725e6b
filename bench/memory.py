"""8. Peak RSS (VmHWM) of the server process: idle with default flags, and with 10,000 pods
stored while the controllers' informers hold them and a JSON and a Table LIST of all of them
are served."""

from __future__ import annotations

import time

from bench import fixtures, harness, lists, scale
from bench.harness import Context
from bench.report import Figure, Result

SETTLE = 3.0


def run(ctx: Context) -> Result:
    result = Result(8, "Peak RSS, idle and with 10,000 pods")
    idle, loaded = [], []
    runs = 1 if ctx.quick else min(ctx.runs, 2)
    for i in range(runs):
        server = harness.minik(ctx.scratch(f"rss-idle-{i}"))
        with server:
            time.sleep(SETTLE)
            idle.append(server.peak_rss_mb())
        data = harness.copy_data_dir(fixtures.pods_10k(ctx.work), ctx.work / f"rss-full-{i}")
        full = harness.minik(data, "--nodes", "0")
        with full:
            time.sleep(SETTLE)
            for accept in ("application/json", lists.TABLE_ACCEPT):
                status, body = harness.request(full.port, "GET", "/api/v1/pods", accept=accept, timeout=60)
                assert status == 200, status
            time.sleep(1.0)
            loaded.append(full.peak_rss_mb())
    result.commands = [harness.command_line(server), harness.command_line(full) + "   (DIR holds 10,000 pods)"]
    result.figures = [Figure("peak RSS, idle", "MB", idle, digits=0),
                      Figure("peak RSS, 10,000 pods", "MB", loaded, target="<= 200 MB", digits=0)]
    result.figures[1].met = result.figures[1].value <= 200
    result.notes = [f"Idle: default flags, {SETTLE:.0f} s after ready. With 10,000 pods: `--nodes 0` so the "
                    "controllers start and their informers list and cache every pod, but nothing gets "
                    f"scheduled; {SETTLE:.0f} s after ready, then GET /api/v1/pods as JSON and as a Table. "
                    "Anchor: k3s 0.5-1.6 GB."]
    if scale.PEAK_RSS_KEY in scale.shared:
        result.notes.append(f"For comparison, the server of benchmark 5 peaked at "
                            f"{scale.shared[scale.PEAK_RSS_KEY]:.0f} MB after scaling an RC to 5,000 pods on 50 "
                            "nodes (all controllers busy).")
    return result
