"""The controller run loop: workers take keys from a WorkQueue and call `reconcile(key)`.

`reconcile` re-reads state (from informer caches or the API), is idempotent and either
returns None (done), returns a number of seconds (look again later, e.g. a stage delay), or
raises (requeued with capped exponential backoff). Cancelling `Controller.run` stops the
workers and shuts the queue down. Informers live in `informer.py`, the queue in
`workqueue.py`; both are re-exported here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from apiserver import errors
from apiserver.controllers.informer import Handler, Informer, InformerFactory, object_key, split_key
from apiserver.controllers.workqueue import WorkQueue
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

Reconcile = Callable[[str], Awaitable[float | None]]

__all__ = ["Controller", "Handler", "Informer", "InformerFactory", "Pacer", "Reconcile", "WorkQueue", "object_key",
           "split_key", "enqueue_handler"]


@dataclass
class Controller:
    name: str
    reconcile: Reconcile
    workers: int = 1
    queue: WorkQueue = field(default_factory=WorkQueue)

    def __post_init__(self) -> None:
        if not self.queue.name:
            self.queue.name = self.name

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                for i in range(self.workers):
                    tg.create_task(self._worker(), name=f"{self.name} worker {i}")
        except asyncio.CancelledError:
            self.queue.shutdown()
            raise

    async def _worker(self) -> None:
        while True:
            key = await self.queue.get()
            if key is None:
                return
            try:
                await self.process(key)
            finally:
                self.queue.done(key)

    async def process(self, key: str) -> None:
        """One reconcile of `key` with the queue's bookkeeping; never raises but cancellation."""
        try:
            again = await self.reconcile(key)
        except asyncio.CancelledError:
            raise
        except errors.StatusError as e:
            # Conflicts and races with other writers are routine: retry quietly.
            level = logging.DEBUG if e.code in (404, 409) else logging.WARNING
            log.log(level, "%s: reconcile %s failed: %s", self.name, key, e.message)
            self.queue.add_rate_limited(key)
        except Exception:
            log.exception("%s: reconcile %s failed", self.name, key)
            self.queue.add_rate_limited(key)
        else:
            self.queue.forget(key)
            if again is not None:
                self.queue.add_after(key, again)


class Pacer:
    """How long changes may pile up before a key that costs O(its pods) is synced again.

    At least `floor` seconds, and `factor` times what the key's last sync took, capped at
    `ceiling`: a replication controller of thousands of pods then spends about 1/factor of
    the CPU on its own syncs instead of resyncing on every pod event.
    """

    def __init__(self, floor: float, *, factor: float = 10.0, ceiling: float = 2.0) -> None:
        self.floor = floor
        self.factor = factor
        self.ceiling = ceiling
        self._cost: dict[str, float] = {}

    def delay(self, key: str) -> float:
        return min(max(self.floor, self.factor * self._cost.get(key, 0.0)), self.ceiling)

    def record(self, key: str, seconds: float) -> None:
        self._cost[key] = seconds

    def forget(self, key: str) -> None:
        self._cost.pop(key, None)

    def timed(self, reconcile: Reconcile) -> Reconcile:
        """`reconcile`, measuring each run of it."""
        async def run(key: str) -> float | None:
            start = time.perf_counter()
            try:
                return await reconcile(key)
            finally:
                self.record(key, time.perf_counter() - start)

        return run


def enqueue_handler(queue: WorkQueue, key_of: Callable[[Obj], str | None] = object_key) -> Handler:
    """A handler that enqueues the changed object's own key (or `key_of(obj)`, None to skip)."""

    def add(obj: Obj) -> None:
        key = key_of(obj)
        if key is not None:
            queue.add(key)

    return Handler(on_add=add, on_update=lambda old, new: add(new), on_delete=add)
