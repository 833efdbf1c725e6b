"""Describers: one per kind, chosen by group and kind as kubectl's describerMap chooses them.

Describers are the client-side exception to "columns come from the server" (DESIGN.md,
invariant 6): each reads the object (and the related pods, slices, leases and events it needs)
and returns kubectl's text. Kinds without a describer get the generic one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from minikctl.session import Session

Describer = Callable[["Session", dict[str, Any], bool], str]

# (group, kind) -> "module:function", imported on use
DESCRIBERS: dict[tuple[str, str], str] = {
    ("", "Pod"): "pods:describe_pod",
    ("", "ReplicationController"): "pods:describe_replication_controller",
    ("", "Service"): "services:describe_service",
    ("", "Endpoints"): "services:describe_endpoints",
    ("discovery.k8s.io", "EndpointSlice"): "services:describe_endpoint_slice",
    ("", "Node"): "nodes:describe_node",
    ("", "Namespace"): "configs:describe_namespace",
    ("", "ConfigMap"): "configs:describe_config_map",
    ("", "Secret"): "configs:describe_secret",
}


def describer_for(group: str, kind: str) -> Describer:
    import importlib

    module, _, function = DESCRIBERS.get((group, kind), "generic:describe_generic").partition(":")
    found: Describer = getattr(importlib.import_module(f"minikctl.describe.{module}"), function)
    return found
