"""The node agent's pure parts: pod address allocation and the pod status stages."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.nodes import podstatus
from apiserver.nodes.ipam import PodAddresses, SubnetAllocator, node_subnets


def test_each_node_gets_its_own_slash_24_of_the_pod_cidr() -> None:
    assert [str(n) for n in node_subnets("10.244.0.0/16", 3)] == ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]
    assert [str(n) for n in node_subnets("10.0.0.0/26", 2)] == ["10.0.0.0/27", "10.0.0.32/27"]
    with pytest.raises(ValueError):
        node_subnets("10.0.0.0/29", 4)


def test_addresses_are_unique_skip_the_gateway_and_freed_ones_come_back_last() -> None:
    alloc = SubnetAllocator(node_subnets("10.0.0.0/29", 1)[0])  # hosts .2 .. .6
    got = [alloc.allocate() for _ in range(5)]
    assert got == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]
    with pytest.raises(RuntimeError):
        alloc.allocate()
    alloc.release("10.0.0.3")
    assert alloc.allocate() == "10.0.0.3"


def test_pod_addresses_are_kept_per_pod_and_restored_after_restart() -> None:
    subnets = dict(zip(["node-1", "node-2"], node_subnets("10.244.0.0/16", 2)))
    addrs = PodAddresses(subnets)
    ip = addrs.assign("ns/a", "uid-a", "node-1")
    assert addrs.assign("ns/a", "uid-a", "node-1") == ip  # idempotent
    assert addrs.assign("ns/a", "uid-a2", "node-1") != ip  # a new pod of the same name
    restored = PodAddresses(subnets)
    assert restored.reserve("ns/a", "uid-a", "node-1", ip)
    assert restored.assign("ns/b", "uid-b", "node-1") != ip
    assert addrs.assign("ns/c", "uid-c", "node-2").startswith("10.244.1.")


def pod(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "uid": "u1", "generation": 1},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}], **spec},
            "status": {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-05T10:00:00Z"}]}}


def test_stages_from_new_to_pending_to_running_to_stopped() -> None:
    p = pod()
    assert podstatus.stage(p) == "new"
    p["status"] = podstatus.pending(p, "172.18.0.2", "2026-01-05T10:00:01Z")
    assert podstatus.stage(p) == "pending"
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert p["status"]["qosClass"] == "BestEffort" and p["status"]["hostIP"] == "172.18.0.2"
    ready = {c["type"]: c["status"] for c in p["status"]["conditions"]}
    assert ready == {"PodReadyToStartContainers": "False", "Initialized": "True", "Ready": "False",
                     "ContainersReady": "False", "PodScheduled": "True"}
    p["status"] = podstatus.running(p, "172.18.0.2", "10.244.0.2", "2026-01-05T10:00:02Z")
    assert podstatus.stage(p) == "running"
    status = p["status"]
    assert (status["phase"], status["podIP"], status["startTime"]) == ("Running", "10.244.0.2", "2026-01-05T10:00:01Z")
    cs = status["containerStatuses"][0]
    assert cs["ready"] and cs["started"] and cs["image"] == "docker.io/library/nginx:latest"
    assert cs["containerID"].startswith("containerd://") and "@sha256:" in cs["imageID"]
    assert [c["type"] for c in status["conditions"]] == ["PodReadyToStartContainers", "Initialized", "Ready",
                                                         "ContainersReady", "PodScheduled"]
    assert all(c["status"] == "True" for c in status["conditions"])
    scheduled = status["conditions"][-1]
    assert scheduled["lastTransitionTime"] == "2026-01-05T10:00:00Z"  # untouched
    p["status"] = podstatus.stopped(p, "2026-01-05T10:00:09Z")
    assert podstatus.stage(p) == "stopped"
    assert p["status"]["containerStatuses"][0]["state"]["terminated"]["startedAt"] == "2026-01-05T10:00:02Z"


def test_init_containers_hold_the_pod_in_pod_initializing() -> None:
    p = pod(initContainers=[{"name": "setup", "image": "busybox:1.36"}])
    status = podstatus.pending(p, "172.18.0.2", "2026-01-05T10:00:01Z")
    assert status["initContainerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    p["status"] = podstatus.running(p, "172.18.0.2", "10.244.0.2", "2026-01-05T10:00:02Z")
    assert p["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_image_names_are_normalised_like_the_runtime_does() -> None:
    assert podstatus.normalized_image("nginx") == "docker.io/library/nginx:latest"
    assert podstatus.normalized_image("bitnami/redis:7") == "docker.io/bitnami/redis:7"
    assert podstatus.normalized_image("registry.k8s.io/redis:e2e") == "registry.k8s.io/redis:e2e"
    assert podstatus.normalized_image("localhost:5000/app") == "localhost:5000/app:latest"
    assert podstatus.image_id("registry.k8s.io/redis:e2e").startswith("registry.k8s.io/redis@sha256:")
