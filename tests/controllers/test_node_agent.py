"""The simulated kubelet: node registration, lease heartbeats, pod stages and IPs, graceful
deletion, and a restart on the same storage."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import EVENTS, LEASES, NODES, PODS
from controller_harness import Cluster, running_cluster, wait_for

pytestmark = pytest.mark.anyio


async def create_pod(cluster: Cluster, name: str, image: str = "nginx:1.27", **spec: Any) -> dict[str, Any]:
    return await cluster.client.create(PODS, "default", {"metadata": {"name": name}, "spec": {
        "containers": [{"name": "app", "image": image}], **spec}})


async def running_pod(cluster: Cluster, name: str) -> dict[str, Any] | None:
    pod = await cluster.get(PODS, name)
    return pod if pod and pod["status"].get("phase") == "Running" else None


async def test_nodes_register_like_kubelets(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=2, max_pods=7) as cluster:
        nodes = await wait_for(lambda: _nodes(cluster, 2), message="2 nodes")
        node = nodes[0]
        assert node["metadata"]["name"] == "node-1"
        assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "node-1"
        assert node["metadata"]["labels"]["kubernetes.io/os"] == "linux"
        assert node["status"]["capacity"]["pods"] == node["status"]["allocatable"]["pods"] == "7"
        assert {c["type"]: c["status"] for c in node["status"]["conditions"]} == {
            "MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False", "Ready": "True"}
        assert node["status"]["addresses"][0] == {"type": "InternalIP", "address": "172.18.0.2"}
        assert node["status"]["nodeInfo"]["kubeletVersion"] == "v1.37.1"
        assert nodes[1]["spec"]["podCIDR"] == "10.244.1.0/24"


async def _nodes(cluster: Cluster, n: int) -> list[dict[str, Any]] | None:
    nodes = sorted(await cluster.list(NODES, None), key=lambda o: o["metadata"]["name"])
    return nodes if len(nodes) == n else None


async def test_leases_are_owned_by_their_node_and_renewed(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        first = await wait_for(lambda: cluster.get(LEASES, "node-1", "kube-node-lease"), message="lease")
        node = await cluster.get(NODES, "node-1", None)
        assert node is not None
        assert first["spec"]["holderIdentity"] == "node-1"
        assert first["spec"]["leaseDurationSeconds"] == 40
        assert first["metadata"]["ownerReferences"][0]["uid"] == node["metadata"]["uid"]

        async def renewed() -> bool:
            lease = await cluster.get(LEASES, "node-1", "kube-node-lease")
            return bool(lease and lease["spec"]["renewTime"] > first["spec"]["renewTime"])

        await wait_for(renewed, timeout=5, message="a renewed lease")


async def test_pods_go_through_container_creating_to_running_with_unique_ips(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, nodes=2, pod_start_delay=0.3) as cluster:
        await create_pod(cluster, "slow")

        async def creating() -> dict[str, Any] | None:
            pod = await cluster.get(PODS, "slow")
            statuses = (pod or {}).get("status", {}).get("containerStatuses") or []
            return pod if statuses and "waiting" in statuses[0]["state"] else None

        pod = await wait_for(creating, message="ContainerCreating")
        assert pod["status"]["phase"] == "Pending"
        assert pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating"
        assert pod["status"]["hostIP"].startswith("172.18.0.")
        for i in range(6):
            await create_pod(cluster, f"p{i}")
        pods = [await wait_for(functools.partial(running_pod, cluster, name), message=name)
                for name in ["slow"] + [f"p{i}" for i in range(6)]]
        ips = [p["status"]["podIP"] for p in pods]
        assert len(set(ips)) == len(ips)
        for p in pods:
            subnet = ipaddress.ip_network(f"10.244.{int(p['spec']['nodeName'][-1]) - 1}.0/24")
            assert ipaddress.ip_address(p["status"]["podIP"]) in subnet
            assert p["status"]["podIPs"] == [{"ip": p["status"]["podIP"]}]
            assert p["status"]["containerStatuses"][0]["ready"] is True
        reasons = await wait_for(lambda: _kubelet_events(cluster, "slow", 3))
        assert reasons == [("Pulled", 'Container image "nginx:1.27" already present on machine and can be '
                                      "accessed by the pod"),
                           ("Created", "Container created"), ("Started", "Container started")]


async def _kubelet_events(cluster: Cluster, pod: str, n: int) -> list[tuple[str, str]] | None:
    events = [e for e in await cluster.list(EVENTS) if e["involvedObject"]["name"] == pod
              and e["source"]["component"] == "kubelet"]
    events.sort(key=lambda e: e["metadata"]["name"])
    return [(e["reason"], e["message"]) for e in events] if len(events) >= n else None


async def test_graceful_delete_is_finished_by_the_node(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await create_pod(cluster, "web")
        pod = await wait_for(lambda: running_pod(cluster, "web"))
        marked = await cluster.client.delete(PODS, "default", "web")
        assert marked["metadata"].get("deletionTimestamp")  # graceful: it stays until the node is done

        async def gone() -> bool:
            return await cluster.get(PODS, "web") is None

        await wait_for(gone, timeout=3, message="the kubelet's final delete")
        await create_pod(cluster, "web")
        again = await wait_for(lambda: running_pod(cluster, "web"))
        assert again["metadata"]["uid"] != pod["metadata"]["uid"]


async def test_restart_keeps_nodes_and_pod_addresses(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await create_pod(cluster, "a")
        before = await wait_for(lambda: running_pod(cluster, "a"))
        node_uid = (await wait_for(lambda: cluster.get(NODES, "node-1", None)))["metadata"]["uid"]
        await cluster.restart()
        await asyncio.sleep(0.1)
        await create_pod(cluster, "b")
        b = await wait_for(lambda: running_pod(cluster, "b"))
        a = await cluster.get(PODS, "a")
        assert a is not None and a["status"]["podIP"] == before["status"]["podIP"]
        assert b["status"]["podIP"] != before["status"]["podIP"]
        node = await cluster.get(NODES, "node-1", None)
        assert node is not None and node["metadata"]["uid"] == node_uid
