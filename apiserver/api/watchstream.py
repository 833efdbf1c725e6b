"""WATCH over HTTP: one JSON event per line, flushed; ADDED/MODIFIED/DELETED/BOOKMARK/ERROR.

- resourceVersion unset or "0": synthetic ADDED events for the current state first;
- sendInitialEvents=true: the same, then a BOOKMARK annotated `k8s.io/initial-events-end`;
- a start below the retained history: HTTP 200 and one ERROR event with a 410 Status;
- timeoutSeconds ends the stream cleanly; BOOKMARKs only when allowWatchBookmarks=true;
- a client that reads nothing for STALLED_SECONDS while events wait is dropped: its stream
  ends after what was already queued (QUEUED_EVENTS at most), as kube drops slow watchers.
"""

from __future__ import annotations

import asyncio
import logging
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
QUEUED_EVENTS = 100  # per watch: a stalled client pins at most this many objects
STALLED_SECONDS = 5.0
log = logging.getLogger(__name__)


# Recent live events' JSON lines, oldest first: one serialisation per event, not per watcher.
_SHARED_LINES = 256
_shared_lines: dict[tuple[int, str], bytes] = {}


class _Framer:
    """Turns (type, object) into wire lines; with a Table Accept each object is a one-row
    Table whose columnDefinitions are sent only in the first event, as kube's encoder does."""

    def __init__(self, rt: ResourceType, accept: Accept, include: str) -> None:
        self.rt, self.table, self.include = rt, accept.table, include
        self.first = True

    def line(self, type_: str, obj: Obj, revision: int = 0) -> bytes:
        """`revision` (of a live event) lets every JSON watcher of that event share one line:
        a revision names one stored object, so its line is the same for all of them."""
        if revision and not self.table:
            key = (revision, type_)
            cached = _shared_lines.get(key)
            if cached is None:
                cached = _shared_lines[key] = orjson.dumps({"type": type_, "object": obj}) + b"\n"
                if len(_shared_lines) > _SHARED_LINES:
                    del _shared_lines[next(iter(_shared_lines))]
            return cached
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
        watch = registry.watch(rt, namespace, resource_version=start, label_selector=labels, field_selector=fields,
                               read_only=True)
    except errors.StatusError as e:
        yield _error_line(e)
        return
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=QUEUED_EVENTS)
    pump = asyncio.create_task(_pump(watch, queue))
    last = start
    next_bookmark = _next_bookmark(time.monotonic(), deadline)
    try:
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                return
            wait = max(0.0, min(remaining, next_bookmark - now)) if bookmarks else remaining
            try:
                # get_nowait first, and asyncio.timeout rather than wait_for: no task per event.
                if queue.empty():
                    async with asyncio.timeout(wait):
                        item = await queue.get()
                else:
                    item = queue.get_nowait()
            except TimeoutError:
                if bookmarks and time.monotonic() >= next_bookmark:
                    # The last delivered revision: a later one might still be on its way here.
                    yield framer.bookmark(last)
                    next_bookmark = _next_bookmark(time.monotonic(), deadline)
                continue
            if item is None:
                return
            if isinstance(item, errors.StatusError):
                yield _error_line(item)
                return
            last = item.revision
            yield framer.line(item.type, item.object, item.revision)
    finally:
        pump.cancel()
        await watch.close()


def _next_bookmark(now: float, deadline: float) -> float:
    """Every BOOKMARK_INTERVAL, and one shortly before the deadline, as kube's cacher does;
    never after the deadline."""
    at = min(now + BOOKMARK_INTERVAL, deadline - 2.0)
    return at if at > now else deadline + 1.0


async def _pump(watch: Any, queue: asyncio.Queue[Any]) -> None:
    """Moves events into a bounded queue. A client that stops reading fills it; after
    STALLED_SECONDS without room it is dropped, as kube's cacher drops an unresponsive watcher:
    the storage watch closes (no writer or other watcher ever waits on this client) and the
    stream ends once the client has read what was queued, so it re-watches from its last
    resourceVersion."""
    try:
        async for ev in watch:
            if queue.full():
                try:
                    await asyncio.wait_for(queue.put(ev), STALLED_SECONDS)
                except asyncio.TimeoutError:
                    log.info("dropping a watch whose client read nothing for %.0fs", STALLED_SECONDS)
                    await watch.close()
                    break
            else:
                queue.put_nowait(ev)
        await queue.put(None)
    except errors.StatusError as e:
        await queue.put(e)


__all__ = ["watch_response"]
