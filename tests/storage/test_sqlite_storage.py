"""SQLiteStorage beyond the shared contract: restart, group commit, compaction, files, failures."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from apiserver.storage import CompactedError, Encoder, Event, StorageError, open_storage
from apiserver.storage.memory import MemoryStorage
from apiserver.storage.sqlite import SQLiteStorage

REPO = Path(__file__).resolve().parents[2]


def run(body: Callable[[], Awaitable[None]], timeout: float = 10.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(body(), timeout)
    asyncio.run(bounded())


def enc(text: str) -> Encoder:
    return lambda revision: f"{text}@{revision}".encode()


async def drain(store: SQLiteStorage, prefix: str, after: int) -> list[Event]:
    """Everything a watch from `after` replays right now."""
    watcher = store.watch(prefix, after)
    events: list[Event] = []
    it = watcher.__aiter__()
    for _ in range(store.revision - after):
        events.append(await asyncio.wait_for(it.__anext__(), 2))
    await watcher.close()
    return events


def shape(events: list[Event]) -> list[tuple[object, ...]]:
    return [(e.type, e.kv, e.prev) for e in events]


def test_restart_restores_state_history_and_revision(tmp_path: Path) -> None:
    path = tmp_path / "minik.db"

    async def first() -> tuple[list[tuple[object, ...]], int]:
        s = SQLiteStorage(path, history_revisions=8)
        await s.start()
        await s.create("/r/a", enc("a"))                        # 1
        await s.create("/r/b", enc("b"))                        # 2
        for rev in (1, 3, 4, 5, 6, 7):
            await s.update("/r/a", enc("a"), rev)               # 3..8
        await s.delete("/r/b", 2)                               # 9
        await s.create("/r/c", enc("c"))                        # 10
        await s.update("/r/c", enc("c2"), 10)                   # 11
        await s.compact()
        assert (s.revision, s.compacted_revision) == (11, 3)
        replay = shape(await drain(s, "/r/", s.compacted_revision))
        await s.close()
        return replay, len(replay)

    async def second(replay: list[tuple[object, ...]]) -> None:
        s = SQLiteStorage(path, history_revisions=8)
        await s.start()
        assert (s.revision, s.compacted_revision) == (11, 3)
        assert [(kv.key, kv.value, kv.create_revision, kv.mod_revision) for kv in (await s.list("/r/"))[1]] == [
            ("/r/a", b"a@8", 1, 8), ("/r/c", b"c2@11", 10, 11)]
        assert shape(await drain(s, "/r/", 3)) == replay
        with pytest.raises(CompactedError):
            s.watch("/r/", 2)
        assert (await s.create("/r/d", enc("d"))).mod_revision == 12
        await s.close()

    replay: list[tuple[object, ...]] = []

    async def both() -> None:
        nonlocal replay
        replay, n = await first()
        assert n == 8
        await second(replay)
    run(both)


def test_restart_replays_update_of_a_long_untouched_key(tmp_path: Path) -> None:
    """The old value of an update whose previous row was already compacted must survive."""
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path, history_revisions=5, compact_interval=0)
        await s.start()
        await s.create("/r/old", enc("old"))                    # 1
        hot = await s.create("/r/hot", enc("hot"))              # 2
        for _ in range(10):
            hot = await s.update("/r/hot", enc("hot"), hot.mod_revision)  # 3..12
        await s.compact()                                       # drops row 1
        await s.update("/r/old", enc("new"), 1)                 # 13
        for _ in range(3):
            hot = await s.update("/r/hot", enc("hot"), hot.mod_revision)  # 14..16
        await s.compact()
        before = shape(await drain(s, "/r/", 11))
        await s.close()
        s = SQLiteStorage(path, history_revisions=5, compact_interval=0)
        await s.start()
        assert (s.revision, s.compacted_revision) == (16, 11)
        after = await drain(s, "/r/", 11)
        assert shape(after) == before
        assert after[1].prev is not None and after[1].prev.value == b"old@1"
        await s.close()
    run(body)


def test_restart_after_compacting_everything(tmp_path: Path) -> None:
    async def body() -> None:
        s = SQLiteStorage(tmp_path / "minik.db", history_revisions=0)
        await s.start()
        kv = await s.create("/k", enc("v"))
        await s.update("/k", enc("w"), kv.mod_revision)
        await s.compact()
        assert await s.log_rows() == 0
        await s.close()
        s = SQLiteStorage(tmp_path / "minik.db", history_revisions=0)
        await s.start()
        assert (s.revision, s.compacted_revision) == (2, 2)
        assert (await s.get("/k")) is not None
        assert (await s.create("/k2", enc("v"))).mod_revision == 3
        await s.close()
    run(body)


def test_group_commit_batches_concurrent_writes(tmp_path: Path) -> None:
    async def body() -> None:
        s = SQLiteStorage(tmp_path / "minik.db")
        await s.start()
        before = s.commits
        await asyncio.gather(*(s.create(f"/g/k{i}", enc("v")) for i in range(200)))
        assert s.committed_writes == 200
        assert 1 <= s.commits - before <= 5  # 200 writers, a handful of transactions
        await s.create("/g/alone", enc("v"))
        assert s.commits - before <= 6
        await s.close()
    run(body)


def test_compaction_bounds_log_and_truncates_wal(tmp_path: Path) -> None:
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path, history_revisions=20, compact_interval=0)
        await s.start()
        for i in range(10):
            await s.create(f"/c/k{i}", enc("v"))
        revs = {f"/c/k{i}": i + 1 for i in range(10)}
        for _ in range(30):
            for key, rev in revs.items():
                revs[key] = (await s.update(key, enc("v"), rev)).mod_revision
        assert await s.log_rows() == 310
        await s.compact()
        assert s.compacted_revision == s.revision - 20
        # The window, plus at most one previous version per update in it.
        assert 20 <= await s.log_rows() <= 40
        assert os.path.getsize(f"{path}-wal") == 0
        await s.close()
    run(body)


def test_compaction_keeps_up_with_churn_without_waiting_for_its_interval(tmp_path: Path) -> None:
    """A write rate above what one pass per interval clears must not grow the file: once
    the backlog below the window reaches 500 rows a pass starts at once, and it returns the
    freed pages, so the file holds about what the window holds."""
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path, history_revisions=20, compact_interval=3600)
        await s.start()
        big = "x" * 2000  # a page's worth per row, so deleted rows leave whole pages free
        revs = dict(zip((f"/c/k{i}" for i in range(100)),
                        [kv.mod_revision for kv in await asyncio.gather(
                            *(s.create(f"/c/k{i}", enc(big)) for i in range(100)))]))
        for _ in range(6):  # 700 rows, far past the window and the 500-row backlog
            done = await asyncio.gather(*(s.update(k, enc(big), r) for k, r in revs.items()))
            revs = {kv.key: kv.mod_revision for kv in done}
        for _ in range(100):
            if await s.log_rows() <= 200:
                break
            await asyncio.sleep(0.05)
        # The window, at most one previous version per update in it, and what arrived since.
        assert await s.log_rows() <= 200
        await s.compact()  # settles the last rows; the pages they held go back to the OS
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA freelist_count").fetchone()[0] < 64
        await s.close()
    run(body)


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path)
        await s.start()
        await s.create("/k", enc("v"))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
        await s.close()
    run(body)


def test_failed_commit_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path, busy_timeout_ms=50)
        await s.start()
        kv = await s.create("/k", enc("v"))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
        try:
            results = await asyncio.gather(s.update("/k", enc("w"), kv.mod_revision),
                                           s.create("/k2", enc("v")), return_exceptions=True)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert all(isinstance(r, StorageError) for r in results)
        assert s.revision == 1 and await s.get("/k") == kv and await s.get("/k2") is None
        again = await s.update("/k", enc("w"), kv.mod_revision)
        assert again.mod_revision == 2  # no gap where the failed writes were
        await s.close()
        s = SQLiteStorage(path)
        await s.start()
        assert s.revision == 2 and await s.get("/k") == again and await s.get("/k2") is None
        await s.close()
    run(body)


def test_writes_queued_behind_a_failed_commit_fail_with_it(tmp_path: Path) -> None:
    """A write accepted while a failing commit is in flight was checked against the failing
    writes, so it must fail too, and nothing may commit in its place; later writes continue
    from the last committed revision."""
    path = tmp_path / "minik.db"

    async def body() -> None:
        s = SQLiteStorage(path, busy_timeout_ms=300)
        await s.start()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the next commit waits 300 ms for the lock, then fails
        try:
            first = asyncio.ensure_future(s.create("/a", enc("v")))
            await asyncio.sleep(0.1)  # the first commit is now waiting on the lock
            behind = asyncio.ensure_future(s.update("/a", enc("w"), 1))  # depends on the first
            results = await asyncio.gather(first, behind, return_exceptions=True)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert all(isinstance(r, StorageError) for r in results), results
        assert s.revision == 0 and await s.get("/a") is None
        assert (await s.create("/b", enc("v"))).mod_revision == 1
        await s.close()
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT id, key FROM log").fetchall() == [(1, "/b")]
    run(body)


def test_one_process_per_file(tmp_path: Path) -> None:
    async def body() -> None:
        s = SQLiteStorage(tmp_path / "minik.db")
        await s.start()
        with pytest.raises(StorageError):
            await SQLiteStorage(tmp_path / "minik.db").start()
        await s.close()
        s = SQLiteStorage(tmp_path / "minik.db")  # released on close
        await s.start()
        await s.close()
    run(body)


def test_the_file_can_be_read_before_the_loop_runs(tmp_path: Path) -> None:
    """open_early() loads on the writer thread with no event loop yet; start() takes that load
    (and its errors: a second opener is refused the file at start, as without it)."""
    path = tmp_path / "minik.db"

    async def fill() -> None:
        s = SQLiteStorage(path)
        await s.start()
        await s.create("/r/a", enc("a"))
        await s.close()
    run(fill)
    early = SQLiteStorage(path)
    early.open_early()
    second = SQLiteStorage(path)

    async def body() -> None:
        await early.start()
        second.open_early()  # only once `early` holds the file: which one wins is not the point
        with pytest.raises(StorageError):
            await second.start()
        kv = await early.get("/r/a")
        assert early.revision == 1 and kv is not None and kv.value == b"a@1"
        await early.create("/r/b", enc("b"))
        await early.close()
    run(body)


def test_open_storage_factory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = open_storage("sqlite", data_dir, 100)
    assert isinstance(store, SQLiteStorage) and store.path == data_dir / "minik.db"
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert isinstance(open_storage("memory", data_dir, 100), MemoryStorage)
    with pytest.raises(ValueError):
        open_storage("etcd", data_dir, 100)


_WRITER = textwrap.dedent("""
    import asyncio, sys
    from apiserver.storage.sqlite import SQLiteStorage

    async def main():
        s = SQLiteStorage(sys.argv[1])
        await s.start()
        i = 0
        while True:
            await asyncio.gather(*(s.create(f"/k/{i + j:06d}", lambda r: b"v") for j in range(4)))
            i += 4
            print(i, flush=True)

    asyncio.run(main())
""")


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "minik.db"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    acked = 0
    watchdog = threading.Timer(20, proc.kill)  # ends the read loop if the writer hangs
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            acked = int(line)
            if acked >= 200:
                break
    finally:
        watchdog.cancel()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert acked >= 200

    async def body() -> None:
        s = SQLiteStorage(path)
        await s.start()
        _, items = await s.list("/k/")
        assert len(items) >= acked and s.revision == len(items)
        assert [kv.key for kv in items[:acked]] == [f"/k/{i:06d}" for i in range(acked)]
        await s.close()
    run(body)
