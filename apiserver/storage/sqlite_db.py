"""The SQLite file behind SQLiteStorage: schema, batch commits, compaction and start-up load.

Everything here is synchronous and runs on the storage's one writer thread; no other thread
touches the connection. Tables (kine's layout, minus leases):
  log      one row per revision, id = the global revision. A delete row keeps the last value,
           so a replayed DELETE carries it. prev_revision = the key's previous mod revision.
  current  the live state, so start-up never has to fold history
  meta     compacted_revision: log rows at or below it may be gone
A replayed update needs its old value (watch filters compare before and after). An update
normally finds it in its prev_revision row, which compaction keeps while the update is in the
window; when that row may already be compacted away, the update stores it in `old_value`.
Compaction deletes log rows at or below the target in short chunks, with that one exception.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from apiserver.storage import Event, KeyValue, StorageError

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, key TEXT NOT NULL,"
    " created INTEGER NOT NULL, deleted INTEGER NOT NULL, create_revision INTEGER NOT NULL,"
    " prev_revision INTEGER NOT NULL, value BLOB NOT NULL, old_value BLOB)",
    "CREATE TABLE IF NOT EXISTS current (key TEXT PRIMARY KEY, create_revision INTEGER NOT NULL,"
    " mod_revision INTEGER NOT NULL, value BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)
# Multi-row inserts: "VALUES" and the rows' placeholders are added by _insert_many.
_INSERT_LOG = ("INSERT INTO log (id, key, created, deleted, create_revision, prev_revision, value,"
               " old_value)", 8, "")
_UPSERT_CURRENT = ("INSERT INTO current (key, create_revision, mod_revision, value)", 4,
                   " ON CONFLICT(key) DO UPDATE SET create_revision = excluded.create_revision,"
                   " mod_revision = excluded.mod_revision, value = excluded.value")
_DELETE_CURRENT = "DELETE FROM current WHERE key = ?"
_SET_COMPACTED = ("INSERT INTO meta (name, value) VALUES ('compacted_revision', ?)"
                  " ON CONFLICT(name) DO UPDATE SET value = excluded.value")
# Keep a row that a retained update names as its previous version.
_COMPACT_CHUNK = (
    "DELETE FROM log WHERE id IN (SELECT id FROM log WHERE id <= :target AND id NOT IN"
    " (SELECT prev_revision FROM log WHERE id > :target AND created = 0 AND deleted = 0"
    " AND old_value IS NULL) ORDER BY id LIMIT :limit)"
)
_ROW = "id, key, created, deleted, create_revision, prev_revision, value, old_value"
_VACUUM_MIN_FREE = 64  # pages (256 KiB): below this, returning them is not worth a pass
_MAX_ROWS_PER_STATEMENT = 1024  # 8 columns: well under SQLite's 32,766 variables
_IN_CHUNK = 500  # ids per `IN (...)` query, well under SQLite's variable limit

LogRow = tuple[int, str, int, int, int, int, bytes, bytes | None]


@dataclass
class Snapshot:
    """What start-up reads: the head, the compaction floor, live keys, replayable events."""

    revision: int = 0
    compacted: int = 0
    live: list[KeyValue] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def create_private(path: Path) -> None:
    """Create the file readable by its owner only; SQLite gives its -wal/-shm the same mode."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class SQLiteLog:
    def __init__(self, path: Path, synchronous: str, busy_timeout_ms: int) -> None:
        self.path = path
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._compacted = 0  # rows at or below this may be gone

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError("database is not open")
        return self._conn

    def open(self, history: int) -> Snapshot:
        self._lock()
        create_private(self.path)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn = conn
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA temp_store = MEMORY")
        for statement in _SCHEMA:
            conn.execute(statement)
        return self._load(history)

    def _lock(self) -> None:
        """One process per file: two writers would hand out the same revisions."""
        fd = os.open(f"{self.path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StorageError(f"{self.path} is in use by another process") from None
        self._lock_fd = fd

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def commit(self, events: list[Event]) -> None:
        """Append a batch to the log and fold it into `current`, in one transaction."""
        rows: list[LogRow] = []
        final: dict[str, Event] = {}
        for ev in events:
            kv, prev = ev.kv, ev.prev
            deleted = ev.type == "DELETE"
            old = prev.value if prev and not deleted and prev.mod_revision <= self._compacted else None
            rows.append((kv.mod_revision, kv.key, int(prev is None), int(deleted), kv.create_revision,
                         0 if prev is None else prev.mod_revision, kv.value, old))
            final[kv.key] = ev
        live = [(e.kv.key, e.kv.create_revision, e.kv.mod_revision, e.kv.value)
                for e in final.values() if e.type == "PUT"]
        gone = [(e.kv.key,) for e in final.values() if e.type == "DELETE"]
        self._transaction(rows, live, gone)

    def _transaction(self, rows: list[LogRow], live: list[tuple[str, int, int, bytes]],
                     gone: list[tuple[str]]) -> None:
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            _insert_many(conn, _INSERT_LOG, rows)
            _insert_many(conn, _UPSERT_CURRENT, live)
            conn.executemany(_DELETE_CURRENT, gone)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def compact_chunk(self, target: int, limit: int) -> int:
        """Delete up to `limit` compactable rows at or below `target`; returns how many."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            # Recorded first: a crash mid-compaction must not leave a gap above the floor.
            conn.execute(_SET_COMPACTED, (target,))
            deleted = conn.execute(_COMPACT_CHUNK, {"target": target, "limit": limit}).rowcount
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._compacted = max(self._compacted, target)
        return deleted

    def checkpoint(self) -> None:
        """Return free pages to the OS, then empty the WAL file. Free pages are reused by later
        writes anyway; returning them keeps the file's size a function of what it holds."""
        conn = self.conn
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if free >= _VACUUM_MIN_FREE:
            # executescript steps the pragma to the end; execute() would free a single page.
            conn.executescript(f"PRAGMA incremental_vacuum({int(free)});")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def log_rows(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM log").fetchone()[0])

    def _load(self, history: int) -> Snapshot:
        conn = self.conn
        row = conn.execute("SELECT value FROM meta WHERE name = 'compacted_revision'").fetchone()
        compacted = int(row[0]) if row else 0
        self._compacted = compacted
        head_log = conn.execute("SELECT MAX(id) FROM log").fetchone()[0] or 0
        head_live = conn.execute("SELECT MAX(mod_revision) FROM current").fetchone()[0] or 0
        revision = max(compacted, head_log, head_live)
        floor = max(compacted, revision - history)
        rows: list[LogRow] = conn.execute(
            f"SELECT {_ROW} FROM log WHERE id > ? ORDER BY id", (floor,)).fetchall()
        floor, events = _rebuild(floor, rows, self._prev_values(rows))
        if not events or events[-1].kv.mod_revision != revision:
            floor, events = revision, []
        by_revision = {e.kv.mod_revision: e.kv for e in events}
        live = [by_revision.get(mod) or KeyValue(key, value, create, mod)
                for key, create, mod, value in conn.execute(
                    "SELECT key, create_revision, mod_revision, value FROM current")]
        return Snapshot(revision, floor, live, events)

    def _prev_values(self, rows: list[LogRow]) -> dict[int, KeyValue]:
        """The previous versions that the window's updates name, read from the log."""
        known = {r[0] for r in rows}
        wanted = sorted({r[5] for r in rows if not r[2] and not r[3] and r[7] is None} - known)
        found: dict[int, KeyValue] = {}
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i:i + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            for rid, key, create, value in self.conn.execute(
                    f"SELECT id, key, create_revision, value FROM log WHERE id IN ({marks})", chunk):
                found[rid] = KeyValue(key, value, create, rid)
        return found


def _insert_many(conn: sqlite3.Connection, statement: tuple[str, int, str],
                 rows: Sequence[tuple[object, ...]]) -> None:
    """Insert rows with a few multi-row statements rather than one step per row: each step
    lets go of the GIL, and taking it back from a busy event loop can cost a switch interval.
    Chunks are powers of two, so the statements stay few and stay in the statement cache."""
    start = 0
    while start < len(rows):
        size = min(_MAX_ROWS_PER_STATEMENT, 1 << ((len(rows) - start).bit_length() - 1))
        conn.execute(_multi_row(statement, size), [v for row in rows[start:start + size] for v in row])
        start += size


@functools.lru_cache(maxsize=32)
def _multi_row(statement: tuple[str, int, str], rows: int) -> str:
    head, width, tail = statement
    one = f"({', '.join('?' * width)})"
    return f"{head} VALUES {', '.join([one] * rows)}{tail}"


def _rebuild(floor: int, rows: list[LogRow], prevs: dict[int, KeyValue]) -> tuple[int, list[Event]]:
    """Turn log rows into events. Replay must be contiguous and every update needs its old
    value, so a gap or a missing previous version moves the floor past it."""
    events: list[Event] = []
    versions = dict(prevs)
    for rid, key, created, deleted, create, prev_rev, value, old_value in rows:
        expected = events[-1].kv.mod_revision + 1 if events else floor + 1
        if rid != expected:
            events, floor = [], rid - 1
        kv = KeyValue(key, value, create, rid)
        if deleted:
            event = Event("DELETE", kv, versions.get(prev_rev) or KeyValue(key, value, create, prev_rev))
        elif created:
            event = Event("PUT", kv, None)
        elif old_value is not None:
            event = Event("PUT", kv, KeyValue(key, old_value, create, prev_rev))
        elif prev_rev in versions:
            event = Event("PUT", kv, versions[prev_rev])
        else:
            events, floor = [], rid
            versions[rid] = kv
            continue
        versions[rid] = kv
        events.append(event)
    return floor, events
