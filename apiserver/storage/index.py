"""The live key space held in memory: key -> KeyValue, plus the keys in sorted order.

GET is a dict lookup and LIST is two bisections over the sorted key list, so a LIST costs the
size of its answer, never the size of the store or its history. Python orders `str` by code
point, which is the same order as UTF-8 bytes, so "sorted by key bytes" holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from apiserver.storage import KeyValue

_MAX_CHAR = chr(0x10FFFF)


def prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix`; None if none is."""
    stem = prefix.rstrip(_MAX_CHAR)
    if not stem:
        return None
    return stem[:-1] + chr(ord(stem[-1]) + 1)


class KeyIndex:
    def __init__(self) -> None:
        self._items: dict[str, KeyValue] = {}
        self._keys: list[str] = []

    def __len__(self) -> int:
        return len(self._items)

    def load(self, kvs: Iterable[KeyValue]) -> None:
        self._items = {kv.key: kv for kv in kvs}
        self._keys = sorted(self._items)

    def get(self, key: str) -> KeyValue | None:
        return self._items.get(key)

    def put(self, kv: KeyValue) -> None:
        if kv.key not in self._items:
            bisect.insort(self._keys, kv.key)
        self._items[kv.key] = kv

    def remove(self, key: str) -> None:
        if self._items.pop(key, None) is not None:
            del self._keys[bisect.bisect_left(self._keys, key)]

    def range(self, prefix: str) -> list[KeyValue]:
        """Every live KeyValue whose key starts with `prefix`, in key order."""
        keys = self._keys
        lo = bisect.bisect_left(keys, prefix)
        end = prefix_end(prefix)
        hi = len(keys) if end is None else bisect.bisect_left(keys, end, lo)
        items = self._items
        return [items[k] for k in keys[lo:hi]]
