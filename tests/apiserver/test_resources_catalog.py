"""The catalog: discovery order, lookups, and the per-kind flags other layers rely on."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from apiserver.resources import CATALOG, by_kind, by_plural, resolve
from apiserver.resources.base import ResourceType


def test_discovery_order() -> None:
    assert [(rt.group, rt.plural) for rt in CATALOG] == [
        ("", "configmaps"), ("", "endpoints"), ("", "events"), ("", "namespaces"), ("", "nodes"), ("", "pods"),
        ("", "replicationcontrollers"), ("", "secrets"), ("", "services"),
        ("coordination.k8s.io", "leases"), ("discovery.k8s.io", "endpointslices")]


@pytest.mark.parametrize("name, plural", [
    ("po", "pods"), ("pod", "pods"), ("Pods", "pods"), ("Pod", "pods"), ("rc", "replicationcontrollers"),
    ("ReplicationController", "replicationcontrollers"), ("svc", "services"), ("ep", "endpoints"),
    ("ev", "events"), ("cm", "configmaps"), ("ns", "namespaces"), ("no", "nodes"), ("lease", "leases"),
    ("leases.coordination.k8s.io", "leases"), ("EndpointSlice", "endpointslices"), ("secret", "secrets"),
])
def test_resolve(name: str, plural: str) -> None:
    rt = resolve(name)
    assert rt is not None and rt.plural == plural


def test_lookups() -> None:
    assert resolve("deploy") is None and by_plural("apps", "pods") is None
    assert by_kind("coordination.k8s.io", "Lease") is by_plural("coordination.k8s.io", "leases")
    assert by_kind("", "Service") is resolve("svc")


def test_flags() -> None:
    flags = {rt.plural: (rt.namespaced, rt.has_status, rt.create_on_update, rt.delete_returns_object)
             for rt in CATALOG}
    assert flags["pods"] == (True, True, False, True)
    assert flags["services"] == (True, True, True, True)
    assert flags["namespaces"] == (False, True, False, True)
    assert flags["nodes"] == (False, True, False, False)
    assert flags["endpoints"][2] and flags["leases"][2] and flags["events"][2]
    lease = by_plural("coordination.k8s.io", "leases")
    assert lease is not None and lease.require_resource_version
    assert {rt.plural for rt in CATALOG if "all" in rt.categories} == {"pods", "replicationcontrollers", "services"}


@pytest.mark.parametrize("rt", CATALOG, ids=lambda rt: rt.plural)
def test_every_kind_is_usable_on_a_skeleton(rt: ResourceType) -> None:
    """What the generic code calls on any object must not crash on a bare one."""
    skeleton = {"metadata": {"name": "", "namespace": ""}}
    assert rt.fields(skeleton)["metadata.name"] == ""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cells = [c.cell({"metadata": {"name": "x"}}, now) for c in rt.columns]
    assert len(cells) == len(rt.columns)
    names = [c for c in rt.columns if c.format == "name"]
    assert len(names) == 1 and names[0].type == "string"
    obj = {"metadata": {"name": "x", "namespace": "default"}}
    rt.default(obj)
    assert isinstance(rt.validate(obj), list)
