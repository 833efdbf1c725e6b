"""Deleting a namespace: everything in it goes, then the namespace itself."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from apiserver.controllers.client import GR, NAMESPACES, PODS, REPLICATION_CONTROLLERS, SERVICES
from apiserver.controllers.namespace import deletion_conditions
from controller_harness import Cluster, running_cluster, wait_for

pytestmark = pytest.mark.anyio
CONFIGMAPS = GR("", "configmaps")


async def fill(cluster: Cluster, ns: str) -> None:
    await cluster.client.create(NAMESPACES, None, {"metadata": {"name": ns}})
    await cluster.client.create(REPLICATION_CONTROLLERS, ns, {
        "metadata": {"name": "web"}, "spec": {"replicas": 3, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    await cluster.client.create(SERVICES, ns, {"metadata": {"name": "web"},
                                               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    await cluster.client.create(CONFIGMAPS, ns, {"metadata": {"name": "settings"}, "data": {"a": "b"}})


async def running_pods(cluster: Cluster, ns: str, n: int) -> bool:
    pods = await cluster.list(PODS, ns)
    return len(pods) == n and all(p["status"].get("phase") == "Running" for p in pods)


async def test_namespace_deletion_empties_then_removes_it(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await fill(cluster, "shop")
        await wait_for(lambda: running_pods(cluster, "shop", 3), message="3 running pods")
        marked = await cluster.client.delete(NAMESPACES, None, "shop")
        assert marked["status"]["phase"] == "Terminating"

        async def gone() -> bool:
            return await cluster.get(NAMESPACES, "shop", None) is None

        await wait_for(gone, message="namespace finalized and removed")
        for gr in (PODS, REPLICATION_CONTROLLERS, SERVICES, CONFIGMAPS):
            assert await cluster.list(gr, "shop") == [], gr
        assert await cluster.get(NAMESPACES, "default", None) is not None


async def test_a_finalizer_keeps_the_namespace_terminating_and_says_so(tmp_path: Path) -> None:
    async with running_cluster(tmp_path) as cluster:
        await cluster.client.create(NAMESPACES, None, {"metadata": {"name": "held"}})
        await cluster.client.create(CONFIGMAPS, "held", {"metadata": {"name": "pinned",
                                                                      "finalizers": ["example.com/hold"]}})
        await cluster.client.delete(NAMESPACES, None, "held")

        async def reported() -> dict[str, Any] | None:
            ns = await cluster.get(NAMESPACES, "held", None)
            conds = {c["type"]: c for c in (ns or {}).get("status", {}).get("conditions") or []}
            return conds if conds.get("NamespaceFinalizersRemaining", {}).get("status") == "True" else None

        conds = await wait_for(reported, message="conditions")
        assert conds["NamespaceContentRemaining"]["message"] == \
            "Some resources are remaining: configmaps has 1 resource instances"
        assert conds["NamespaceFinalizersRemaining"]["message"] == \
            "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
        cm = await cluster.get(CONFIGMAPS, "pinned", "held")
        assert cm is not None
        cm["metadata"]["finalizers"] = []
        await cluster.client.update(CONFIGMAPS, cm)

        async def gone() -> bool:
            return await cluster.get(NAMESPACES, "held", None) is None

        await wait_for(gone, message="namespace gone once the finalizer is released")


def test_condition_wording_when_everything_is_gone() -> None:
    conds = deletion_conditions(Counter(), Counter(), [], [], "2026-01-05T10:00:00Z")
    assert [(c["type"], c["status"], c["reason"]) for c in conds] == [
        ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered"),
        ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions"),
        ("NamespaceDeletionContentFailure", "False", "ContentDeleted"),
        ("NamespaceContentRemaining", "False", "ContentRemoved"),
        ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers"),
    ]
