"""Endpoints and EndpointSlices built from a Service and its pods (api-semantics §9)."""

from __future__ import annotations

from typing import Any

from apiserver.controllers.endpoints import build_subsets, desired_endpoints, truncate
from apiserver.controllers.endpointslices import desired_groups, new_slice


def service(ports: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "ns", "uid": "svc-uid", "labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.10",
                     "ports": ports if ports is not None else [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
                     **spec}}


def pod(name: str, ip: str | None, *, ready: bool = True, deleting: bool = False, phase: str = "Running",
        ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "ns", "uid": f"uid-{name}", "labels": {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-05T10:00:00Z"
    status: dict[str, Any] = {"phase": phase,
                              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    if ip:
        status["podIP"] = ip
    return {"metadata": meta, "spec": {"nodeName": "node-1", "containers": [{"name": "c", "ports": ports or []}]},
            "status": status}


def address(name: str, ip: str) -> dict[str, Any]:
    return {"ip": ip, "nodeName": "node-1",
            "targetRef": {"kind": "Pod", "namespace": "ns", "name": name, "uid": f"uid-{name}"}}


def test_ready_and_unready_pods_sorted_by_ip() -> None:
    pods = [pod("b", "10.244.0.10"), pod("a", "10.244.0.9"), pod("c", "10.244.0.2", ready=False)]
    assert build_subsets(service(), pods) == [{
        "addresses": [address("a", "10.244.0.9"), address("b", "10.244.0.10")],
        "notReadyAddresses": [address("c", "10.244.0.2")],
        "ports": [{"port": 8080, "protocol": "TCP"}],
    }]


def test_pods_without_ip_terminal_or_terminating_are_left_out() -> None:
    pods = [pod("noip", None), pod("done", "10.244.0.3", phase="Succeeded"), pod("bye", "10.244.0.4", deleting=True)]
    assert build_subsets(service(), pods) == []


def test_publish_not_ready_addresses_puts_everyone_in_addresses() -> None:
    subsets = build_subsets(service(publishNotReadyAddresses=True), [pod("u", "10.244.0.5", ready=False),
                                                                     pod("t", "10.244.0.6", deleting=True)])
    assert [a["ip"] for a in subsets[0]["addresses"]] == ["10.244.0.5", "10.244.0.6"]
    assert "notReadyAddresses" not in subsets[0]


def test_named_target_port_is_looked_up_per_pod_and_pods_without_it_are_skipped() -> None:
    svc = service([{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}])
    pods = [pod("a", "10.244.0.2", ports=[{"name": "web", "containerPort": 8080, "protocol": "TCP"}]),
            pod("b", "10.244.0.3", ports=[{"name": "web", "containerPort": 9090, "protocol": "TCP"}]),
            pod("c", "10.244.0.4", ports=[{"name": "other", "containerPort": 80, "protocol": "TCP"}])]
    subsets = build_subsets(svc, pods)
    by_port = {s["ports"][0]["port"]: [a["targetRef"]["name"] for a in s["addresses"]] for s in subsets}
    assert by_port == {8080: ["a"], 9090: ["b"]}
    assert subsets[0]["ports"][0]["name"] == "http"


def test_headless_service_without_ports_lists_addresses_without_ports() -> None:
    subsets = build_subsets(service([], clusterIP="None"), [pod("a", "10.244.0.2")])
    assert subsets == [{"addresses": [address("a", "10.244.0.2")]}]


def test_endpoints_object_copies_labels_and_has_no_subsets_without_pods() -> None:
    ep = desired_endpoints(service(clusterIP="None"), [], None)
    assert ep["metadata"]["name"] == "web" and ep["metadata"]["namespace"] == "ns"
    assert ep["metadata"]["labels"]["app"] == "web"
    assert ep["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert "subsets" not in ep


def test_over_capacity_is_truncated_and_annotated() -> None:
    pods = [pod(f"p{i}", f"10.244.{i // 250}.{i % 250 + 2}", ready=i % 2 == 0) for i in range(1100)]
    subsets, cut = truncate(build_subsets(service(), pods))
    assert cut
    assert sum(len(s.get("addresses", [])) + len(s.get("notReadyAddresses", [])) for s in subsets) == 1000
    assert sum(len(s.get("addresses", [])) for s in subsets) == 550  # every ready address kept first
    ep = desired_endpoints(service(), pods, None)
    assert ep["metadata"]["annotations"] == {"endpoints.kubernetes.io/over-capacity": "truncated"}


def test_slices_carry_conditions_and_include_terminating_pods() -> None:
    groups = desired_groups(service(), [pod("a", "10.244.0.2"), pod("b", "10.244.0.3", ready=False),
                                        pod("t", "10.244.0.4", deleting=True)])
    assert len(groups) == 1
    ports, endpoints = groups[0]
    assert ports == [{"name": "", "port": 8080, "protocol": "TCP"}]
    assert [(e["addresses"], e["conditions"]) for e in endpoints] == [
        (["10.244.0.2"], {"ready": True, "serving": True, "terminating": False}),
        (["10.244.0.3"], {"ready": False, "serving": False, "terminating": False}),
        (["10.244.0.4"], {"ready": False, "serving": True, "terminating": True}),
    ]


def test_slices_hold_at_most_100_endpoints_and_an_empty_service_gets_a_placeholder() -> None:
    pods = [pod(f"p{i}", f"10.244.1.{i + 2}") for i in range(150)]
    assert [len(e) for _, e in desired_groups(service(), pods)] == [100, 50]
    assert desired_groups(service(), []) == [([], [])]


def test_new_slice_labels_and_owner() -> None:
    s = new_slice(service(), [], [])
    assert s["metadata"]["generateName"] == "web-"
    assert s["metadata"]["labels"] == {"app": "web", "kubernetes.io/service-name": "web",
                                       "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    assert s["metadata"]["ownerReferences"][0]["uid"] == "svc-uid"
    assert s["addressType"] == "IPv4" and s["endpoints"] == [] and s["ports"] == []
