"""core/v1 Service: defaults, IP family fields, ClusterIP/NodePort allocation as admission
(allocation runs before the name check, as in kube, so re-creating a Service that pins a
nodePort gets 422 "already allocated"), the table and selectable fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apiserver import errors
from apiserver.machinery import names
from apiserver.resources import serviceallocation as alloc
from apiserver.resources.base import (AGE_COLUMN, NAME_COLUMN, AdmissionContext, Column, Obj, ResourceType,
                                     metadata_fields)
from apiserver.resources.servicevalidation import (cluster_ip_errors, externally_accessible, is_headless, validate,
                                                   validate_update)

_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


def _spec(svc: Obj) -> Obj:
    spec = svc.get("spec")
    if not isinstance(spec, dict):
        spec = svc["spec"] = {}
    return spec


def default(svc: Obj) -> None:
    spec = _spec(svc)
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if port.get("targetPort") in (None, 0, ""):
                port["targetPort"] = port.get("port")
    if not spec.get("externalTrafficPolicy") and externally_accessible(spec):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and spec["type"] in ("ClusterIP", "NodePort", "LoadBalancer"):
        spec["internalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]  # old clients set only the singular field
    elif spec.get("clusterIPs") and not spec.get("clusterIP"):
        spec["clusterIP"] = spec["clusterIPs"][0]


def _patch_allocated(spec: Obj, old: Obj) -> None:
    """patchAllocatedValues: a PUT that leaves out allocated values keeps the stored ones."""
    if spec.get("type") != "ExternalName" and old.get("type") != "ExternalName":
        if not spec.get("clusterIP") and old.get("clusterIP"):
            spec["clusterIP"] = old["clusterIP"]
        if not spec.get("clusterIPs") and old.get("clusterIPs"):
            spec["clusterIPs"] = list(old["clusterIPs"])
    if spec.get("type") in _NODE_PORT_TYPES and old.get("type") in _NODE_PORT_TYPES:
        used = set(alloc.node_ports({"spec": {"ports": spec.get("ports")}}))
        by_name = {p.get("name"): p.get("nodePort") for p in old.get("ports") or [] if isinstance(p, dict)}
        for port in spec.get("ports") or []:
            if isinstance(port, dict) and not port.get("nodePort"):
                previous = by_name.get(port.get("name"))
                if previous and previous not in used:
                    port["nodePort"] = previous
    if _needs_health_check(spec) and _needs_health_check(old) and not spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = old.get("healthCheckNodePort")


def _needs_health_check(spec: Obj) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _family_of(ip: str) -> str | None:
    return None if names.ip_address(ip) else ("IPv6" if ":" in ip else "IPv4")


def init_ip_families(svc: Obj, old: Obj | None) -> None:
    """initIPFamilyFields on a single-stack IPv4 cluster: policy and families, or a 422."""
    spec = _spec(svc)
    if spec.get("type") == "ExternalName":
        return
    name = (svc.get("metadata") or {}).get("name", "")
    loose = cluster_ip_errors(spec)  # kube pre-validates these before touching families
    if loose:
        raise errors.invalid("Service", "", name, loose)
    selectorless_headless = spec.get("clusterIP") == "None" and not spec.get("selector")
    if not spec.get("ipFamilyPolicy"):
        old_policy = ((old or {}).get("spec") or {}).get("ipFamilyPolicy")
        spec["ipFamilyPolicy"] = old_policy or ("RequireDualStack" if selectorless_headless else "SingleStack")
    errs: list[errors.FieldError] = []
    families = list(spec.get("ipFamilies") or [])
    for i, ip in enumerate(spec.get("clusterIPs") or []):
        family = _family_of(str(ip))
        if ip == "None" or family is None:
            break
        if i >= len(families):
            if family != "IPv4":
                errs.append(errors.invalid_value(f"spec.clusterIPs[{i}]", spec["clusterIPs"],
                                                 f"{family} is not configured on this cluster"))
            else:
                families.append(family)
    if not errs and selectorless_headless:
        families = families or ["IPv4"]
        if len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = families
        return
    if spec["ipFamilyPolicy"] == "RequireDualStack":
        errs.append(errors.invalid_value("spec.ipFamilyPolicy", "RequireDualStack",
                                         "this cluster is not configured for dual-stack services"))
    errs += [errors.invalid_value(f"spec.ipFamilies[{i}]", f, "not configured on this cluster")
             for i, f in enumerate(families) if f != "IPv4"]
    if errs:
        raise errors.invalid("Service", "", name, errs)
    spec["ipFamilies"] = families or ["IPv4"]


def _needs_cluster_ip(spec: Obj, old_spec: Obj | None) -> bool:
    if spec.get("type") == "ExternalName" or is_headless(spec):
        return False
    # An update keeps the IPs it has (their immutability is validated); from ExternalName it gets new ones.
    return old_spec is None or old_spec.get("type") == "ExternalName" or not old_spec.get("clusterIPs")


async def admit(svc: Obj, old: Obj | None, ctx: AdmissionContext) -> None:
    spec = _spec(svc)
    old_spec = (old or {}).get("spec") if old is not None else None
    if old_spec is not None:
        _patch_allocated(spec, old_spec)
    init_ip_families(svc, old)
    allocator = await alloc.allocator(ctx)
    reservation = alloc.Reservation(allocator)
    try:
        if _needs_cluster_ip(spec, old_spec):
            alloc.allocate_cluster_ip(svc, reservation)
        auto = spec.get("type") == "NodePort" or bool(spec.get("allocateLoadBalancerNodePorts"))
        if spec.get("type") in _NODE_PORT_TYPES:
            if old is None:
                alloc.init_node_ports(svc, reservation, auto)
            else:
                alloc.update_node_ports(svc, set(alloc.node_ports(old)), reservation, auto)
        if _needs_health_check(spec):
            alloc.allocate_health_check_port(svc, alloc.node_ports(old) if old else [], reservation)
    except errors.StatusError:
        reservation.undo()
        raise


async def release(svc: Obj, ctx: AdmissionContext) -> None:
    await alloc.release_unheld(svc, ctx)


def prepare_for_create(svc: Obj) -> None:
    svc["status"] = {"loadBalancer": {}}


def prepare_for_update(new: Obj, old: Obj) -> None:
    """dropTypeDependentFields: what the new type no longer uses goes, if unchanged."""
    spec, old_spec = _spec(new), old.get("spec") or {}
    if spec.get("type") == "ExternalName" and old_spec.get("type") != "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)
    if spec.get("type") not in _NODE_PORT_TYPES:
        old_ports = set(alloc.node_ports(old))
        for port in spec.get("ports") or []:
            if isinstance(port, dict) and port.get("nodePort") in old_ports:
                port.pop("nodePort")
    if spec.get("type") != "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") == old_spec.get(
            "allocateLoadBalancerNodePorts"):
        spec.pop("allocateLoadBalancerNodePorts", None)
    if not externally_accessible(spec) and spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    if not _needs_health_check(spec) and spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
        spec.pop("healthCheckNodePort", None)


def fields(svc: Obj) -> dict[str, str]:
    spec = svc.get("spec") or {}
    return {**metadata_fields(svc), "spec.clusterIP": str(spec.get("clusterIP") or ""),
            "spec.type": str(spec.get("type") or "")}


def _external_ip(svc: Obj, now: datetime) -> str:
    spec = svc.get("spec") or {}
    kind, external = spec.get("type"), list(spec.get("externalIPs") or [])
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "LoadBalancer":
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        found = sorted({i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")})
        shown = found + external
        return ",".join(shown) if shown else "<pending>"
    if kind == "ExternalName":
        return str(spec.get("externalName") or "")
    return "<unknown>"


def _ports_cell(svc: Obj, now: datetime) -> str:
    pieces = []
    for p in (svc.get("spec") or {}).get("ports") or []:
        protocol, port, node = p.get("protocol", ""), p.get("port", 0), p.get("nodePort") or 0
        pieces.append(f"{port}:{node}/{protocol}" if node > 0 else f"{port}/{protocol}")
    return ",".join(pieces) or "<none>"


def _selector_cell(svc: Obj, now: datetime) -> str:
    from apiserver.machinery.selectors import format_label_map

    return format_label_map((svc.get("spec") or {}).get("selector") or {})


def _cluster_ip(svc: Obj, now: Any) -> str:
    ips = (svc.get("spec") or {}).get("clusterIPs") or []
    return str(ips[0]) if ips else "<none>"


COLUMNS = (
    NAME_COLUMN,
    Column("Type", lambda s, now: str((s.get("spec") or {}).get("type") or ""),
           description="type determines how the Service is exposed."),
    Column("Cluster-IP", _cluster_ip, description="clusterIP is the IP address of the service."),
    Column("External-IP", _external_ip, description="externalIPs is a list of IP addresses for which "
                                                    "nodes in the cluster will also accept traffic for this service."),
    Column("Port(s)", _ports_cell, description="The list of ports that are exposed by this service."),
    AGE_COLUMN,
    Column("Selector", _selector_cell, priority=1,
           description="Route service traffic to pods with label keys and values matching this selector."),
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Service", plural="services", singular="service", namespaced=True,
    short_names=("svc",), categories=("all",), subresources=("status",), columns=COLUMNS, fields=fields,
    validate_name=names.dns1035_label, has_status=True, create_on_update=True, delete_returns_object=True,
    default=default, admit=admit, release=release, prepare_for_create=prepare_for_create,
    prepare_for_update=prepare_for_update, validate=validate, validate_update=validate_update,
    description="Service is a named abstraction of software service (for example, mysql).",
)
