"""SQLiteStorage: the default backend, a kine-style revision log in one SQLite file.

Reads never touch the disk: the live state and the recent events are kept in memory (see
logstore.py), loaded from the file at start. Writes go through one writer thread with group
commit: a write is accepted on the event loop (checked against the latest accepted state,
pending writes included, and given its revision), queued, and its caller waits until the
transaction holding it commits. Writes that arrive while a commit is in flight are batched
into the next one, so N waiting writers cost about one fsync, not N.

Why a thread and not the event loop: with synchronous=FULL every commit waits for an fsync
(milliseconds); the sqlite3 module releases the GIL meanwhile, so the loop keeps serving reads,
watches and accepting the next batch. The single thread is also the single writer, so the
connection needs no locking.

If a commit fails, every write in it and every write queued behind it (they may depend on it)
fails; nothing of them becomes visible, and revisions restart from the last committed one.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from apiserver.storage import Event, KeyValue, StorageError
from apiserver.storage.logstore import DEFAULT_WATCH_BUFFER, LogStore
from apiserver.storage.sqlite_db import Snapshot, SQLiteLog

log = logging.getLogger(__name__)

T = TypeVar("T")

_MAX_BATCH = 2000  # writes per transaction, so one commit never holds the writer for long
_DRAIN_BATCHES = 8  # transactions per turn of the writer thread
_COMPACT_CHUNK = 500  # log rows deleted per compaction transaction
# A pass also starts, without waiting for the interval, once this share of the window has
# fallen out of it on disk: the file's high-water mark then follows the window, not the rate.
_COMPACT_EARLY_FRACTION = 0.1
_MAX_COMPACT_CHUNKS = 10_000  # per pass; whatever is left waits for the next pass
_CLOSE_TIMEOUT = 30.0
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")

Pending = tuple[Event, "asyncio.Future[None]"]


class SQLiteStorage(LogStore):
    def __init__(self, path: Path | str, history_revisions: int = 5000, *,
                 synchronous: str = "FULL", busy_timeout_ms: int = 5000,
                 watch_buffer: int = DEFAULT_WATCH_BUFFER, compact_interval: float = 5.0) -> None:
        super().__init__(history_revisions, watch_buffer)
        if synchronous.upper() not in _SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {', '.join(_SYNCHRONOUS)}")
        self.path = Path(path)
        self._db = SQLiteLog(self.path, synchronous.upper(), busy_timeout_ms)
        self._compact_interval = compact_interval
        self._executor: ThreadPoolExecutor | None = None
        self._opening: Future[Snapshot] | None = None
        self._pending: list[Pending] = []
        # Accepted but not yet committed state per key: (revision, value or None if deleted).
        self._overlay: dict[str, tuple[int, KeyValue | None]] = {}
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._compactor: asyncio.Task[None] | None = None
        self._compact_lock = asyncio.Lock()
        self._compact_due = asyncio.Event()
        self._compact_backlog = max(_COMPACT_CHUNK, int(history_revisions * _COMPACT_EARLY_FRACTION))
        self._disk_compacted = 0
        self._transactions = 0  # every write transaction, compaction included
        self._checkpointed_at = 0
        self.commits = 0  # committed write batches; fewer than writes when group commit works
        self.committed_writes = 0

    def open_early(self) -> None:
        """Start reading the file on the writer thread now, before any event loop runs: the
        load (SQLite releases the GIL while it reads) then overlaps the rest of start-up, such
        as imports. `start()` waits for it; without this call, `start()` begins it."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minik-sqlite")
            self._opening = self._executor.submit(self._db.open, self.history_revisions)

    async def start(self) -> None:
        self.open_early()
        assert self._opening is not None
        try:
            snap = await asyncio.wrap_future(self._opening)
        except BaseException:
            await self._shutdown_thread()
            raise
        self._load(snap.revision, snap.compacted, snap.live, snap.events)
        self._disk_compacted = snap.compacted
        log.info("opened %s at revision %d (%d keys, compacted at %d)", self.path, snap.revision,
                 len(snap.live), snap.compacted)
        self._flusher = asyncio.create_task(self._flush_loop(), name="minik-sqlite-flush")
        if self._compact_interval > 0:
            self._compactor = asyncio.create_task(self._compact_loop(), name="minik-sqlite-compact")

    async def close(self) -> None:
        """Finish the writes already accepted, end every watch, and close the file."""
        if self._closed:
            return
        self._closed = True
        if self._compactor is not None:
            self._compactor.cancel()
            await asyncio.gather(self._compactor, return_exceptions=True)
        self._wake.set()
        if self._flusher is not None:
            try:
                await asyncio.wait_for(self._flusher, _CLOSE_TIMEOUT)
            except asyncio.TimeoutError:
                log.error("closing %s: pending writes did not finish", self.path)
        self._hub.close()
        await self._shutdown_thread()

    async def _shutdown_thread(self) -> None:
        if self._executor is None:
            return
        try:
            await self._run(self._db.close)
        finally:
            self._executor.shutdown(wait=False)
            self._executor = None

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        if self._executor is None:
            raise StorageError("storage is not started")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- writes ------------------------------------------------------------------------------

    def _lookup(self, key: str) -> KeyValue | None:
        pending = self._overlay.get(key)
        return pending[1] if pending is not None else self._index.get(key)

    async def _persist(self, event: Event) -> None:
        if self._flusher is None or self._flusher.done():
            raise StorageError("storage is not running")
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((event, fut))
        kv = event.kv
        self._overlay[kv.key] = (kv.mod_revision, None if event.type == "DELETE" else kv)
        self._wake.set()
        await fut

    async def _flush_loop(self) -> None:
        try:
            await self._flush_batches()
        except BaseException as exc:  # never leave a caller waiting on a dead writer
            self._abort([], exc if isinstance(exc, Exception) else StorageError("writer stopped"))
            raise

    async def _flush_batches(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending or not self._closed:
            if not self._pending:
                await self._wake.wait()
                self._wake.clear()
                continue
            await self._run(self._drain, loop)

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the writer thread: commit the pending writes batch after batch, handing each
        batch back to the loop as it commits, so the next commit starts at once rather than
        when the busy loop gets round to it. At most _DRAIN_BATCHES, so that compaction, queued
        on the same thread, gets its turn. The loop only appends to `_pending` meanwhile."""
        for _ in range(_DRAIN_BATCHES):
            batch = self._pending[:_MAX_BATCH]
            if not batch:
                return
            del self._pending[:len(batch)]
            try:
                self._db.commit([event for event, _ in batch])
            except Exception as exc:  # the disk said no: fail the batch and all behind it
                loop.call_soon_threadsafe(self._abort, batch, exc)
                return  # nothing more commits until the loop has failed what was queued
            loop.call_soon_threadsafe(self._committed, batch)

    def _committed(self, batch: list[Pending]) -> None:
        """On the loop, in commit order: make a committed batch visible, then wake its writers."""
        self.commits += 1
        self.committed_writes += len(batch)
        self._transactions += 1
        self._apply([event for event, _ in batch])
        self._settle(batch)
        if self._hub.compacted_revision - self._disk_compacted >= self._compact_backlog:
            self._compact_due.set()

    def _settle(self, batch: list[Pending]) -> None:
        for event, fut in batch:
            key = event.kv.key
            pending = self._overlay.get(key)
            if pending is not None and pending[0] == event.kv.mod_revision:
                del self._overlay[key]
            if not fut.done():
                fut.set_result(None)

    def _abort(self, batch: list[Pending], exc: Exception) -> None:
        failed = batch + self._pending
        self._pending = []
        self._overlay.clear()
        self._assigned = self._hub.revision
        if not failed:
            return
        log.error("commit of %d writes to %s failed: %s", len(failed), self.path, exc)
        error = StorageError(f"commit failed: {exc}")
        for _, fut in failed:
            if not fut.done():
                fut.set_exception(error)

    # -- compaction ----------------------------------------------------------------------------

    async def _compact_loop(self) -> None:
        while not self._closed:
            early = True
            try:
                async with asyncio.timeout(self._compact_interval):
                    await self._compact_due.wait()
            except TimeoutError:
                early = False
            self._compact_due.clear()
            try:
                # An early pass only deletes rows (later writes reuse their pages); returning
                # pages and emptying the WAL waits for the interval, off the busy write path.
                await self.compact(checkpoint=not early)
            except Exception:
                log.exception("compacting %s failed", self.path)

    async def compact(self, checkpoint: bool = True) -> None:
        """Drop log rows below the replay window in short transactions, then (`checkpoint`)
        return free pages and shrink the WAL."""
        async with self._compact_lock:
            target = self._hub.compacted_revision
            if target > self._disk_compacted:
                deleted = 0
                for _ in range(_MAX_COMPACT_CHUNKS):
                    n = await self._run(self._db.compact_chunk, target, _COMPACT_CHUNK)
                    self._transactions += 1
                    deleted += n
                    if n < _COMPACT_CHUNK:
                        break
                self._disk_compacted = target
                log.debug("COMPACT %s to %d => %d rows", self.path, target, deleted)
            if checkpoint and self._transactions != self._checkpointed_at:
                await self._run(self._db.checkpoint)
                self._checkpointed_at = self._transactions

    async def log_rows(self) -> int:
        """Rows in the revision log (for tests and diagnostics)."""
        return await self._run(self._db.log_rows)
