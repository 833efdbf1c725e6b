"""The front half shared by every local backend: reads, write acceptance, revisions, watch.

A write is accepted on the event loop, one at a time (a single writer, so no locks): it is
checked against the key's latest state, given the next revision, encoded once, and handed
to the backend's `_persist`. Only when `_persist` reports it durable does `_apply` make it
visible: the index changes, the head revision moves and watchers get the event, all in one
synchronous step, so a LIST's revision and a watch started from it always line up.
"""

from __future__ import annotations

import logging
from typing import Literal

from apiserver.storage import (CompactedError, Encoder, Event, KeyExistsError, KeyNotFoundError,
                               KeyValue, RevisionMismatchError, StorageError, Watcher)
from apiserver.storage.index import KeyIndex
from apiserver.storage.watch import WatchHub

log = logging.getLogger(__name__)

Op = Literal["create", "update", "delete"]

DEFAULT_WATCH_BUFFER = 10_000

# Aliases, because the `list` method shadows the builtin inside LogStore's body.
Events = list[Event]
KeyValues = list[KeyValue]


def check_write(op: Op, key: str, current: KeyValue | None, expected_revision: int) -> None:
    """Raise the storage error for a write that does not fit the key's current state."""
    if op == "create":
        if current is not None:
            raise KeyExistsError(key)
        return
    if current is None:
        raise KeyNotFoundError(key)
    if current.mod_revision != expected_revision:
        raise RevisionMismatchError(key, current)


def make_event(op: Op, key: str, current: KeyValue | None, revision: int,
               encode: Encoder | None) -> Event:
    if op == "delete":
        assert current is not None
        # A delete carries the last stored value at the delete's own revision.
        return Event("DELETE", KeyValue(key, current.value, current.create_revision, revision), current)
    assert encode is not None
    value = encode(revision)
    if not isinstance(value, bytes):
        raise TypeError(f"encode() must return bytes, not {type(value).__name__}")
    create_revision = revision if current is None else current.create_revision
    return Event("PUT", KeyValue(key, value, create_revision, revision), current)


class LogStore:
    """Subclasses implement `_persist` (and may widen `_lookup` to include pending writes)."""

    def __init__(self, history_revisions: int, watch_buffer: int) -> None:
        if history_revisions < 0:
            raise ValueError("history_revisions must be >= 0")
        self.history_revisions = history_revisions
        self._index = KeyIndex()
        self._hub = WatchHub(history_revisions, watch_buffer)
        self._assigned = 0  # the last revision handed to an accepted write
        self._closed = False

    @property
    def revision(self) -> int:
        return self._hub.revision

    @property
    def compacted_revision(self) -> int:
        return self._hub.compacted_revision

    async def get(self, key: str) -> KeyValue | None:
        return self._index.get(key)

    async def list(self, prefix: str) -> tuple[int, KeyValues]:
        return self._hub.revision, self._index.range(prefix)

    def watch(self, prefix: str, after_revision: int) -> Watcher:
        if self._closed:
            raise StorageError("storage is closed")
        try:
            return self._hub.watch(prefix, after_revision)
        except CompactedError:
            log.debug("WATCH %s after=%d => compacted at %d", prefix, after_revision,
                      self._hub.compacted_revision)
            raise

    async def create(self, key: str, encode: Encoder) -> KeyValue:
        return await self._write("create", key, encode, 0)

    async def update(self, key: str, encode: Encoder, expected_revision: int) -> KeyValue:
        return await self._write("update", key, encode, expected_revision)

    async def delete(self, key: str, expected_revision: int) -> KeyValue:
        return await self._write("delete", key, None, expected_revision)

    async def _write(self, op: Op, key: str, encode: Encoder | None, expected_revision: int) -> KeyValue:
        if self._closed:
            raise StorageError("storage is closed")
        current = self._lookup(key)
        check_write(op, key, current, expected_revision)
        event = make_event(op, key, current, self._assigned + 1, encode)
        self._assigned = event.kv.mod_revision
        await self._persist(event)
        log.debug("%s %s, expected=%d => rev=%d", op.upper(), key, expected_revision,
                  event.kv.mod_revision)
        return event.kv

    def _lookup(self, key: str) -> KeyValue | None:
        """The key's latest accepted state, which is what a new write is checked against."""
        return self._index.get(key)

    async def _persist(self, event: Event) -> None:
        raise NotImplementedError

    def _load(self, revision: int, compacted: int, live: KeyValues, events: Events) -> None:
        self._index.load(live)
        self._hub.load(revision, compacted, events)
        self._assigned = revision

    def _apply(self, events: Events) -> None:
        """Make durable events visible: index, head revision and watchers, in one step."""
        index = self._index
        for event in events:
            if event.type == "DELETE":
                index.remove(event.kv.key)
            else:
                index.put(event.kv)
        self._hub.publish(events)
