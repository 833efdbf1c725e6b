"""Discovery documents from the CATALOG: /version, /api, /apis (aggregated v2 and legacy),
and the legacy per-group-version APIResourceLists."""

from __future__ import annotations

from typing import Any

from apiserver.resources import CATALOG
from apiserver.resources.base import ResourceType

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# kube-apiserver's group order, so `get all` and api-resources follow it.
_GROUP_ORDER = ["", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
                "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
                "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
                "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
                "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"]

VERSION_INFO = {
    "major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
    "minCompatibilityMajor": "1", "minCompatibilityMinor": "36", "gitVersion": "v1.37.1-minik",
    "gitCommit": "", "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z",
    "goVersion": "", "compiler": "cpython", "platform": "linux/amd64",
}


def groups() -> list[str]:
    present = {rt.group for rt in CATALOG}
    return sorted(present, key=lambda g: (_GROUP_ORDER.index(g) if g in _GROUP_ORDER else 99, g))


def resources_of(group: str, version: str) -> list[ResourceType]:
    return sorted((rt for rt in CATALOG if rt.group == group and rt.version == version),
                  key=lambda rt: rt.plural)


def versions_of(group: str) -> list[str]:
    return sorted({rt.version for rt in CATALOG if rt.group == group})


def subresource_kind(rt: ResourceType, sub: str) -> tuple[dict[str, str], list[str]]:
    if sub == "scale":
        return {"group": "autoscaling", "version": "v1", "kind": "Scale"}, ["get", "patch", "update"]
    if sub == "binding":
        return {"group": "", "version": "v1", "kind": "Binding"}, ["create"]
    if sub == "finalize":
        return {"group": rt.group, "version": rt.version, "kind": rt.kind}, ["update"]
    if sub == "log":
        return {"group": "", "version": "v1", "kind": "Pod"}, ["get"]
    return {"group": rt.group, "version": rt.version, "kind": rt.kind}, ["get", "patch", "update"]


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = []
    for sub in rt.subresources:
        kind, verbs = subresource_kind(rt, sub)
        subs.append({"subresource": sub, "responseKind": kind, "verbs": verbs})
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(core: bool) -> dict[str, Any]:
    items = []
    for group in groups():
        if (group == "") != core:
            continue
        versions = [{"version": v, "resources": [_aggregated_resource(rt) for rt in resources_of(group, v)],
                     "freshness": "Current"} for v in versions_of(group)]
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": versions})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group_entry(group: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions_of(group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list() -> dict[str, Any]:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group_entry(g) for g in groups() if g]}


def api_group(group: str) -> dict[str, Any] | None:
    if group not in groups() or not group:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group)}


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    rts = resources_of(group, version)
    if not rts:
        return None
    resources: list[dict[str, Any]] = []
    for rt in rts:
        entry: dict[str, Any] = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                                 "kind": rt.kind, "verbs": list(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            kind, verbs = subresource_kind(rt, sub)
            sub_entry: dict[str, Any] = {"name": f"{rt.plural}/{sub}", "singularName": "",
                                         "namespaced": rt.namespaced, "kind": kind["kind"], "verbs": verbs}
            if kind["group"] != rt.group or kind["version"] != rt.version:
                sub_entry["group"], sub_entry["version"] = kind["group"], kind["version"]
            resources.append(sub_entry)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}
