"""Churn: under a steady stream of updates, compaction keeps the revision log to a window of
--history-revisions, in short batches that never stall a write; the database files stay
bounded (the WAL is checkpointed and truncated); a watch from before the window gets the 410
ERROR event; and LIST stays as fast on an old, churned database as on a new one."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable

from reliability_support import run_parallel, wait_until

from support import Server

CM = "/api/v1/namespaces/default/configmaps"
HISTORY = 100
OBJECTS = 400
HOT_KEYS = 20
UPDATES = 2000
COMPACT_WAIT = 15.0  # compaction runs every 5 s


def _log_rows(db: Path) -> int:
    """Rows in the revision log, read through a read-only connection beside the server's."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM log").fetchone()[0])
    finally:
        conn.close()


def _files(db: Path) -> tuple[int, int]:
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size, wal.stat().st_size if wal.exists() else 0


def _churn(srv: Server, round_: int) -> float:
    """UPDATES merge patches spread over the hot keys; returns the slowest write's seconds."""
    requests = [("PATCH", f"{CM}/obj-{i % HOT_KEYS}", {"data": {"v": f"{round_}-{i}", "pad": "p" * 500}},
                 "application/merge-patch+json") for i in range(UPDATES)]
    results = run_parallel(srv, requests)
    assert all(status == 200 for status, _ in results), {s for s, _ in results}
    return max(seconds for _, seconds in results)


def _list_seconds(srv: Server) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.monotonic()
        status, body = srv.request("GET", CM)
        best = min(best, time.monotonic() - start)
        assert status == 200 and len(body["items"]) == OBJECTS
    return best


def _compacted(db: Path) -> bool:
    # The window, plus at most one older row per key that a retained update still names.
    return _log_rows(db) <= HISTORY + HOT_KEYS + 10 and _files(db)[1] == 0


def _watch_first_event(srv: Server, rv: int) -> dict:
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", f"{CM}?watch=true&resourceVersion={rv}&timeoutSeconds=5")
        response = conn.getresponse()
        assert response.status == 200
        return json.loads(response.readline())
    finally:
        conn.close()


def test_churn_stays_bounded_and_fast(servers: Callable[..., Server]) -> None:
    srv = servers("--no-controllers", "--history-revisions", str(HISTORY))
    db = srv.data_dir / "minik.db"
    created = run_parallel(srv, [("POST", CM, {"metadata": {"name": f"obj-{i}"}, "data": {"v": "0"}},
                                  "application/json") for i in range(OBJECTS)])
    assert all(status == 201 for status, _ in created)
    first_rv = int(srv.request("GET", f"{CM}/obj-0")[1]["metadata"]["resourceVersion"])
    fresh_list = _list_seconds(srv)

    slowest = _churn(srv, 1)
    assert wait_until(lambda: _compacted(db), COMPACT_WAIT, 0.25), (_log_rows(db), _files(db))
    size_after_first = _files(db)[0]
    slowest = max(slowest, _churn(srv, 2))
    assert wait_until(lambda: _compacted(db), COMPACT_WAIT, 0.25), (_log_rows(db), _files(db))
    # Twice the churn, the same footprint: the file reuses the pages compaction freed.
    assert _files(db)[0] <= size_after_first * 1.25 + 256 * 1024, (size_after_first, _files(db))
    assert slowest < 2.0, f"a write waited {slowest:.2f}s behind compaction"

    # A watch from before the window: HTTP 200, one ERROR event with a 410 Status.
    event = _watch_first_event(srv, first_rv)
    assert event["type"] == "ERROR" and event["object"]["code"] == 410, event
    assert event["object"]["reason"] == "Expired"
    assert event["object"]["message"].startswith(f"too old resource version: {first_rv} (")
    # A watch inside the window still replays.
    head = int(srv.request("GET", CM)[1]["metadata"]["resourceVersion"])
    event = _watch_first_event(srv, head - HISTORY // 2)
    assert event["type"] == "MODIFIED" and int(event["object"]["metadata"]["resourceVersion"]) == head - HISTORY // 2 + 1

    # LIST reads the current state, never the history: as fast as on the fresh database.
    assert _list_seconds(srv) <= max(3 * fresh_list, 0.25), (fresh_list, _list_seconds(srv))

    # The old database opens quickly, with its window intact.
    srv.stop()
    start = time.monotonic()
    srv = servers("--no-controllers", "--history-revisions", str(HISTORY), data_dir=srv.data_dir)
    assert time.monotonic() - start < 10
    assert _list_seconds(srv) <= max(3 * fresh_list, 0.25)
    event = _watch_first_event(srv, head - 10)
    assert event["type"] == "MODIFIED" and int(event["object"]["metadata"]["resourceVersion"]) == head - 9
