"""The scheduler against simulated nodes: capacity, spreading, unschedulable pods and retry."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import EVENTS, PODS
from controller_harness import Cluster, edit, running_cluster, wait_for

pytestmark = pytest.mark.anyio

FULL = ("0/2 nodes are available: 2 Too many pods. "
        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.")


async def create_pod(cluster: Cluster, name: str, **spec: Any) -> dict[str, Any]:
    return await cluster.client.create(PODS, "default", {"metadata": {"name": name}, "spec": {
        "containers": [{"name": "app", "image": "nginx:1.27"}], **spec}})


async def placement(cluster: Cluster) -> dict[str, str]:
    return {p["metadata"]["name"]: p["spec"].get("nodeName", "") for p in await cluster.list(PODS)}


async def test_pods_spread_over_nodes_within_max_pods_and_the_rest_wait(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=2, max_pods=2) as cluster:
        for i in range(5):
            await create_pod(cluster, f"p{i}")

        async def four_bound() -> dict[str, str] | None:
            where = await placement(cluster)
            return where if sum(1 for n in where.values() if n) == 4 else None

        where = await wait_for(four_bound, message="4 pods bound")
        assert Counter(n for n in where.values() if n) == {"node-1": 2, "node-2": 2}
        [waiting] = [name for name, node in where.items() if not node]

        async def unschedulable() -> dict[str, Any] | None:
            pod = await cluster.get(PODS, waiting)
            conds = [c for c in (pod or {}).get("status", {}).get("conditions") or [] if c["type"] == "PodScheduled"]
            return conds[0] if conds and conds[0]["status"] == "False" else None

        cond = await wait_for(unschedulable, message="PodScheduled=False")
        assert (cond["reason"], cond["message"]) == ("Unschedulable", FULL)
        failed = await wait_for(lambda: _events(cluster, "FailedScheduling"))
        assert failed[0]["type"] == "Warning" and failed[0]["message"] == FULL
        assert failed[0]["source"]["component"] == "default-scheduler"

        victim = next(name for name, node in where.items() if node)
        await cluster.client.delete(PODS, "default", victim)

        async def rescheduled() -> bool:
            pod = await cluster.get(PODS, waiting)
            return bool(pod and pod["spec"].get("nodeName"))

        await wait_for(rescheduled, message="the waiting pod bound once capacity freed")


async def _events(cluster: Cluster, reason: str) -> list[dict[str, Any]] | None:
    found = [e for e in await cluster.list(EVENTS) if e["reason"] == reason]
    return found or None


async def test_scheduled_event_and_node_selector(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=3) as cluster:
        await create_pod(cluster, "pinned", nodeSelector={"kubernetes.io/hostname": "node-3"})
        await create_pod(cluster, "nowhere", nodeSelector={"disk": "ssd"})

        async def pinned() -> bool:
            return (await placement(cluster)).get("pinned") == "node-3"

        await wait_for(pinned)
        scheduled = await wait_for(lambda: _events(cluster, "Scheduled"))
        assert scheduled[0]["message"] == "Successfully assigned default/pinned to node-3"
        failed = await wait_for(lambda: _events(cluster, "FailedScheduling"))
        assert failed[0]["message"] == (
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


async def test_pods_for_other_schedulers_are_left_alone(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await create_pod(cluster, "mine")
        await create_pod(cluster, "theirs", schedulerName="my-scheduler")

        async def mine_bound() -> bool:
            return bool((await placement(cluster)).get("mine"))

        await wait_for(mine_bound)
        assert (await placement(cluster))["theirs"] == ""


async def test_a_finished_pod_frees_its_slot_and_the_sums_stay_exact(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=1, max_pods=1) as cluster:
        await create_pod(cluster, "first", restartPolicy="Never")

        async def phase(name: str) -> str:
            return str(((await cluster.get(PODS, name)) or {}).get("status", {}).get("phase"))

        await wait_for(lambda: _is(phase("first"), "Running"), message="first running")
        await create_pod(cluster, "second")
        await wait_for(lambda: _events(cluster, "FailedScheduling"), message="second waiting")
        assert (await placement(cluster))["second"] == ""

        def finish(pod: dict[str, Any]) -> None:
            pod["status"]["phase"] = "Succeeded"

        await edit(cluster, PODS, "first", finish, status=True)

        async def second_bound() -> bool:
            return (await placement(cluster))["second"] == "node-1"

        await wait_for(second_bound, message="second bound once first finished")
        assert cluster.plane is not None
        scheduler = cluster.plane.runners["scheduler"].__self__  # type: ignore[attr-defined]
        await cluster.client.delete(PODS, "default", "second")
        await wait_for(lambda: _is(_usage(scheduler), 0), message="the node's usage back to nothing")


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def _usage(scheduler: Any) -> int:
    return int(scheduler.node_usage("node-1").pods)
