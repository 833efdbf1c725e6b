"""The scheduler's filters and its FailedScheduling wording."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from apiserver.controllers.nodefit import fit_error, pod_requests, unfit_reasons, usage
from apiserver.nodes.nodeobjects import node_object


def node(name: str = "node-1", max_pods: int = 3, **spec: Any) -> dict[str, Any]:
    n = node_object(name, 1, "10.244.0.0/24", max_pods, "boot", datetime.now(timezone.utc))
    n["spec"].update(spec)
    return n


def pod(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}], **spec}}


def test_a_full_node_has_too_many_pods() -> None:
    assert unfit_reasons(pod(), node(max_pods=2), usage([pod(), pod()])) == ["Too many pods"]
    assert unfit_reasons(pod(), node(max_pods=2), usage([pod()])) == []


def test_requests_must_fit_allocatable() -> None:
    big = pod(containers=[{"name": "c", "resources": {"requests": {"cpu": "10", "memory": "1Gi"}}}])
    assert unfit_reasons(big, node(max_pods=10), usage([big])) == ["Insufficient cpu"]
    assert pod_requests(big)["memory"] == 2 ** 30


def test_cordoned_node_is_unschedulable_unless_tolerated() -> None:
    assert unfit_reasons(pod(), node(unschedulable=True), usage([])) == ["node(s) were unschedulable"]
    tolerant = pod(tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                 "effect": "NoSchedule"}])
    assert unfit_reasons(tolerant, node(unschedulable=True), usage([])) == []


def test_taints_and_not_ready_nodes() -> None:
    tainted = node(taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    assert unfit_reasons(pod(), tainted, usage([])) == ["node(s) had untolerated taint {dedicated: db}"]
    assert unfit_reasons(pod(tolerations=[{"key": "dedicated", "value": "db"}]), tainted, usage([])) == []
    not_ready = node()
    not_ready["status"]["conditions"][-1]["status"] = "False"
    assert unfit_reasons(pod(), not_ready, usage([])) == [
        "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"]


def test_node_selector_and_required_affinity() -> None:
    assert unfit_reasons(pod(nodeSelector={"disk": "ssd"}), node(), usage([])) == \
        ["node(s) didn't match Pod's node affinity/selector"]
    assert unfit_reasons(pod(nodeSelector={"kubernetes.io/hostname": "node-1"}), node(), usage([])) == []
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-2"]}]},
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}]}}}
    assert unfit_reasons(pod(affinity=affinity), node(), usage([])) == []
    assert unfit_reasons(pod(affinity=affinity), node("node-3"), usage([])) != []


def test_host_ports_conflict() -> None:
    web = pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}]}])
    assert unfit_reasons(web, node(), usage([web])) == [
        "node(s) didn't have free ports for the requested pod ports"]


def test_fit_error_message_matches_the_scheduler() -> None:
    assert fit_error(2, {"node-1": ["Too many pods"], "node-2": ["Too many pods"]}) == (
        "0/2 nodes are available: 2 Too many pods. "
        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.")
    assert fit_error(3, {"a": ["Too many pods"], "b": ["node(s) were unschedulable"],
                         "c": ["node(s) were unschedulable"]}) == (
        "0/3 nodes are available: 1 Too many pods, 2 node(s) were unschedulable. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling.")
    assert fit_error(0, {}) == "no nodes available to schedule pods"
