"""What a simulated kubelet writes about its node (pure functions): the Node object, its
status (the heartbeat) and its Lease in `kube-node-lease` (owned by the Node, 40 s duration).

Node `i` (from 1) is `node-<i>` with InternalIP 172.18.0.<i+1> (kind's addressing) and the
i-th subnet of the pod CIDR. Capacity is generous in cpu and memory so that, as on a kind
node, the pod count (`--max-pods`, 110 by default) is what limits scheduling.
"""

from __future__ import annotations

import ipaddress
import platform
import uuid
from datetime import datetime

from apiserver.machinery.duration import format_micro_time, format_time
from apiserver.resources.base import Obj

KUBELET_VERSION = "v1.37.1"
LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
CPU = "16"
MEMORY_KI = 64 * 1024 * 1024
EPHEMERAL_KI = 100 * 1024 * 1024
RESERVED_MEMORY_KI = 100 * 1024  # the kubelet's default hard eviction threshold (100Mi)
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def node_name(index: int) -> str:
    return f"node-{index}"


def internal_ip(index: int) -> str:
    return str(ipaddress.IPv4Address("172.18.0.1") + index)


def architecture() -> str:
    return _ARCH.get(platform.machine().lower(), platform.machine().lower() or "amd64")


def node_info(name: str, boot_id: str) -> Obj:
    machine = uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.minik")
    return {"machineID": machine.hex, "systemUUID": str(machine), "bootID": boot_id,
            "kernelVersion": platform.release() or "unknown", "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": "containerd://2.1.4", "kubeletVersion": KUBELET_VERSION,
            "operatingSystem": "linux", "architecture": architecture()}


def node_status(name: str, index: int, max_pods: int, boot_id: str, now: datetime,
                previous: Obj | None = None) -> Obj:
    """The status the kubelet posts; condition transition times survive unchanged conditions."""
    stamp = format_time(now)
    old = {c.get("type"): c for c in (previous or {}).get("conditions") or []}
    conditions = []
    for type_, status, reason, message in _CONDITIONS:
        before = old.get(type_) or {}
        transition = before.get("lastTransitionTime") if before.get("status") == status else None
        conditions.append({"type": type_, "status": status, "lastHeartbeatTime": stamp,
                           "lastTransitionTime": transition or stamp, "reason": reason, "message": message})
    capacity = {"cpu": CPU, "ephemeral-storage": f"{EPHEMERAL_KI}Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": f"{MEMORY_KI}Ki", "pods": str(max_pods)}
    allocatable = dict(capacity, memory=f"{MEMORY_KI - RESERVED_MEMORY_KI}Ki")
    return {"capacity": capacity, "allocatable": allocatable, "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": internal_ip(index)},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": node_info(name, boot_id)}


def node_object(name: str, index: int, pod_cidr: str, max_pods: int, boot_id: str, now: datetime) -> Obj:
    arch = architecture()
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {"beta.kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
                       "kubernetes.io/arch": arch, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]},
        "status": node_status(name, index, max_pods, boot_id, now),
    }


def lease_object(node: Obj, now: datetime) -> Obj:
    meta = node.get("metadata") or {}
    return {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": meta["name"], "namespace": LEASE_NAMESPACE,
                     "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": meta["name"],
                                          "uid": meta.get("uid")}]},
        "spec": {"holderIdentity": meta["name"], "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                 "renewTime": format_micro_time(now)},
    }
