"""Deletion propagation through ownerReferences: Background, Orphan, Foreground, dangling
owners, and owners the collector must not take for gone."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import GR, PODS, REPLICATION_CONTROLLERS
from apiserver.controllers.garbagecollector import GarbageCollector, item_key
from apiserver.controllers.informer import InformerFactory
from controller_harness import Cluster, open_cluster, running_cluster, wait_for

pytestmark = pytest.mark.anyio
CONFIGMAPS = GR("", "configmaps")


async def start_rc(cluster: Cluster, replicas: int = 3) -> dict[str, Any]:
    owner = await cluster.client.create(REPLICATION_CONTROLLERS, "default", {
        "metadata": {"name": "web"}, "spec": {"replicas": replicas, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    await wait_for(lambda: _pods(cluster, replicas), message=f"{replicas} pods")
    return owner


async def _pods(cluster: Cluster, n: int) -> list[dict[str, Any]] | None:
    pods = await cluster.list(PODS)
    return pods if len(pods) == n and all(p["status"].get("phase") == "Running" for p in pods) else None


async def _no_pods(cluster: Cluster) -> bool:
    return not await cluster.list(PODS)


async def test_background_deletes_the_dependents_after_the_owner(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await start_rc(cluster)
        await cluster.client.delete(REPLICATION_CONTROLLERS, "default", "web", {"propagationPolicy": "Background"})
        assert await cluster.get(REPLICATION_CONTROLLERS, "web") is None
        await wait_for(lambda: _no_pods(cluster), message="pods collected")


async def test_orphan_keeps_the_dependents_without_their_owner(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await start_rc(cluster, 2)
        await cluster.client.delete(REPLICATION_CONTROLLERS, "default", "web")  # an RC's default: Orphan

        async def rc_gone() -> bool:
            return await cluster.get(REPLICATION_CONTROLLERS, "web") is None

        await wait_for(rc_gone, message="the rc gone once orphaning is done")
        pods = await cluster.list(PODS)
        assert len(pods) == 2
        assert all(not p["metadata"].get("ownerReferences") for p in pods)
        await asyncio.sleep(0.6)  # a sweep later, still there
        assert len(await cluster.list(PODS)) == 2


async def test_foreground_keeps_the_owner_until_blocking_dependents_are_gone(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await start_rc(cluster, 2)
        marked = await cluster.client.delete(REPLICATION_CONTROLLERS, "default", "web",
                                             {"propagationPolicy": "Foreground"})
        assert marked["metadata"]["finalizers"] == ["foregroundDeletion"]

        async def all_gone() -> bool:
            return await _no_pods(cluster) and await cluster.get(REPLICATION_CONTROLLERS, "web") is None

        await wait_for(all_gone, message="pods, then the rc")


async def test_dangling_owner_is_collected_and_live_owner_kept(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        owner = await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "owner"}})
        ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
        ghost = dict(ref, name="ghost", uid="00000000-0000-0000-0000-000000000000")
        await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "kept", "ownerReferences": [ref]}})
        await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "orphaned",
                                                                         "ownerReferences": [ghost]}})
        await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "both",
                                                                         "ownerReferences": [ref, ghost]}})

        async def collected() -> bool:
            return await cluster.get(CONFIGMAPS, "orphaned") is None

        await wait_for(collected, message="the dependent of a missing owner")

        async def pruned() -> list[dict[str, Any]] | None:
            both = await cluster.get(CONFIGMAPS, "both")
            refs = (both or {}).get("metadata", {}).get("ownerReferences")
            return refs if refs == [ref] else None

        await wait_for(pruned, message="the dangling reference removed, the live one kept")
        assert await cluster.get(CONFIGMAPS, "kept") is not None


async def test_unknown_owner_kinds_are_never_taken_for_gone(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        ref = {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "1234"}
        await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "cm", "ownerReferences": [ref]}})
        await asyncio.sleep(0.8)  # past a periodic sweep
        assert await cluster.get(CONFIGMAPS, "cm") is not None


async def test_an_owner_missing_from_a_lagging_cache_is_checked_with_a_get(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path)
    try:
        owner = await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "owner"}})
        ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
        await cluster.client.create(CONFIGMAPS, "default", {"metadata": {"name": "dep", "ownerReferences": [ref]}})
        factory = InformerFactory(cluster.client)
        gc = GarbageCollector(cluster.client, factory)
        informer = gc.informers[CONFIGMAPS]
        task = asyncio.create_task(informer.run())
        await asyncio.wait_for(informer.wait_synced(), 5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # The cache forgets the owner, as a cache that has not caught up would not know it yet.
        informer._remove("default/owner")  # noqa: SLF001 - simulating lag needs the cache itself
        assert informer.get("default/owner") is None
        await gc.reconcile(item_key(CONFIGMAPS, "default", "dep"))
        assert await cluster.get(CONFIGMAPS, "dep") is not None
        await cluster.client.delete(CONFIGMAPS, "default", "owner")
        await gc.reconcile(item_key(CONFIGMAPS, "default", "dep"))
        assert await cluster.get(CONFIGMAPS, "dep") is None
    finally:
        await cluster.storage.close()
