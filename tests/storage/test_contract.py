"""The Storage contract, run against every backend (SQLite on a real file under tmp_path)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from apiserver.storage import (CompactedError, Encoder, Event, KeyExistsError, KeyNotFoundError,
                               RevisionMismatchError, Storage, StorageError, Watcher)
from apiserver.storage.memory import MemoryStorage
from apiserver.storage.sqlite import SQLiteStorage

Opener = Callable[..., Storage]


@pytest.fixture(params=["memory", "sqlite"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    def make(**options: Any) -> Storage:
        if request.param == "memory":
            return MemoryStorage(**options)
        return SQLiteStorage(tmp_path / "minik.db", **options)
    return make


def run(body: Callable[[], Awaitable[None]], timeout: float = 10.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(body(), timeout)
    asyncio.run(bounded())


@asynccontextmanager
async def started(store: Storage) -> AsyncIterator[Storage]:
    await store.start()
    try:
        yield store
    finally:
        await store.close()


def enc(text: str) -> Encoder:
    """Values carry their own revision, as the registry's resourceVersion does."""
    return lambda revision: f"{text}@{revision}".encode()


async def take(watcher: Watcher, n: int, timeout: float = 5.0) -> list[Event]:
    events: list[Event] = []
    it = watcher.__aiter__()
    for _ in range(n):
        events.append(await asyncio.wait_for(it.__anext__(), timeout))
    return events


def summary(events: list[Event]) -> list[tuple[str, str, int]]:
    return [(e.type, e.kv.key, e.kv.mod_revision) for e in events]


def test_create_get_list_update_delete(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            kv = await s.create("/r/a", enc("one"))
            assert (kv.value, kv.create_revision, kv.mod_revision) == (b"one@1", 1, 1)
            assert await s.get("/r/a") == kv
            assert await s.get("/r/missing") is None
            up = await s.update("/r/a", enc("two"), expected_revision=1)
            assert (up.value, up.create_revision, up.mod_revision) == (b"two@2", 1, 2)
            assert await s.list("/r/") == (2, [up])
            gone = await s.delete("/r/a", expected_revision=2)
            assert (gone.value, gone.create_revision, gone.mod_revision) == (b"two@2", 1, 3)
            assert await s.get("/r/a") is None
            assert await s.list("/r/") == (3, [])
            again = await s.create("/r/a", enc("three"))
            assert (again.create_revision, again.mod_revision) == (4, 4)
            assert s.revision == 4
    run(body)


def test_revisions_are_global_and_strictly_increasing(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            assert s.revision == 0
            seen = []
            for i in range(10):
                kv = await s.create(f"/kind{i % 3}/k{i}", enc("v"))
                seen.append(kv.mod_revision)
                assert s.revision == kv.mod_revision
            assert seen == list(range(1, 11))
            revs = [(await s.update(f"/kind{i % 3}/k{i}", enc("w"), i + 1)).mod_revision for i in range(10)]
            assert revs == list(range(11, 21))
    run(body)


def test_write_errors(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            kv = await s.create("/r/a", enc("one"))
            with pytest.raises(KeyExistsError):
                await s.create("/r/a", enc("again"))
            with pytest.raises(KeyNotFoundError):
                await s.update("/r/b", enc("x"), 1)
            with pytest.raises(KeyNotFoundError):
                await s.delete("/r/b", 1)
            with pytest.raises(RevisionMismatchError) as mismatch:
                await s.update("/r/a", enc("stale"), 99)
            assert mismatch.value.current == kv
            with pytest.raises(RevisionMismatchError):
                await s.delete("/r/a", 0)
            # Rejected writes consume no revision and change nothing.
            assert s.revision == 1 and await s.get("/r/a") == kv
            assert (await s.create("/r/c", enc("c"))).mod_revision == 2
    run(body)


def test_encoder_failure_changes_nothing(open_store: Opener) -> None:
    def broken(revision: int) -> bytes:
        raise ValueError("cannot encode")

    async def body() -> None:
        async with started(open_store()) as s:
            with pytest.raises(ValueError):
                await s.create("/r/a", broken)
            assert await s.get("/r/a") is None
            assert (await s.create("/r/a", enc("ok"))).mod_revision == 1
    run(body)


def test_list_sorted_by_key_and_prefix_isolated(open_store: Opener) -> None:
    keys = ["/a/x", "/a/b", "/ab/x", "/a", "/a/é", "/a/Z", "/a/a/deep", "/b/x", "/a0"]
    async def body() -> None:
        async with started(open_store()) as s:
            for key in random.Random(7).sample(keys, len(keys)):
                await s.create(key, enc(key))
            rev, items = await s.list("/a/")
            assert rev == len(keys)
            got = [kv.key for kv in items]
            assert got == sorted((k for k in keys if k.startswith("/a/")), key=lambda k: k.encode())
            assert "/ab/x" not in got and "/a" not in got
            assert [kv.key for kv in (await s.list(""))[1]] == sorted(keys, key=lambda k: k.encode())
            assert (await s.list("/zz/"))[1] == []
            ab = await s.get("/a/b")
            assert ab is not None
            await s.delete("/a/b", ab.mod_revision)
            assert "/a/b" not in [kv.key for kv in (await s.list("/a/"))[1]]
    run(body)


def test_list_many_keys_by_prefix(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            await asyncio.gather(*(s.create(f"/pods/ns{i % 4}/p{i:05d}", enc("p")) for i in range(2000)))
            rev, items = await s.list("/pods/ns1/")
            assert rev == 2000 and len(items) == 500
            assert [kv.key for kv in items] == sorted(kv.key for kv in items)
            assert all(kv.key.startswith("/pods/ns1/") for kv in items)
    run(body)


def test_watch_replays_then_streams_in_order(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            await s.create("/w/a", enc("a1"))                  # 1
            await s.create("/other/x", enc("x"))               # 2
            await s.update("/w/a", enc("a2"), 1)               # 3
            await s.create("/w/b", enc("b1"))                  # 4
            watcher = s.watch("/w/", 1)
            writes = [s.update("/w/b", enc("b2"), 4), s.create("/w/c", enc("c1")),
                      s.create("/wx/no", enc("no"))]
            await asyncio.gather(*writes)                      # 5, 6, 7 in some order
            await s.delete("/w/a", 3)                          # 8
            events = await take(watcher, 5)
            revs = [e.kv.mod_revision for e in events]
            assert revs == sorted(revs) and len(set(revs)) == 5
            assert revs[:2] == [3, 4] and revs[-1] == 8
            assert [e.kv.key for e in events[:2]] == ["/w/a", "/w/b"]
            assert all(e.kv.key.startswith("/w/") for e in events)
            assert events[0].prev is not None and events[0].prev.value == b"a1@1"
            assert events[1].prev is None
            await watcher.close()
    run(body)


def test_watch_boundary_has_no_gap_or_duplicate(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            async def chain(c: int) -> None:
                for i in range(15):
                    await s.create(f"/w/c{c}k{i}", enc("v"))

            writers = asyncio.gather(*(chain(c) for c in range(4)))  # revisions 1..60
            watchers = [(0, s.watch("/w/", 0))]
            for _ in range(100_000):  # open a watch at each new head while writes are in flight
                if writers.done():
                    break
                if s.revision != watchers[-1][0]:
                    watchers.append((s.revision, s.watch("/w/", s.revision)))
                await asyncio.sleep(0)
            await writers
            assert len({start for start, _ in watchers}) > 3  # the watches began at many points
            await s.create("/w/last", enc("v"))  # 61: must follow 60 directly
            for start, w in watchers:
                revs = [e.kv.mod_revision for e in await take(w, 61 - start)]
                assert revs == list(range(start + 1, 62))
                await w.close()
    run(body)


def test_watch_from_compacted_revision_raises(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store(history_revisions=5)) as s:
            await s.create("/c/k", enc("v"))
            for rev in range(1, 20):
                await s.update("/c/k", enc("v"), rev)
            await s.compact()
            assert s.revision == 20 and s.compacted_revision == 15
            with pytest.raises(CompactedError) as err:
                s.watch("/c/", 3)
            assert err.value.requested == 3 and err.value.oldest == 16
            watcher = s.watch("/c/", 15)
            assert [e.kv.mod_revision for e in await take(watcher, 5)] == [16, 17, 18, 19, 20]
            await watcher.close()
    run(body)


def test_slow_watcher_dropped_without_blocking(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store(watch_buffer=10)) as s:
            slow = s.watch("/s/", 0)
            fast = s.watch("/s/", 0)
            reader = asyncio.create_task(take(fast, 50))
            for i in range(50):
                await asyncio.wait_for(s.create(f"/s/k{i:02d}", enc("v")), 2)
            got = await reader
            assert [e.kv.mod_revision for e in got] == list(range(1, 51))
            with pytest.raises(CompactedError):
                await asyncio.wait_for(slow.__aiter__().__anext__(), 2)
            await slow.close()
            await fast.close()
    run(body)


def test_delete_event_carries_last_value_and_its_revision(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            await s.create("/d/a", enc("first"))
            await s.update("/d/a", enc("last"), 1)
            watcher = s.watch("/d/", 2)
            await s.delete("/d/a", 2)
            (event,) = await take(watcher, 1)
            assert event.type == "DELETE"
            assert (event.kv.value, event.kv.mod_revision, event.kv.create_revision) == (b"last@2", 3, 1)
            assert event.prev is not None and event.prev.mod_revision == 2
            await watcher.close()
    run(body)


def test_concurrent_updates_exactly_one_wins(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            base = await s.create("/cc/k", enc("v0"))
            results = await asyncio.gather(
                *(s.update("/cc/k", enc(f"v{i}"), base.mod_revision) for i in range(50)),
                return_exceptions=True)
            wins = [r for r in results if not isinstance(r, BaseException)]
            losses = [r for r in results if isinstance(r, RevisionMismatchError)]
            assert len(wins) == 1 and len(losses) == 49
            assert all(e.current.mod_revision == wins[0].mod_revision for e in losses)
            assert await s.get("/cc/k") == wins[0] and s.revision == 2
    run(body)


def test_close_ends_watches_and_rejects_writes(open_store: Opener) -> None:
    async def body() -> None:
        s = open_store()
        await s.start()
        watcher = s.watch("/", 0)
        await s.create("/x", enc("v"))
        await s.close()
        assert summary([e async for e in watcher]) == [("PUT", "/x", 1)]
        with pytest.raises(StorageError):
            await s.create("/y", enc("v"))
    run(body)


def test_watcher_close_stops_iteration(open_store: Opener) -> None:
    async def body() -> None:
        async with started(open_store()) as s:
            watcher = s.watch("/", 0)
            pending = asyncio.create_task(take(watcher, 1))
            await asyncio.sleep(0)
            await watcher.close()
            with pytest.raises(StopAsyncIteration):
                await pending
            await s.create("/x", enc("v"))  # a closed watcher is no longer fed
    run(body)
