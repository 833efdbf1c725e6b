"""discovery.k8s.io/v1 EndpointSlice: port defaults, address validation per address type,
and the table (NAME ADDRESSTYPE PORTS ENDPOINTS AGE, three entries then "+ N more...").
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from apiserver.errors import FieldError, invalid_value, not_supported, required
from apiserver.machinery import names
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column, Obj, ResourceType
from apiserver.resources.podvalidation import PROTOCOLS

ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]
SHOWN = 3


def default(eps: Obj) -> None:
    for port in eps.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("name", "")
            port.setdefault("protocol", "TCP")


def _address_errors(kind: str, address: str) -> list[str]:
    if kind == "FQDN":
        return names.dns1123_subdomain(address)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    wanted = 4 if kind == "IPv4" else 6
    if parsed is None or parsed.version != wanted:
        return [f"must be a valid IPv{wanted} address"]
    return []


def _endpoint_errors(kind: str, endpoints: Any) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, endpoint in enumerate(endpoints or []):
        addresses, at = (endpoint or {}).get("addresses") or [], f"endpoints[{i}].addresses"
        if not addresses:
            errs.append(required(at, "must contain at least 1 address"))
        for j, address in enumerate(addresses):
            errs += [invalid_value(f"{at}[{j}]", address, m) for m in _address_errors(kind, str(address))]
    return errs


def _port_errors(ports: Any) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, port in enumerate(ports or []):
        port, at = port or {}, f"ports[{i}]"
        if port.get("name"):
            errs += [invalid_value(f"{at}.name", port["name"], m) for m in names.dns1123_label(str(port["name"]))]
        if port.get("protocol") not in PROTOCOLS:
            errs.append(not_supported(f"{at}.protocol", port.get("protocol"), PROTOCOLS))
        if port.get("port") is not None:
            number = port["port"] if isinstance(port["port"], int) else 0
            errs += [invalid_value(f"{at}.port", port["port"], m) for m in names.port_number(number)]
    return errs


def validate(eps: Obj) -> list[FieldError]:
    kind = eps.get("addressType")
    if not kind:
        errs = [required("addressType")]
    elif kind not in ADDRESS_TYPES:
        errs = [not_supported("addressType", kind, ADDRESS_TYPES)]
    else:
        errs = _endpoint_errors(kind, eps.get("endpoints"))
    return errs + _port_errors(eps.get("ports"))


def _more(entries: list[str]) -> str:
    """listWithMoreString: three entries, then the count of the rest; nothing is `<unset>`."""
    if len(entries) > SHOWN:
        return f"{','.join(entries[:SHOWN])} + {len(entries) - SHOWN} more..."
    return ",".join(entries) or "<unset>"


def ports_cell(eps: Obj, now: datetime) -> str:
    entries = []
    for port in eps.get("ports") or []:
        port = port or {}
        if port.get("port") is not None:
            entries.append(str(port["port"]))
        else:
            entries.append(str(port["name"]) if port.get("name") is not None else "*")
    return _more(entries)


def endpoints_cell(eps: Obj, now: datetime) -> str:
    return _more([str(a) for e in eps.get("endpoints") or [] for a in (e or {}).get("addresses") or []])


COLUMNS = (
    NAME_COLUMN,
    Column("AddressType", lambda e, now: str(e.get("addressType") or ""),
           description="addressType specifies the type of address carried by this EndpointSlice."),
    Column("Ports", ports_cell, description="ports specifies the list of network ports exposed by each endpoint."),
    Column("Endpoints", endpoints_cell, description="endpoints is a list of unique endpoints in this slice."),
    AGE_COLUMN,
)

RESOURCE = ResourceType(
    group="discovery.k8s.io", version="v1", kind="EndpointSlice", plural="endpointslices",
    singular="endpointslice", namespaced=True, columns=COLUMNS, validate_name=names.dns1123_subdomain,
    default=default, validate=validate,
    description="EndpointSlice represents a subset of the endpoints that implement a service.",
)
