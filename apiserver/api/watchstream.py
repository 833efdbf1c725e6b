"""WATCH over HTTP: one JSON event per line, flushed; ADDED/MODIFIED/DELETED/BOOKMARK/ERROR.

- resourceVersion unset or "0": synthetic ADDED events for the current state first;
- sendInitialEvents=true: the same, then a BOOKMARK annotated `k8s.io/initial-events-end`;
- a start below the retained history: HTTP 200 and one ERROR event with a 410 Status;
- timeoutSeconds ends the stream cleanly; BOOKMARKs only when allowWatchBookmarks=true.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import orjson
from starlette.responses import StreamingResponse

from apiserver import errors
from apiserver.api.negotiation import Accept
from apiserver.filtering import compile_filter
from apiserver.registry import Registry
from apiserver.resources.base import Obj, ResourceType
from apiserver.tables import column_definitions, row

BOOKMARK_INTERVAL = 60.0


class _Framer:
    """Turns (type, object) into wire lines; with a Table Accept each object is a one-row
    Table whose columnDefinitions are sent only in the first event, as kube's encoder does."""

    def __init__(self, rt: ResourceType, accept: Accept, include: str) -> None:
        self.rt, self.table, self.include = rt, accept.table, include
        self.first = True

    def line(self, type_: str, obj: Obj) -> bytes:
        if self.table and type_ in ("ADDED", "MODIFIED", "DELETED"):
            cols = column_definitions(self.rt) if self.first else []
            self.first = False
            obj = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                   "metadata": {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                   "columnDefinitions": cols,
                   "rows": [row(self.rt, obj, datetime.now(timezone.utc), self.include)]}
        return orjson.dumps({"type": type_, "object": obj}) + b"\n"

    def bookmark(self, revision: int, initial_end: bool = False) -> bytes:
        meta: dict[str, Any] = {"resourceVersion": str(revision)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return orjson.dumps({"type": "BOOKMARK", "object": {
            "kind": self.rt.kind, "apiVersion": self.rt.api_version, "metadata": meta}}) + b"\n"


def _error_line(err: errors.StatusError) -> bytes:
    return orjson.dumps({"type": "ERROR", "object": err.status()}) + b"\n"


def _timeout(params: dict[str, str]) -> float:
    value = params.get("timeoutSeconds")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            raise errors.bad_request(f'invalid value for timeoutSeconds: "{value}"') from None
    return 1800.0 * (1 + random.random())


def _start_revision(params: dict[str, str]) -> int | None:
    """None: begin with the current state (synthetic ADDED events)."""
    rv = params.get("resourceVersion", "")
    if params.get("sendInitialEvents") == "true":
        if params.get("resourceVersionMatch") != "NotOlderThan":
            raise errors.invalid("ListOptions", "meta.k8s.io", "", [errors.forbidden_field(
                "resourceVersionMatch",
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")])
        return None
    if rv in ("", "0"):
        return None
    try:
        return int(rv)
    except ValueError:
        raise errors.bad_request(f'invalid resource version: {rv}') from None


def watch_response(registry: Registry, rt: ResourceType, namespace: str | None, params: dict[str, str],
                   accept: Accept) -> StreamingResponse:
    start = _start_revision(params)  # errors before streaming are plain HTTP errors
    compile_filter(rt, params.get("labelSelector", ""), params.get("fieldSelector", ""))
    framer = _Framer(rt, accept, params.get("includeObject", "Metadata"))
    body = _stream(registry, rt, namespace, params, start, framer, _timeout(params))
    return StreamingResponse(body, media_type="application/json")


async def _stream(registry: Registry, rt: ResourceType, namespace: str | None, params: dict[str, str],
                  start: int | None, framer: _Framer, timeout: float) -> AsyncIterator[bytes]:
    labels, fields = params.get("labelSelector", ""), params.get("fieldSelector", "")
    bookmarks = params.get("allowWatchBookmarks") == "true"
    deadline = time.monotonic() + timeout
    if start is None:
        revision, objs = await registry.list(rt, namespace, label_selector=labels, field_selector=fields)
        for obj in objs:
            yield framer.line("ADDED", obj)
        if params.get("sendInitialEvents") == "true":
            yield framer.bookmark(revision, initial_end=True)
        start = revision
    try:
        watch = registry.watch(rt, namespace, resource_version=start, label_selector=labels, field_selector=fields)
    except errors.StatusError as e:
        yield _error_line(e)
        return
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1000)
    pump = asyncio.create_task(_pump(watch, queue))
    last = start
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            wait = min(remaining, BOOKMARK_INTERVAL) if bookmarks else remaining
            try:
                item = await asyncio.wait_for(queue.get(), wait)
            except asyncio.TimeoutError:
                if bookmarks and time.monotonic() < deadline:
                    yield framer.bookmark(max(last, registry.storage.revision))
                continue
            if item is None:
                return
            if isinstance(item, errors.StatusError):
                yield _error_line(item)
                return
            last = item.revision
            yield framer.line(item.type, item.object)
    finally:
        pump.cancel()
        await watch.close()


async def _pump(watch: Any, queue: asyncio.Queue[Any]) -> None:
    """Moves events into a bounded queue: a client that stops reading fills it, the storage
    watcher then overflows and is dropped (410), and no writer ever waits on this client."""
    try:
        async for ev in watch:
            await queue.put(ev)
        await queue.put(None)
    except errors.StatusError as e:
        await queue.put(e)


__all__ = ["watch_response"]
