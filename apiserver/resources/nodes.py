"""core/v1 Node (cluster-scoped, registered by the node agent): allocatable defaulted from
capacity, taint and pod CIDR validation, `spec.unschedulable` as a selectable field, and
the table (STATUS from the Ready condition, ROLES from role labels).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from apiserver.errors import FieldError, duplicate, forbidden_field, invalid_value, not_supported, required
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType, metadata_fields

_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
_ROLE_PREFIX = "node-role.kubernetes.io/"
_ROLE_LABEL = "kubernetes.io/role"


def default(node: Obj) -> None:
    status = node.get("status")
    if isinstance(status, dict) and status.get("capacity") and status.get("allocatable") is None:
        status["allocatable"] = dict(status["capacity"])


def _taint_errors(taints: Any) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(taints or []):
        taint, at = taint or {}, f"spec.taints[{i}]"
        key, effect = str(taint.get("key") or ""), str(taint.get("effect") or "")
        errs += [invalid_value(f"{at}.key", key, m) for m in names.qualified_name(key)]
        if taint.get("value"):
            errs += [invalid_value(f"{at}.value", taint["value"], m) for m in names.label_value(str(taint["value"]))]
        if not effect:
            errs.append(required(f"{at}.effect"))
        elif effect not in _EFFECTS:
            errs.append(not_supported(f"{at}.effect", effect, _EFFECTS))
        if (key, effect) in seen:
            errs.append(duplicate(at, taint))
        seen.add((key, effect))
    return errs


def _cidr_errors(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, cidr in enumerate(spec.get("podCIDRs") or []):
        try:
            ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            errs.append(invalid_value(f"spec.podCIDRs[{i}]", cidr,
                                      "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
    return errs


def validate(node: Obj) -> list[FieldError]:
    spec = node.get("spec") or {}
    return _taint_errors(spec.get("taints")) + _cidr_errors(spec)


def validate_update(new: Obj, old: Obj) -> list[FieldError]:
    before, after = (old.get("spec") or {}).get("podCIDRs") or [], (new.get("spec") or {}).get("podCIDRs") or []
    if before and after != before:
        return [forbidden_field("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid')]
    return []


def fields(node: Obj) -> dict[str, str]:
    return {**metadata_fields(node),
            "spec.unschedulable": "true" if (node.get("spec") or {}).get("unschedulable") else "false"}


def status_cell(node: Obj, now: datetime) -> str:
    ready = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
    parts = ["Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")]
    if (node.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def roles_cell(node: Obj, now: datetime) -> str:
    roles = set()
    for key, value in ((node.get("metadata") or {}).get("labels") or {}).items():
        if key.startswith(_ROLE_PREFIX) and key[len(_ROLE_PREFIX):]:
            roles.add(key[len(_ROLE_PREFIX):])
        elif key == _ROLE_LABEL and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _address(kind: str) -> Any:
    def cell(node: Obj, now: datetime) -> str:
        for address in (node.get("status") or {}).get("addresses") or []:
            if address.get("type") == kind:
                return str(address.get("address") or "")
        return "<none>"
    return cell


def _info(key: str, fallback: str) -> Any:
    def cell(node: Obj, now: datetime) -> str:
        return str(((node.get("status") or {}).get("nodeInfo") or {}).get(key) or fallback)
    return cell


COLUMNS = (
    NAME_COLUMN,
    Column("Status", status_cell, description="The status of the node"),
    Column("Roles", roles_cell, description="The roles of the node"),
    AGE_COLUMN,
    Column("Version", _info("kubeletVersion", ""), description="Kubelet Version reported by the node."),
    Column("Internal-IP", _address("InternalIP"), priority=1, description="List of addresses reachable to the node."),
    Column("External-IP", _address("ExternalIP"), priority=1, description="List of addresses reachable to the node."),
    Column("OS-Image", _info("osImage", "<unknown>"), priority=1, description="OS Image reported by the node."),
    Column("Kernel-Version", _info("kernelVersion", "<unknown>"), priority=1,
           description="Kernel Version reported by the node."),
    Column("Container-Runtime", _info("containerRuntimeVersion", "<unknown>"), priority=1,
           description="ContainerRuntime Version reported by the node through runtime remote API."),
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Node", plural="nodes", singular="node", namespaced=False,
    short_names=("no",), subresources=("status",), columns=COLUMNS, fields=fields,
    validate_name=names.dns1123_subdomain, has_status=True, default=default, validate=validate,
    validate_update=validate_update,
    description="Node is a worker node in Kubernetes.",
)
