"""EventRecorder: core/v1 Events about objects, written the way client-go's recorder does.

Each Event is named `<object name>.<hex nanoseconds>` and lives in the object's namespace
(`default` for cluster-scoped objects). What client-go's EventCorrelator does comes first
(`eventcorrelation.py`): a repeat of the same (object, type, reason, message, source) bumps
`count` and `lastTimestamp` of the Event already written instead of creating a new one, many
similar messages are combined into one Event, and a source's spam about one object is dropped.

`record()` never blocks and never raises: events go through bounded queues drained by
`run()`'s writers (one source's events about one object always to the same writer, in order;
several writers so that event writes share the storage's group commits), and a failed write
is logged and dropped. An event must never fail a controller.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from apiserver.controllers.client import EVENTS, Client, is_not_found
from apiserver.controllers.eventcorrelation import Correlator
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

_QUEUE_SIZE = 1000  # client-go's broadcaster also drops beyond 1000 queued events
_WRITERS = 8
_CACHE_SIZE = 4096  # client-go's LRU of recent events


@dataclass(frozen=True)
class Source:
    component: str
    host: str = ""


@dataclass(frozen=True)
class _Pending:
    involved: Obj
    type: str
    reason: str
    message: str
    source: Source
    at: datetime
    nanos: int  # the name's suffix: the recording time in nanoseconds, as client-go names events
    key: tuple[str, ...] = ()  # the correlator's: occurrences of one key share an Event
    count: int = 1  # which occurrence of `key` this is


def object_reference(obj: Obj, field_path: str = "") -> Obj:
    """An ObjectReference to `obj`, as client-go's reference.GetReference builds it."""
    meta = obj.get("metadata") or {}
    ref: Obj = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace"), "name": meta.get("name"),
                "uid": meta.get("uid"), "apiVersion": obj.get("apiVersion", ""),
                "resourceVersion": meta.get("resourceVersion")}
    if field_path:
        ref["fieldPath"] = field_path
    return {k: v for k, v in ref.items() if v not in (None, "")}


def new_event(p: _Pending) -> Obj:
    stamp = format_time(p.at)
    namespace = p.involved.get("namespace") or "default"
    nanos = p.nanos
    source: Obj = {"component": p.source.component}
    if p.source.host:
        source["host"] = p.source.host
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{p.involved.get('name', '')}.{nanos:x}", "namespace": namespace},
        "involvedObject": p.involved, "reason": p.reason, "message": p.message, "source": source,
        "firstTimestamp": stamp, "lastTimestamp": stamp, "count": p.count, "type": p.type, "eventTime": None,
        "reportingComponent": p.source.component, "reportingInstance": p.source.host,
    }


class EventRecorder:
    def __init__(self, client: Client, writers: int = _WRITERS) -> None:
        self.client = client
        self.writers = writers
        self._queues: list[asyncio.Queue[_Pending]] = []
        self._recent: OrderedDict[tuple[str, ...], Obj] = OrderedDict()
        self.correlator = Correlator()
        self.dropped = 0

    def _shards(self) -> list[asyncio.Queue[_Pending]]:
        if not self._queues:  # created lazily, inside the running loop
            self._queues = [asyncio.Queue(_QUEUE_SIZE // self.writers) for _ in range(self.writers)]
        return self._queues

    def record(self, obj: Obj, type_: str, reason: str, message: str, source: Source, *,
               field_path: str = "") -> None:
        try:
            involved = object_reference(obj, field_path)
            decision = self.correlator.correlate(involved, type_, reason, message, source.component, source.host)
            if decision is None:
                return  # spam about one object
            nanos = time.time_ns()
            item = _Pending(involved, type_, reason, decision.message, source,
                            datetime.fromtimestamp(nanos / 1e9, timezone.utc), nanos, decision.key, decision.count)
            shards = self._shards()
            shards[hash(decision.key[:7]) % len(shards)].put_nowait(item)  # [:7]: source and object
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped % 1000 == 1:  # say so, without flooding the log
                log.warning("event queues full; %d events dropped so far", self.dropped)
        except Exception:
            log.exception("cannot record event %s", reason)

    def normal(self, obj: Obj, reason: str, message: str, source: Source, *, field_path: str = "") -> None:
        self.record(obj, "Normal", reason, message, source, field_path=field_path)

    def warning(self, obj: Obj, reason: str, message: str, source: Source, *, field_path: str = "") -> None:
        self.record(obj, "Warning", reason, message, source, field_path=field_path)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for i, queue in enumerate(self._shards()):
                tg.create_task(self._drain(queue), name=f"event writer {i}")

    async def _drain(self, queue: asyncio.Queue[_Pending]) -> None:
        while True:
            item = await queue.get()
            try:
                await self.write(item)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # never let an event take anything down
                log.info("dropping event %s %s: %s", item.reason, item.message, e)
            finally:
                queue.task_done()

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait (bounded) until every queued event is written; for orderly shutdowns and tests."""
        try:
            await asyncio.wait_for(asyncio.gather(*(q.join() for q in self._queues)), timeout)
        except asyncio.TimeoutError:
            log.info("events still queued after %.1fs", timeout)

    async def write(self, p: _Pending) -> Obj:
        previous = self._recent.get(p.key) if p.count > 1 else None
        if previous is not None:
            bumped = await self._bump(previous, p)
            if bumped is not None:
                self._remember(p.key, bumped)
                return bumped
        event = new_event(p)
        created: Obj = await self.client.create(EVENTS, event["metadata"]["namespace"], event)
        self._remember(p.key, created)
        return created

    async def _bump(self, previous: Obj, p: _Pending) -> Obj | None:
        """The new count, lastTimestamp and message on the stored Event; None if it is gone (TTL)."""
        event = copy.deepcopy(previous)
        event["count"] = p.count
        event["lastTimestamp"] = format_time(p.at)
        event["message"] = p.message
        event["metadata"].pop("resourceVersion", None)  # last writer wins, like client-go's patch
        try:
            updated: Obj = await self.client.update(EVENTS, event)
            return updated
        except Exception as e:
            if is_not_found(e):
                return None
            raise

    def _remember(self, key: tuple[str, ...], event: Obj) -> None:
        self._recent[key] = event
        self._recent.move_to_end(key)
        while len(self._recent) > _CACHE_SIZE:
            self._recent.popitem(last=False)


def describe(obj: Any) -> str:
    """`namespace/name` of an object, as event messages print it."""
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
