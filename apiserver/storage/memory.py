"""MemoryStorage: the Storage contract with nothing on disk (`--storage memory`).

Same revisions, errors, LIST order and watch semantics as SQLiteStorage; a write is durable
the moment it is accepted, and history is the in-memory ring of the last `history_revisions`
events. Everything is lost when the process ends.
"""

from __future__ import annotations

import asyncio

from apiserver.storage import Event
from apiserver.storage.logstore import DEFAULT_WATCH_BUFFER, LogStore


class MemoryStorage(LogStore):
    def __init__(self, history_revisions: int = 5000, *, watch_buffer: int = DEFAULT_WATCH_BUFFER) -> None:
        super().__init__(history_revisions, watch_buffer)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._closed = True
        self._hub.close()

    async def compact(self) -> None:
        """Nothing to do: the ring drops events beyond the window as they are written."""
        return None

    async def _persist(self, event: Event) -> None:
        self._apply([event])
        # Yield once, as a disk write would: a writer in a tight loop must not starve the
        # watchers and requests sharing the event loop.
        await asyncio.sleep(0)
