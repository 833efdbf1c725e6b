"""What client-go's EventCorrelator decides about each event before it is written.

- Aggregation: when one source records the 10th distinct message for the same object, type
  and reason within 10 minutes, the event becomes one aggregate event whose message is
  "(combined from similar events): <latest message>"; later ones bump its count.
- Counting: an event identical to one already written (or an aggregate's successor) bumps
  the count of that Event instead of creating another.
- Spam filter: a source may record 25 events about one object, then one more every 5
  minutes (a token bucket per source and object); the rest are dropped.

So an RC scaled to 1,000 leaves 9 "Created pod: ..." events and one combined event, as a
real controller manager does, and 1,000 pods still get their own Scheduled, Pulled, ...
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from apiserver.resources.base import Obj

CACHE_SIZE = 4096  # client-go's maxLruCacheEntries
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = 600.0
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0
COMBINED_PREFIX = "(combined from similar events): "

K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        items = self._items
        if key in items:
            items.move_to_end(key)
        items[key] = value
        if len(items) > self.size:
            items.popitem(last=False)


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class _Similar:
    messages: set[str]
    last: float


@dataclass(frozen=True)
class Decision:
    """How to write one event: under `key` (identical events share it), with `message`,
    as occurrence number `count` of that key (1: a new Event)."""

    key: tuple[str, ...]
    message: str
    count: int


class Correlator:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._similar: _LRU[tuple[str, ...], _Similar] = _LRU(CACHE_SIZE)
        self._counts: _LRU[tuple[str, ...], int] = _LRU(CACHE_SIZE)
        self._spam: _LRU[tuple[str, ...], _Bucket] = _LRU(CACHE_SIZE)

    def correlate(self, involved: Obj, type_: str, reason: str, message: str, component: str,
                  host: str) -> Decision | None:
        """The write to make, or None when the spam filter drops the event."""
        now = self.clock()
        get = involved.get
        source_object = (component, host, get("kind") or "", get("namespace") or "", get("name") or "",
                         get("uid") or "", get("apiVersion") or "")
        similar_key = source_object + (type_, reason)
        key = source_object + (get("fieldPath") or "", type_, reason, message)
        similar = self._similar.get(similar_key)
        if similar is None or now - similar.last > AGGREGATE_INTERVAL:
            similar = _Similar(set(), now)
        similar.messages.add(message)
        similar.last = now
        self._similar.put(similar_key, similar)
        if len(similar.messages) >= AGGREGATE_MAX_EVENTS:
            similar.messages.pop()  # the set never grows past the limit
            key, message = similar_key, COMBINED_PREFIX + message
        count = (self._counts.get(key) or 0) + 1
        self._counts.put(key, count)  # counted even when filtered below, as client-go does
        return Decision(key, message, count) if self._allow(source_object, now) else None

    def _allow(self, source_object: tuple[str, ...], now: float) -> bool:
        bucket = self._spam.get(source_object)
        if bucket is None:
            bucket = _Bucket(float(SPAM_BURST), now)
        bucket.tokens = min(float(SPAM_BURST), bucket.tokens + (now - bucket.at) * SPAM_QPS)
        bucket.at = now
        self._spam.put(source_object, bucket)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
