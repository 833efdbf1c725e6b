"""The replica manager on a live in-process control plane: converge, scale, adopt, release,
status, events, and no duplicates across a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import EVENTS, PODS, REPLICATION_CONTROLLERS
from controller_harness import Cluster, edit, running_cluster, wait_for

pytestmark = pytest.mark.anyio


def rc(name: str = "web", replicas: int = 3, labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = labels or {"app": name}
    return {"metadata": {"name": name}, "spec": {"replicas": replicas, "selector": labels, "template": {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}}


async def pods_of(cluster: Cluster, selector: str = "app=web") -> list[dict[str, Any]]:
    return [p for p in await cluster.list(PODS, label_selector=selector) if not p["metadata"].get("deletionTimestamp")]


async def running(cluster: Cluster, count: int, selector: str = "app=web") -> list[dict[str, Any]] | None:
    pods = await pods_of(cluster, selector)
    ok = len(pods) == count and all(p["status"].get("phase") == "Running" for p in pods)
    return pods if ok else None


async def scale(cluster: Cluster, name: str, replicas: int) -> None:
    await edit(cluster, REPLICATION_CONTROLLERS, name, lambda o: o["spec"].update(replicas=replicas))


async def test_rc_converges_with_owned_pods_status_and_events(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=2) as cluster:
        owner = await cluster.client.create(REPLICATION_CONTROLLERS, "default", rc(replicas=3))
        pods = await wait_for(lambda: running(cluster, 3), message="3 running pods")
        for pod in pods:
            assert pod["metadata"]["name"].startswith("web-") and len(pod["metadata"]["name"]) == 9
            assert pod["metadata"]["ownerReferences"] == [{
                "apiVersion": "v1", "kind": "ReplicationController", "name": "web",
                "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]

        async def settled() -> dict[str, Any] | None:
            status = ((await cluster.get(REPLICATION_CONTROLLERS, "web")) or {}).get("status") or {}
            return status if status.get("availableReplicas") == 3 else None

        status = await wait_for(settled, message="rc status")
        assert status == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                          "observedGeneration": 1}
        created = await wait_for(lambda: _events(cluster, "SuccessfulCreate", 3), message="events")
        assert sorted(e["message"] for e in created) == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
        assert {e["source"]["component"] for e in created} == {"replication-controller"}


async def _events(cluster: Cluster, reason: str, count: int) -> list[dict[str, Any]] | None:
    events = [e for e in await cluster.list(EVENTS) if e["reason"] == reason]
    return events if len(events) >= count else None


async def test_scale_up_and_down(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await cluster.client.create(REPLICATION_CONTROLLERS, "default", rc(replicas=2))
        await wait_for(lambda: running(cluster, 2))
        await scale(cluster, "web", 5)
        await wait_for(lambda: running(cluster, 5), message="scaled to 5")
        await scale(cluster, "web", 1)
        await wait_for(lambda: running(cluster, 1), message="scaled to 1")
        await wait_for(lambda: _exactly(cluster, 1), message="the surplus gone, not just terminating")
        await wait_for(lambda: _events(cluster, "SuccessfulDelete", 4))
        await wait_for(lambda: _status_replicas(cluster, 1))


async def _status_replicas(cluster: Cluster, n: int) -> bool:
    obj = await cluster.get(REPLICATION_CONTROLLERS, "web")
    return obj is not None and obj["status"].get("replicas") == n and obj["status"].get("observedGeneration") == 3


async def test_orphans_are_adopted_and_pods_that_stop_matching_are_released(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        orphan = await cluster.client.create(PODS, "default", {
            "metadata": {"name": "stray", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
        owner = await cluster.client.create(REPLICATION_CONTROLLERS, "default", rc(replicas=2))
        pods = await wait_for(lambda: running(cluster, 2), message="adoption plus one new pod")
        assert "stray" in [p["metadata"]["name"] for p in pods]
        adopted = await cluster.get(PODS, "stray")
        assert adopted is not None and adopted["metadata"]["uid"] == orphan["metadata"]["uid"]
        assert adopted["metadata"]["ownerReferences"][0]["uid"] == owner["metadata"]["uid"]
        await edit(cluster, PODS, "stray", lambda p: p["metadata"].update(labels={"app": "other"}))

        async def released() -> bool:
            pod = await cluster.get(PODS, "stray")
            return pod is not None and not pod["metadata"].get("ownerReferences")

        await wait_for(released, message="released")
        await wait_for(lambda: running(cluster, 2), message="a replacement for the released pod")


async def test_restart_creates_no_duplicates(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=2) as cluster:
        await cluster.client.create(REPLICATION_CONTROLLERS, "default", rc(replicas=6))
        await wait_for(lambda: _at_least(cluster, 1), message="creation under way")
        await cluster.restart()  # mid-creation: the new set must count what exists
        before = {p["metadata"]["name"] for p in await wait_for(lambda: running(cluster, 6))}
        await cluster.restart()
        await wait_for(lambda: _status_replicas_n(cluster, 6))
        after = {p["metadata"]["name"] for p in await wait_for(lambda: running(cluster, 6))}
        assert after == before
        assert len(await cluster.list(PODS)) == 6
        assert not [e for e in await cluster.list(EVENTS) if e["reason"] == "SuccessfulDelete"]


async def _exactly(cluster: Cluster, n: int) -> bool:
    return len(await cluster.list(PODS)) == n


async def _at_least(cluster: Cluster, n: int) -> bool:
    return len(await cluster.list(PODS)) >= n


async def _status_replicas_n(cluster: Cluster, n: int) -> bool:
    obj = await cluster.get(REPLICATION_CONTROLLERS, "web")
    return obj is not None and (obj.get("status") or {}).get("readyReplicas") == n
