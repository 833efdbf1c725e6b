"""The shared informer against a real Registry: cache, indexes, handlers, resume, relist on 410."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import AsyncIterator

import pytest

from apiserver.controllers.client import GR
from apiserver.controllers import informer as informer_module
from apiserver.controllers.informer import Handler, Informer, InformerFactory, by_namespace
from controller_harness import Cluster, open_cluster, wait_for

pytestmark = pytest.mark.anyio
CONFIGMAPS = GR("", "configmaps")


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def handler(self) -> Handler:
        return Handler(on_add=lambda o: self.seen.append(("add", o["metadata"]["name"])),
                       on_update=lambda old, new: self.seen.append(("update", new["metadata"]["name"])),
                       on_delete=lambda o: self.seen.append(("delete", o["metadata"]["name"])))


async def cm(cluster: Cluster, name: str, namespace: str = "default") -> None:
    await cluster.client.create(CONFIGMAPS, namespace, {"metadata": {"name": name}, "data": {"k": name}})


@contextlib.asynccontextmanager
async def running(informer: Informer) -> AsyncIterator[Informer]:
    task = asyncio.create_task(informer.run())
    try:
        await asyncio.wait_for(informer.wait_synced(), 5)
        yield informer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_cache_index_and_handlers_follow_the_store(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path)
    try:
        await cm(cluster, "before")
        informer = Informer(cluster.client, CONFIGMAPS)
        informer.add_index("namespace", by_namespace)
        seen = Recorder()
        informer.add_handler(seen.handler())
        async with running(informer):
            await cm(cluster, "after", "kube-system")
            obj = await cluster.client.get(CONFIGMAPS, "default", "before")
            obj["data"] = {"k": "changed"}
            await cluster.client.update(CONFIGMAPS, obj)
            await cluster.client.delete(CONFIGMAPS, "kube-system", "after")

            async def all_seen() -> bool:
                return len(seen.seen) == 4

            await wait_for(all_seen)
            assert seen.seen == [("add", "before"), ("add", "after"), ("update", "before"), ("delete", "after")]
            assert informer.keys() == ["default/before"]
            assert informer.get_by("default", "before")["data"] == {"k": "changed"}  # type: ignore[index]
            assert [o["metadata"]["name"] for o in informer.by_index("namespace", "default")] == ["before"]
            assert informer.by_index("namespace", "kube-system") == []
    finally:
        await cluster.storage.close()


async def test_a_resumed_watch_past_the_history_window_relists(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path, history_revisions=10)
    try:
        await cm(cluster, "gone-later")
        informer = Informer(cluster.client, CONFIGMAPS)
        seen = Recorder()
        informer.add_handler(seen.handler())
        async with running(informer):
            pass
        stale_revision = informer.revision
        await cluster.client.delete(CONFIGMAPS, "default", "gone-later")
        for i in range(30):  # far more writes than the history keeps
            await cm(cluster, f"new-{i}")
        assert cluster.storage.compacted_revision > stale_revision
        async with running(informer):
            async def caught_up() -> bool:
                return len(informer) == 30

            await wait_for(caught_up, message="relisted cache")
        assert informer.get("default/gone-later") is None
        assert ("delete", "gone-later") in seen.seen
        assert sum(1 for kind, _ in seen.seen if kind == "add") == 31
    finally:
        await cluster.storage.close()


async def test_the_factory_shares_one_informer_per_resource(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path)
    try:
        factory = InformerFactory(cluster.client)
        light = factory.metadata_informer(CONFIGMAPS)
        assert light.metadata_only
        full = factory.informer(CONFIGMAPS)
        assert full is light and not full.metadata_only  # upgraded before it started
        assert factory.informer(CONFIGMAPS) is full
        only_meta = factory.metadata_informer(GR("", "secrets"))
        await cm(cluster, "x")
        await cluster.client.create(GR("", "secrets"), "default", {"metadata": {"name": "s"},
                                                                   "stringData": {"password": "hunter2"}})
        async with running(full), running(only_meta):
            assert full.get("default/x")["data"] == {"k": "x"}  # type: ignore[index]
            assert set(only_meta.get("default/s") or {}) == {"apiVersion", "kind", "metadata"}
    finally:
        await cluster.storage.close()


async def test_the_first_list_is_paged_and_lets_other_work_run(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Like client-go's reflector: a large LIST is handled a page at a time, the event loop
    running other tasks between pages, and the cache ends at the list's revision."""
    monkeypatch.setattr(informer_module, "LIST_PAGE", 25)
    cluster = await open_cluster(tmp_path)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    try:
        await asyncio.gather(*(cm(cluster, f"cm-{i:03d}") for i in range(60)))
        informer = Informer(cluster.client, CONFIGMAPS)
        ticks_at_add: list[int] = []
        informer.add_handler(Handler(on_add=lambda o: ticks_at_add.append(ticks)))
        tick_task = asyncio.create_task(ticker())
        try:
            async with running(informer):
                assert len(informer) == 60
                assert informer.revision == cluster.storage.revision
                # Three pages (25, 25, 10): the ticker ran between them, never within one.
                assert len(set(ticks_at_add)) == 3
                assert ticks_at_add == sorted(ticks_at_add)
        finally:
            tick_task.cancel()
    finally:
        await cluster.storage.close()
