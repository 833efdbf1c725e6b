"""Watch fan-out: the ring of recent events, and one bounded buffer per watcher.

Every committed event is published here exactly once, in revision order, on the event loop.
The ring keeps the newest `history` events, so a watch replays from memory; events that fall
out of the ring are compacted. A new watcher copies its replay from the ring and registers for
live events in one synchronous step, so nothing can slip in between (no gap, no duplicate).

Publishing never waits: each watcher has its own buffer, and a watcher whose buffer is full is
dropped (its iteration raises CompactedError) instead of slowing the writer or its neighbours.
"""

from __future__ import annotations

import asyncio
from collections import deque

from apiserver.storage import CompactedError, Event


class StreamWatcher:
    """One open watch. Iterate it with `async for`; `close()` ends the iteration."""

    def __init__(self, hub: WatchHub, prefix: str, after: int, replay: list[Event], limit: int) -> None:
        self._hub = hub
        self.prefix = prefix
        self._buffer: deque[Event] = deque(replay)
        self._queued = replay[-1].kv.mod_revision if replay else after
        self._delivered = after
        # The replay never counts against the live budget.
        self._limit = limit + len(replay)
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._dropped = False

    def push(self, event: Event) -> None:
        if self._closed or self._dropped or event.kv.mod_revision <= self._queued:
            return
        if len(self._buffer) >= self._limit:
            self._dropped = True
            self._buffer.clear()
            self._hub.discard(self)
        else:
            self._buffer.append(event)
            self._queued = event.kv.mod_revision
        self._wake()

    def finish(self) -> None:
        """End the iteration after what is already buffered (the store is closing)."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> StreamWatcher:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._buffer:
                event = self._buffer.popleft()
                self._delivered = event.kv.mod_revision
                return event
            if self._dropped:
                raise CompactedError(self._delivered, self._hub.compacted_revision + 1)
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    async def close(self) -> None:
        self._hub.discard(self)
        self._buffer.clear()
        self.finish()


class WatchHub:
    def __init__(self, history: int, watcher_buffer: int) -> None:
        if history < 0 or watcher_buffer < 1:
            raise ValueError("history must be >= 0 and watcher_buffer >= 1")
        self._history = history
        self._watcher_buffer = watcher_buffer
        self._ring: deque[Event] = deque()
        self._revision = 0
        self._compacted = 0
        # Watchers grouped by prefix: many informers share a prefix, so an event costs one
        # startswith per distinct prefix rather than one per watcher.
        self._by_prefix: dict[str, set[StreamWatcher]] = {}

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def compacted_revision(self) -> int:
        return self._compacted

    @property
    def watcher_count(self) -> int:
        return sum(len(ws) for ws in self._by_prefix.values())

    def load(self, revision: int, compacted: int, events: list[Event]) -> None:
        """Restore after a restart: `events` are the contiguous revisions compacted+1..revision."""
        self._revision = revision
        self._compacted = compacted
        self._ring = deque(events)
        while len(self._ring) > self._history:
            self._compacted = self._ring.popleft().kv.mod_revision

    def publish(self, events: list[Event]) -> None:
        ring, history = self._ring, self._history
        for event in events:
            self._revision = event.kv.mod_revision
            ring.append(event)
            if len(ring) > history:
                self._compacted = ring.popleft().kv.mod_revision
        for prefix, watchers in list(self._by_prefix.items()):
            matching = [e for e in events if e.kv.key.startswith(prefix)]
            if matching:
                for watcher in list(watchers):
                    for event in matching:
                        watcher.push(event)

    def watch(self, prefix: str, after: int) -> StreamWatcher:
        if after < self._compacted:
            raise CompactedError(after, self._compacted + 1)
        replay: list[Event] = []
        # Scan back from the newest event: a watch usually starts near the head.
        for event in reversed(self._ring):
            if event.kv.mod_revision <= after:
                break
            if event.kv.key.startswith(prefix):
                replay.append(event)
        replay.reverse()
        watcher = StreamWatcher(self, prefix, after, replay, self._watcher_buffer)
        self._by_prefix.setdefault(prefix, set()).add(watcher)
        return watcher

    def discard(self, watcher: StreamWatcher) -> None:
        watchers = self._by_prefix.get(watcher.prefix)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._by_prefix[watcher.prefix]

    def close(self) -> None:
        for watchers in list(self._by_prefix.values()):
            for watcher in list(watchers):
                watcher.finish()
        self._by_prefix.clear()
