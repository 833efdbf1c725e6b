"""Table rows for LIST, precomputed once per stored object version.

A Table LIST of 10,000 pods must not parse 10,000 objects and run every column each time.
So each row is built once per (key, revision) and kept as serialised bytes; a request only
splices in the cells that depend on the clock (AGE, "5m ago"...) and the row's object.

Which cells depend on the clock is found, not declared: each cell is evaluated at `now` and
at `now` + a long shift; a cell that answers differently is a clock cell. For those, the
fields the cell reads are recorded (a dict that logs its reads), copied into a small "slim"
object, and checked to give the same answers; at request time the cell runs on the slim
object only. Equal slim objects give equal answers, so one request computes each distinct
one once (pods created in the same second share their AGE cell).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

import orjson

from apiserver.resources.base import Column, Obj, ResourceType
from apiserver.storage import KeyValue

_SHIFT = timedelta(days=400, hours=1, minutes=1, seconds=1)
_SENTINEL = orjson.dumps(f"\x00minik-clock-cell-{os.urandom(8).hex()}\x00")
_MAX_ROWS = 30_000  # cached rows across all kinds (~1 KB each); beyond it the cache restarts

Path = tuple[Any, ...]


@dataclass(slots=True)
class CachedRow:
    revision: int
    # The row's JSON up to its object, split where the clock cells go: `{"cells":[..`, then
    # one piece after each clock cell; the last piece ends the cells array and is followed,
    # in the same bytes, by the default (includeObject=Metadata) object and the closing brace.
    parts: list[bytes]
    last_end: int  # where the cells end in parts[-1]
    # Per clock cell: the column and its memo key: the column's index and the slim object's
    # JSON, which is all the cell needs (parsed again only when a request misses the memo).
    clock: list[tuple[Column, bytes]]


_rows: dict[str, CachedRow] = {}


def cached_row(rt: ResourceType, kv: KeyValue, obj: Obj | None, now: datetime) -> CachedRow:
    """The row of this object version, built on first use (`obj` saves a parse if at hand)."""
    row = _rows.get(kv.key)
    if row is not None and row.revision == kv.mod_revision:
        return row
    if len(_rows) >= _MAX_ROWS:
        _rows.clear()
    row = _rows[kv.key] = _build(rt, kv.mod_revision, obj if obj is not None else orjson.loads(kv.value), now)
    return row


def _build(rt: ResourceType, revision: int, obj: Obj, now: datetime) -> CachedRow:
    later = now + _SHIFT
    cells: list[Any] = []
    clock: list[tuple[Column, bytes]] = []
    for i, col in enumerate(rt.columns):
        value = col.cell(obj, now)
        if value != col.cell(obj, later):
            slim = _slim(col, obj, now, later, value)
            clock.append((col, i.to_bytes(2, "big") + orjson.dumps(slim, option=orjson.OPT_SORT_KEYS)))
            value = orjson.Fragment(_SENTINEL)  # marks the place, split on below
        cells.append(value)
    encoded = orjson.dumps(cells)
    metadata = orjson.dumps({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj.get("metadata") or {}})
    parts = (b'{"cells":' + encoded).split(_SENTINEL)
    last_end = len(parts[-1])
    parts[-1] += b',"object":' + metadata + b"}"
    return CachedRow(revision, parts, last_end, clock)


def _clock_cell(col: Column, key: bytes, now: datetime) -> bytes:
    return orjson.dumps(col.cell(orjson.loads(key[2:]), now))


def rows_json(rt: ResourceType, kvs: Sequence[KeyValue], objs: Sequence[Obj | None], now: datetime,
              include: str) -> list[bytes]:
    """The pieces of the Table's rows, comma-separated, to be joined once by the caller."""
    memo: dict[bytes, bytes] = {}
    out: list[bytes] = []
    append = out.append
    rows = _rows
    for i, kv in enumerate(kvs):
        row = rows.get(kv.key)
        if row is None or row.revision != kv.mod_revision:
            row = cached_row(rt, kv, objs[i], now)
        if i:
            append(b",")
        clock = row.clock
        parts = row.parts
        if clock:
            append(parts[0])
            for j, (col, key) in enumerate(clock):
                cell = memo.get(key)
                if cell is None:
                    cell = memo[key] = _clock_cell(col, key, now)
                append(cell)
                if j + 1 < len(clock):
                    append(parts[j + 1])
        if include == "Metadata":
            append(parts[-1])
        else:
            append(parts[-1][:row.last_end])
            append(b',"object":' + (kv.value if include == "Object" else b"null") + b"}")
    return out


# -- slim objects ---------------------------------------------------------------------------


class _Reads(dict):  # type: ignore[type-arg]
    """A copy of a dict that logs the paths read through it: (path, "value"|"dict"|"nonempty")."""

    def __init__(self, data: dict[Any, Any], path: Path, log: set[tuple[Path, str]]) -> None:
        super().__init__(data)
        self._path, self._log = path, log

    def _read(self, key: Any, value: Any) -> Any:
        path = self._path + (key,)
        if isinstance(value, dict):
            self._log.add((path, "dict"))
            return _Reads(value, path, self._log)
        self._log.add((path, "value"))
        return value

    def __getitem__(self, key: Any) -> Any:
        return self._read(key, dict.__getitem__(self, key))

    def get(self, key: Any, default: Any = None) -> Any:
        return self._read(key, dict.__getitem__(self, key)) if dict.__contains__(self, key) else default

    def __contains__(self, key: object) -> bool:
        found = dict.__contains__(self, key)
        if found:
            self._log.add((self._path + (key,), "value"))
        return found

    def __bool__(self) -> bool:
        self._log.add((self._path, "nonempty"))
        return dict.__len__(self) > 0

    def _whole(self) -> None:
        self._log.add((self._path, "value"))

    def __len__(self) -> int:
        self._whole()
        return dict.__len__(self)

    def __iter__(self) -> Any:
        self._whole()
        return dict.__iter__(self)

    def keys(self) -> Any:
        self._whole()
        return dict.keys(self)

    def items(self) -> Any:
        self._whole()
        return dict.items(self)

    def values(self) -> Any:
        self._whole()
        return dict.values(self)


def _at(obj: Any, path: Path) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _slim(col: Column, obj: Obj, now: datetime, later: datetime, value: Any) -> Obj:
    """The smallest part of `obj` the cell reads, or `obj` itself if that cannot be shown."""
    log: set[tuple[Path, str]] = set()
    try:
        col.cell(_Reads(obj, (), log), now)
        col.cell(_Reads(obj, (), log), later)
        slim = _extract(obj, log)
        if col.cell(slim, now) == value and col.cell(slim, later) == col.cell(obj, later):
            return slim
    except Exception:  # a cell that does not like being watched keeps its whole object
        pass
    return obj


def _extract(obj: Obj, log: set[tuple[Path, str]]) -> Obj:
    if ((), "value") in log:
        return obj
    slim: Obj = {}
    whole: list[Path] = []
    for path, mode in sorted(log, key=lambda e: len(e[0])):
        if not path or any(path[:len(w)] == w for w in whole):
            continue  # an ancestor is already copied whole
        parent = _at(slim, path[:-1])
        if mode == "value":
            parent[path[-1]] = _at(obj, path)
            whole.append(path)
        elif path[-1] not in parent:
            parent[path[-1]] = {}
    for path, mode in log:
        if mode == "nonempty" and not any(path[:len(w)] == w for w in whole):
            original, copy = _at(obj, path), _at(slim, path)
            if original and not copy:
                first = next(iter(original))
                copy[first] = original[first]
    return slim
