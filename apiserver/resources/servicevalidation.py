"""Service validation (ValidateService, ValidateServiceUpdate in pkg/apis/core/validation),
with kube's field paths and messages. Allocation errors are raised earlier, by admission.
"""

from __future__ import annotations

from typing import Any

from apiserver.errors import FieldError, duplicate, forbidden_field, invalid_value, not_supported, required
from apiserver.machinery import names
from apiserver.machinery.objectmeta import validate_labels
from apiserver.resources.podvalidation import PROTOCOLS

Obj = dict[str, Any]

TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
_AFFINITIES = ["ClientIP", "None"]
_TRAFFIC_POLICIES = ["Cluster", "Local"]
_FAMILIES = ["IPv4", "IPv6"]
_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"]
_MAX_AFFINITY_SECONDS = 86400


def is_headless(spec: Obj) -> bool:
    ips = spec.get("clusterIPs") or []
    return len(ips) == 1 and ips[0] == "None"


def externally_accessible(spec: Obj) -> bool:
    kind = spec.get("type")
    return kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(spec.get("externalIPs")))


def _target_port(port: Obj, path: str) -> list[FieldError]:
    target = port.get("targetPort")
    if isinstance(target, str):
        return [invalid_value(path, target, m) for m in names.port_name(target)]
    number = target if isinstance(target, int) and not isinstance(target, bool) else 0
    return [invalid_value(path, number, m) for m in names.port_number(number)]


def _port(port: Obj, need_name: bool, seen: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if need_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid_value(f"{path}.name", name, m) for m in names.dns1123_label(name)]
        if name in seen:
            errs.append(duplicate(f"{path}.name", name))
        seen.add(name)
    number = port.get("port")
    number = number if isinstance(number, int) and not isinstance(number, bool) else 0
    errs += [invalid_value(f"{path}.port", number, m) for m in names.port_number(number)]
    if not port.get("protocol"):
        errs.append(required(f"{path}.protocol"))
    elif port["protocol"] not in PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", port["protocol"], PROTOCOLS))
    errs += _target_port(port, f"{path}.targetPort")
    if port.get("appProtocol"):
        errs += [invalid_value(f"{path}.appProtocol", port["appProtocol"], m)
                 for m in names.qualified_name(str(port["appProtocol"]))]
    return errs


def _listed_ports(spec: Obj) -> list[Obj]:
    return [p if isinstance(p, dict) else {} for p in spec.get("ports") or []]


def _port_list(spec: Obj) -> list[FieldError]:
    ports = _listed_ports(spec)
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, port in enumerate(ports):
        errs += _port(port, len(ports) > 1, seen, f"spec.ports[{i}]")
    return errs


def _node_port_rules(spec: Obj) -> list[FieldError]:
    """nodePort on ClusterIP, duplicate (protocol, nodePort) and (protocol, port) pairs."""
    ports = _listed_ports(spec)
    errs: list[FieldError] = []
    if spec.get("type") == "ClusterIP":
        errs += [forbidden_field(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
                 for i, p in enumerate(ports) if p.get("nodePort")]
    node_ports: set[tuple[Any, Any]] = set()
    for i, p in enumerate(ports):
        if p.get("nodePort"):
            key = (p.get("protocol"), p["nodePort"])
            if key in node_ports:
                errs.append(duplicate(f"spec.ports[{i}].nodePort", p["nodePort"]))
            node_ports.add(key)
    pairs: set[tuple[Any, Any]] = set()
    for i, p in enumerate(ports):
        pair = (p.get("protocol"), p.get("port"))
        if pair in pairs:  # kube prints its internal ServicePort struct here
            errs.append(duplicate(f"spec.ports[{i}]", {"Name": "", "Protocol": pair[0], "AppProtocol": None,
                                                      "Port": pair[1], "TargetPort": 0, "NodePort": 0}))
        pairs.add(pair)
    return errs


def _type_rules(spec: Obj) -> list[FieldError]:
    kind = spec.get("type")
    errs: list[FieldError] = []
    if not _listed_ports(spec) and not is_headless(spec) and kind != "ExternalName":
        errs.append(required("spec.ports"))
    if kind in ("LoadBalancer", "NodePort") and is_headless(spec):
        errs.append(invalid_value("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        for key in ("clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(key):
                errs.append(forbidden_field(f"spec.{key}", "may not be set for ExternalName services"))
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs += [invalid_value("spec.externalName", cname, m) for m in names.dns1123_subdomain(cname)]
        else:
            errs.append(required("spec.externalName"))
    return errs


def _type_value(spec: Obj) -> list[FieldError]:
    kind = spec.get("type")
    if not kind:
        return [required("spec.type")]
    return [] if kind in TYPES else [not_supported("spec.type", kind, TYPES)]


def _affinity(spec: Obj) -> list[FieldError]:
    affinity = spec.get("sessionAffinity")
    if not affinity:
        return [required("spec.sessionAffinity")]
    if affinity not in _AFFINITIES:
        return [not_supported("spec.sessionAffinity", affinity, _AFFINITIES)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        if not config:
            return []
        return [forbidden_field("spec.sessionAffinityConfig", "must not be set when session affinity is None")]
    path = "spec.sessionAffinityConfig.clientIP"
    timeout = ((config or {}).get("clientIP") or {}).get("timeoutSeconds")
    if timeout is None:
        return [required(f"{path}.timeoutSeconds", "when session affinity type is ClientIP")]
    if not 0 < timeout <= _MAX_AFFINITY_SECONDS:
        return [invalid_value(f"{path}.timeoutSeconds", timeout,
                              f"must be greater than 0 and less than {_MAX_AFFINITY_SECONDS}")]
    return []


def cluster_ip_errors(spec: Obj) -> list[FieldError]:
    ips, ip = spec.get("clusterIPs") or [], spec.get("clusterIP") or ""
    errs: list[FieldError] = []
    if ip and not ips:
        errs.append(required("spec.clusterIPs"))
    elif ip and ips[0] != ip:
        errs.append(invalid_value("spec.clusterIPs", ips, "first value must match `clusterIP`"))
    elif not ip and ips:
        errs.append(invalid_value("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"))
    for i, value in enumerate(ips):
        if i == 0 and value == "None":
            if len(ips) > 1:
                errs.append(invalid_value("spec.clusterIPs", ips, "'None' must be the first and only value"))
            continue
        errs += [invalid_value(f"spec.clusterIPs[{i}]", value, m) for m in names.ip_address(str(value))]
    if len(ips) > 2:
        errs.append(invalid_value("spec.clusterIPs", ips, "may only hold up to 2 values"))
    for i, family in enumerate(spec.get("ipFamilies") or []):
        if family not in _FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, _FAMILIES))
        if family in (spec.get("ipFamilies") or [])[:i]:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
    policy = spec.get("ipFamilyPolicy")
    if policy and policy not in _FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, _FAMILY_POLICIES))
    return errs


def _traffic(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    kind, external = spec.get("type"), spec.get("externalTrafficPolicy")
    if not externally_accessible(spec):
        if external:
            errs.append(invalid_value("spec.externalTrafficPolicy", external,
                                      "may only be set for externally-accessible services"))
    elif not external:
        errs.append(required("spec.externalTrafficPolicy"))
    elif external not in _TRAFFIC_POLICIES:
        errs.append(not_supported("spec.externalTrafficPolicy", external, _TRAFFIC_POLICIES))
    internal = spec.get("internalTrafficPolicy")
    if internal is None and kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        errs.append(required("spec.internalTrafficPolicy"))
    elif internal is not None and internal not in _TRAFFIC_POLICIES:
        errs.append(not_supported("spec.internalTrafficPolicy", internal, _TRAFFIC_POLICIES))
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errs.append(forbidden_field("spec.allocateLoadBalancerNodePorts",
                                    "may only be used when `type` is 'LoadBalancer'"))
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(required("allocateLoadBalancerNodePorts"))  # sic: kube's path has no "spec."
    return errs


def validate(svc: Obj) -> list[FieldError]:
    """In ValidateService's order, so the joined message reads as kube's does."""
    spec = svc.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    errs = _type_rules(spec) + _port_list(spec)
    if spec.get("selector") is not None:
        errs += validate_labels(spec.get("selector"), "spec.selector")
    errs += _affinity(spec) + cluster_ip_errors(spec)
    for i, ip in enumerate(spec.get("externalIPs") or []):
        errs += [invalid_value(f"spec.externalIPs[{i}]", ip, m) for m in names.ip_address(str(ip))]
    return errs + _type_value(spec) + _node_port_rules(spec) + _traffic(spec)


def validate_update(new: Obj, old: Obj) -> list[FieldError]:
    """clusterIPs never change once set, except to or from ExternalName."""
    spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    if "ExternalName" in (spec.get("type"), old_spec.get("type")):
        return []
    if is_headless(spec) and is_headless(old_spec):
        return []
    ips, old_ips = spec.get("clusterIPs") or [], old_spec.get("clusterIPs") or []
    if len(ips) == len(old_ips):
        return [invalid_value(f"spec.clusterIPs[{i}]", ips, "may not change once set")
                for i, ip in enumerate(old_ips) if ip != ips[i]]
    if not ips and old_ips:
        return [required("spec.clusterIPs", "primary clusterIP can not be unset")]
    return []
