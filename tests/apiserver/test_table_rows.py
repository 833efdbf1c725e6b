"""The cached Table rows of a LIST equal the Table built from scratch, now and later."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import asyncio

import orjson

from apiserver.api.lists import _chunks
from apiserver.resources import by_plural
from apiserver.storage import KeyValue
from apiserver.tables import table, table_json

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def _pod(name: str, created: str, **status: object) -> dict:
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": created,
                         "labels": {"app": "x"}, "resourceVersion": "7"},
            "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": "node-1"},
            "status": status}


PODS = [
    _pod("plain", "2026-05-01T11:59:00Z", phase="Pending"),
    _pod("same-second", "2026-05-01T11:59:00Z", phase="Pending"),
    _pod("no-timestamp", "", phase="Running"),
    _pod("restarted", "2026-04-30T10:00:00Z", phase="Running", podIP="10.244.0.5",
         containerStatuses=[{"name": "c", "ready": True, "restartCount": 3,
                             "state": {"running": {"startedAt": "2026-05-01T11:00:00Z"}},
                             "lastState": {"terminated": {"exitCode": 1,
                                                          "finishedAt": "2026-05-01T10:58:00Z"}}}]),
    _pod("never-restarted", "2026-04-30T10:00:00Z", phase="Running",
         containerStatuses=[{"name": "c", "ready": True, "restartCount": 0,
                             "state": {"running": {"startedAt": "2026-05-01T11:00:00Z"}}}]),
]
EVENT = {"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e.1", "namespace": "default",
                                                           "creationTimestamp": "2026-05-01T11:00:00Z"},
         "involvedObject": {"kind": "Pod", "name": "plain", "namespace": "default"}, "reason": "Scheduled",
         "message": "ok", "type": "Normal", "count": 2, "firstTimestamp": "2026-05-01T11:00:00Z",
         "lastTimestamp": "2026-05-01T11:30:00Z", "source": {"component": "default-scheduler"}}


def _kvs(objs: list[dict], prefix: str, revision: int = 10) -> list[KeyValue]:
    return [KeyValue(f"{prefix}{i}", orjson.dumps(o), revision, revision + i) for i, o in enumerate(objs)]


def _check(plural: str, objs: list[dict], include: str = "Metadata") -> None:
    rt = by_plural("", plural)
    assert rt is not None
    kvs = _kvs(objs, f"/registry/{plural}/test-{include}/")
    for now in (NOW, NOW + timedelta(hours=5), NOW + timedelta(days=40)):  # the second and third hit the cache
        pieces = table_json(rt, kvs, [None] * len(kvs), now, resource_version="12", include=include)
        got = orjson.loads(b"".join(pieces))
        want = orjson.loads(orjson.dumps(table(rt, objs, now, resource_version="12", include=include)))
        assert got == want


def test_pod_rows_match_a_fresh_table_as_time_passes() -> None:
    _check("pods", PODS)


def test_rows_with_the_whole_object_and_with_none() -> None:
    _check("pods", PODS, include="Object")
    _check("pods", PODS, include="None")


def test_event_rows_with_two_clock_cells() -> None:
    _check("events", [EVENT, dict(EVENT, lastTimestamp=None)])


def test_a_new_revision_rebuilds_the_row() -> None:
    rt = by_plural("", "pods")
    assert rt is not None
    pending = _pod("p", "2026-05-01T11:59:00Z", phase="Pending")
    running = _pod("p", "2026-05-01T11:59:00Z", phase="Running")
    for revision, obj in ((20, pending), (21, running)):
        kv = KeyValue("/registry/pods/rebuild/p", orjson.dumps(obj), 20, revision)
        got = orjson.loads(b"".join(table_json(rt, [kv], [None], NOW)))
        assert got["rows"][0]["cells"] == table(rt, [obj], NOW)["rows"][0]["cells"]


def test_a_large_body_streams_in_chunks_that_join_to_the_same_bytes() -> None:
    pieces = [b"x" * 300_000, b",", b"y" * 900_000, b"z" * 10, b"w" * 2_000_000, b"]}"]

    async def collect() -> list[bytes]:
        return [chunk async for chunk in _chunks(pieces)]

    chunks = asyncio.run(collect())
    assert b"".join(chunks) == b"".join(pieces)
    assert len(chunks) == 3 and all(len(c) >= 1 << 20 for c in chunks[:-1])
