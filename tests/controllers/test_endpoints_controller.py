"""Endpoints and EndpointSlices follow the pods of a Service, and `default/kubernetes` points
at the API server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import ENDPOINT_SLICES, ENDPOINTS, PODS, REPLICATION_CONTROLLERS, SERVICES
from controller_harness import Cluster, edit, running_cluster, wait_for

pytestmark = pytest.mark.anyio


async def setup_web(cluster: Cluster, replicas: int = 2) -> None:
    await cluster.client.create(SERVICES, "default", {
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    await cluster.client.create(REPLICATION_CONTROLLERS, "default", {
        "metadata": {"name": "web"}, "spec": {"replicas": replicas, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                "name": "app", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 8080}]}]}}}})


async def endpoints_with(cluster: Cluster, ready: int, not_ready: int = 0) -> dict[str, Any] | None:
    ep = await cluster.get(ENDPOINTS, "web")
    subsets = (ep or {}).get("subsets") or []
    counts = (sum(len(s.get("addresses") or []) for s in subsets),
              sum(len(s.get("notReadyAddresses") or []) for s in subsets))
    return ep if counts == (ready, not_ready) else None


async def web_slices(cluster: Cluster) -> list[dict[str, Any]]:
    return await cluster.list(ENDPOINT_SLICES, label_selector="kubernetes.io/service-name=web")


async def test_endpoints_follow_readiness(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await setup_web(cluster)
        ep = await wait_for(lambda: endpoints_with(cluster, 2), message="2 ready addresses")
        assert ep["metadata"]["labels"] == {"app": "web", "tier": "front",
                                            "endpoints.kubernetes.io/managed-by": "endpoint-controller"}
        [subset] = ep["subsets"]
        assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
        pods = {p["metadata"]["name"]: p for p in await cluster.list(PODS)}
        assert sorted(a["targetRef"]["name"] for a in subset["addresses"]) == sorted(pods)
        assert [a["ip"] for a in subset["addresses"]] == sorted(
            (a["ip"] for a in subset["addresses"]), key=lambda ip: tuple(int(x) for x in ip.split(".")))

        name = sorted(pods)[0]
        await edit(cluster, PODS, name, _unready, status=True)
        await wait_for(lambda: endpoints_with(cluster, 1, 1), message="one address moved to notReady")

        async def slice_shows_unready() -> bool:
            endpoints = [e for s in await web_slices(cluster) for e in s["endpoints"]]
            states = {e["targetRef"]["name"]: e["conditions"]["ready"] for e in endpoints}
            return states.get(name) is False and len(states) == 2

        await wait_for(slice_shows_unready, message="slice condition ready=false")


def _unready(pod: dict[str, Any]) -> None:
    for c in pod["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c["status"] = "False"


async def test_slices_describe_svc_reads(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await setup_web(cluster, replicas=3)

        async def three_ready() -> list[dict[str, Any]] | None:
            slices = await web_slices(cluster)
            ready = [e for s in slices for e in s["endpoints"] if e["conditions"]["ready"]]
            return slices if len(ready) == 3 else None

        [s] = await wait_for(three_ready, message="3 ready endpoints")
        assert s["metadata"]["name"].startswith("web-")
        assert s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
        assert s["metadata"]["ownerReferences"][0]["kind"] == "Service"
        assert s["addressType"] == "IPv4" and s["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
        assert all(e["nodeName"] == "node-1" and e["targetRef"]["kind"] == "Pod" for e in s["endpoints"])

        await cluster.client.delete(SERVICES, "default", "web")

        async def cleaned() -> bool:
            return await cluster.get(ENDPOINTS, "web") is None and not await web_slices(cluster)

        await wait_for(cleaned, message="endpoints and slices removed with the service")


async def test_service_without_pods_has_no_subsets_and_a_placeholder_slice(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await cluster.client.create(SERVICES, "default", {
            "metadata": {"name": "lonely"}, "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
        ep = await wait_for(lambda: cluster.get(ENDPOINTS, "lonely"))
        assert "subsets" not in ep
        slices = await wait_for(lambda: cluster.list(ENDPOINT_SLICES,
                                                     label_selector="kubernetes.io/service-name=lonely"))
        assert [(s["endpoints"], s["ports"]) for s in slices] == [([], [])]


async def test_kubernetes_service_points_at_the_api_server(tmp_path: Path) -> None:
    async with running_cluster(tmp_path, port=7443) as cluster:
        ep = await wait_for(lambda: cluster.get(ENDPOINTS, "kubernetes"))
        assert ep["subsets"] == [{"addresses": [{"ip": "127.0.0.1"}],
                                  "ports": [{"name": "https", "port": 7443, "protocol": "TCP"}]}]
        s = await wait_for(lambda: cluster.get(ENDPOINT_SLICES, "kubernetes"))
        assert s["endpoints"] == [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}]
        assert s["metadata"]["labels"]["kubernetes.io/service-name"] == "kubernetes"
