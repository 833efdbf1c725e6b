"""The catalog of served kinds, in the order discovery lists them: the core group first,
then named groups in kube-apiserver's group order; within a group-version, alphabetical by
plural (as kube-apiserver sorts each APIResourceList). Lookups by plural, kind or any name
a user may type.
"""

from __future__ import annotations

from apiserver.resources import (configmaps, endpoints, endpointslices, events, leases, namespaces, nodes, pods,
                                 replicationcontrollers, secrets, services)
from apiserver.resources.base import ResourceType

# kube-apiserver's group priority order (the subset minik may serve); unknown groups go last.
GROUP_ORDER = ("", "apps", "events.k8s.io", "autoscaling", "batch", "networking.k8s.io", "policy",
               "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
               "node.k8s.io", "discovery.k8s.io")

_MODULES = (configmaps, endpoints, endpointslices, events, leases, namespaces, nodes, pods,
            replicationcontrollers, secrets, services)


def _order(rt: ResourceType) -> tuple[int, str, str]:
    rank = GROUP_ORDER.index(rt.group) if rt.group in GROUP_ORDER else len(GROUP_ORDER)
    return rank, rt.group, rt.plural


def build_catalog(types: list[ResourceType]) -> tuple[ResourceType, ...]:
    return tuple(sorted(types, key=_order))


CATALOG: tuple[ResourceType, ...] = build_catalog([m.RESOURCE for m in _MODULES])

_BY_PLURAL = {(rt.group, rt.plural): rt for rt in CATALOG}
_BY_KIND = {(rt.group, rt.kind): rt for rt in CATALOG}


def by_plural(group: str, plural: str) -> ResourceType | None:
    return _BY_PLURAL.get((group, plural))


def by_kind(group: str, kind: str) -> ResourceType | None:
    return _BY_KIND.get((group, kind))


def _names(rt: ResourceType) -> set[str]:
    return {rt.plural, rt.singular, rt.kind.lower(), *rt.short_names}


def resolve(name: str) -> ResourceType | None:
    """What a user types: plural, singular, kind or short name, case-insensitive, optionally
    qualified by group (`leases.coordination.k8s.io`). The first match in discovery order wins."""
    wanted = name.strip().lower()
    for rt in CATALOG:
        if wanted in _names(rt):
            return rt
    for rt in CATALOG:
        if rt.group and any(wanted == f"{n}.{rt.group}" for n in _names(rt)):
            return rt
    return None


__all__ = ["CATALOG", "GROUP_ORDER", "by_kind", "by_plural", "resolve", "build_catalog"]
