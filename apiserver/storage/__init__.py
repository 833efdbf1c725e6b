"""The storage seam: keys, bytes and integer revisions, nothing about Kubernetes.

Modelled on kine's Backend. One global revision counter, strictly increasing; every write
(create, update, delete) takes the next revision. The registry turns revisions into
resourceVersions; `RevisionMismatchError` becomes 409 Conflict, `CompactedError` 410 Expired.

Values are produced by an `encode(revision) -> bytes` callable so that the stored bytes can
carry their own resourceVersion and are serialised once, at write time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Callable, Literal, Protocol

Encoder = Callable[[int], bytes]


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int


@dataclass(frozen=True, slots=True)
class Event:
    """One change. For DELETE, `kv.value` is the last stored value and `kv.mod_revision`
    is the revision of the delete itself."""

    type: Literal["PUT", "DELETE"]
    kv: KeyValue
    prev: KeyValue | None


class StorageError(Exception):
    """Base of the storage errors."""


class KeyExistsError(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key exists: {key}")
        self.key = key


class KeyNotFoundError(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key not found: {key}")
        self.key = key


class RevisionMismatchError(StorageError):
    """The expected revision is not the key's current one; `current` is what is stored."""

    def __init__(self, key: str, current: KeyValue) -> None:
        super().__init__(f"revision mismatch: {key}")
        self.key = key
        self.current = current


class CompactedError(StorageError):
    """The requested revision is older than the retained history."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"compacted: requested {requested}, oldest {oldest}")
        self.requested = requested
        self.oldest = oldest


class Watcher(Protocol):
    """An open watch: iterate for events; `close()` ends it (idempotent)."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def close(self) -> None: ...


class Storage(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def compact(self) -> None:
        """Drop retained history older than the configured window now (normally periodic)."""
        ...

    @property
    def revision(self) -> int:
        """The current (latest committed) global revision; 0 for an empty store."""
        ...

    @property
    def compacted_revision(self) -> int:
        """Events with a revision <= this are no longer retained."""
        ...

    async def get(self, key: str) -> KeyValue | None: ...

    async def list(self, prefix: str) -> tuple[int, list[KeyValue]]:
        """(current revision, every live key under prefix, sorted by key bytes)."""
        ...

    async def create(self, key: str, encode: Encoder) -> KeyValue: ...

    async def update(self, key: str, encode: Encoder, expected_revision: int) -> KeyValue: ...

    async def delete(self, key: str, expected_revision: int) -> KeyValue:
        """Returns the deleted KeyValue with mod_revision = the delete's revision."""
        ...

    def watch(self, prefix: str, after_revision: int) -> Watcher:
        """Every event with revision > after_revision under prefix, in order, then live ones.
        Raises CompactedError at once if after_revision < compacted_revision. A watcher that
        falls too far behind (its bounded buffer is full) is dropped: its iteration raises
        CompactedError, so a slow reader never stalls writers or other watchers."""
        ...


STORAGE_KINDS = ("sqlite", "memory")


def open_storage(kind: str, data_dir: Path, history_revisions: int) -> Storage:
    """The backend for `--storage`: "sqlite" keeps `<data_dir>/minik.db`, "memory" nothing.
    The caller must `await storage.start()` before use and `await storage.close()` after."""
    if kind == "sqlite":
        from apiserver.storage.sqlite import SQLiteStorage

        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return SQLiteStorage(data_dir / "minik.db", history_revisions)
    if kind == "memory":
        from apiserver.storage.memory import MemoryStorage

        return MemoryStorage(history_revisions)
    raise ValueError(f"unknown storage {kind!r}: expected one of {', '.join(STORAGE_KINDS)}")
