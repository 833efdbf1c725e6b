"""Expectations: the creations and deletions a controller has asked for and not yet seen.

A replica manager records what it is about to do before doing it; the informer's events
then count the writes down. Until they are all seen (or a TTL passes, in case an event was
lost), a new sync only refreshes status and does not create or delete again, since the cache
does not show those writes yet. Deletions are tracked by pod uid, so the graceful-delete
update and the final DELETED event of one pod count once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

EXPECTATIONS_TTL = 300.0  # kube's ExpectationsTimeout


@dataclass
class _Record:
    adds: int = 0
    deletes: set[str] = field(default_factory=set)
    since: float = field(default_factory=time.monotonic)


class Expectations:
    def __init__(self, ttl: float = EXPECTATIONS_TTL) -> None:
        self.ttl = ttl
        self._records: dict[str, _Record] = {}

    def expect(self, key: str, *, adds: int = 0, delete_uids: set[str] | None = None) -> None:
        self._records[key] = _Record(adds, set(delete_uids or ()))

    def observe_add(self, key: str) -> None:
        rec = self._records.get(key)
        if rec is not None and rec.adds > 0:
            rec.adds -= 1

    def lower_adds(self, key: str, count: int) -> None:
        """Creations that were skipped or failed will never be observed."""
        for _ in range(count):
            self.observe_add(key)

    def observe_delete(self, key: str, uid: str) -> None:
        rec = self._records.get(key)
        if rec is not None:
            rec.deletes.discard(uid)

    def satisfied(self, key: str) -> bool:
        rec = self._records.get(key)
        if rec is None:
            return True
        if rec.adds <= 0 and not rec.deletes:
            return True
        return time.monotonic() - rec.since > self.ttl

    def pending(self, key: str) -> tuple[int, int]:
        rec = self._records.get(key)
        return (0, 0) if rec is None else (rec.adds, len(rec.deletes))

    def forget(self, key: str) -> None:
        self._records.pop(key, None)
