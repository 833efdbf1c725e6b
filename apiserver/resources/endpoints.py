"""core/v1 Endpoints: subset validation and the ENDPOINTS cell (ready addresses only, at most
three shown, then "+ N more..."). A PUT of a missing Endpoints creates it.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from apiserver.errors import FieldError, invalid_value, not_supported, required
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType
from apiserver.resources.podvalidation import PROTOCOLS

SHOWN = 3


def _special_ip(ip: str) -> list[str]:
    """ValidateNonSpecialIP without its loopback rule: this server's own address may be
    127.0.0.1, and it publishes that in default/kubernetes."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return []
    if parsed.is_unspecified:
        return [f"may not be unspecified ({ip})"]
    if parsed.is_link_local:
        return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"]
    return []


def _address_errors(address: Obj, path: str) -> list[FieldError]:
    ip = str(address.get("ip") or "")
    errs = [invalid_value(f"{path}.ip", ip, m) for m in names.ip_address(ip) + _special_ip(ip)]
    if address.get("hostname"):
        errs += [invalid_value(f"{path}.hostname", address["hostname"], m)
                 for m in names.dns1123_label(str(address["hostname"]))]
    if address.get("nodeName") is not None:
        errs += [invalid_value(f"{path}.nodeName", address["nodeName"], m)
                 for m in names.dns1123_subdomain(str(address["nodeName"]))]
    return errs


def _port_errors(port: Obj, need_name: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if need_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid_value(f"{path}.name", name, m) for m in names.dns1123_label(str(name))]
    number = port.get("port")
    if not isinstance(number, int):
        number = 0
    errs += [invalid_value(f"{path}.port", number, m) for m in names.port_number(number)]
    if not port.get("protocol"):
        errs.append(required(f"{path}.protocol"))
    elif port["protocol"] not in PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", port["protocol"], PROTOCOLS))
    return errs


def validate(ep: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, subset in enumerate(ep.get("subsets") or []):
        subset, at = subset or {}, f"subsets[{i}]"
        if not subset.get("addresses") and not subset.get("notReadyAddresses"):
            errs.append(required(at, "must specify `addresses` or `notReadyAddresses`"))
        for key in ("addresses", "notReadyAddresses"):
            for j, address in enumerate(subset.get(key) or []):
                errs += _address_errors(address or {}, f"{at}.{key}[{j}]")
        ports = subset.get("ports") or []
        for j, port in enumerate(ports):
            errs += _port_errors(port or {}, len(ports) > 1, f"{at}.ports[{j}]")
    return errs


def default(ep: Obj) -> None:
    for subset in ep.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def _host_port(ip: str, port: Any) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def endpoints_cell(ep: Obj, now: datetime) -> str:
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    entries: list[str] = []
    for subset in subsets:
        addresses = [str((a or {}).get("ip") or "") for a in (subset or {}).get("addresses") or []]
        ports = (subset or {}).get("ports") or []
        if not ports:
            entries += addresses
        for port in ports:
            entries += [_host_port(ip, (port or {}).get("port", 0)) for ip in addresses]
    shown = ",".join(entries[:SHOWN])
    return f"{shown} + {len(entries) - SHOWN} more..." if len(entries) > SHOWN else shown


COLUMNS = (
    NAME_COLUMN,
    Column("Endpoints", endpoints_cell, description="The set of all endpoints is the union of all subsets."),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Endpoints", plural="endpoints", singular="endpoints", namespaced=True,
    short_names=("ep",), columns=COLUMNS, validate_name=names.dns1123_subdomain, create_on_update=True,
    deprecation="v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    default=default, validate=validate,
    description="Endpoints is a collection of endpoints that implement the actual service.",
)
