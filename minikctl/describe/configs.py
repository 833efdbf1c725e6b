"""`describe configmap`, `describe secret` and `describe namespace`."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from minikctl.describe.events import describe_events, events_of
from minikctl.describe.writer import (PrefixWriter, annotations_multiline, labels_multiline,
                                      rfc1123z)
from minikctl.errors import ApiError

if TYPE_CHECKING:
    from minikctl.session import Session


def _header(w: PrefixWriter, obj: dict[str, Any], namespaced: bool = True) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


def describe_config_map(session: Session, cm: dict[str, Any], show_events: bool) -> str:
    w = PrefixWriter()
    _header(w, cm)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(0, "\n")
    if show_events:
        describe_events(events_of(session, cm), w)
    return w.text()


def _decoded(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return str(value).encode()


def describe_secret(session: Session, secret: dict[str, Any], show_events: bool) -> str:
    w = PrefixWriter()
    _header(w, secret)
    kind = secret.get("type") or ""
    w.write(0, f"\nType:\t{kind}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        raw = _decoded(data[key])
        if key == "token" and kind == "kubernetes.io/service-account-token":
            w.write(0, f"{key}:\t{raw.decode('utf-8', 'replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(raw)} bytes\n")
    return w.text()


def _quotas_and_limits(session: Session, namespace: str) -> tuple[list[Any] | None,
                                                                   list[Any] | None]:
    """ResourceQuotas and LimitRanges of the namespace; None when the server has no such kind."""
    found: list[list[Any] | None] = []
    for plural in ("resourcequotas", "limitranges"):
        try:
            found.append(list(session.client.get(f"/api/v1/namespaces/{namespace}/{plural}",
                                                 {"limit": 500}).get("items") or []))
        except ApiError as err:
            if not err.is_not_found():
                raise
            found.append(None)
    return found[0], found[1]


def describe_namespace(session: Session, ns: dict[str, Any], show_events: bool) -> str:
    meta, status = ns.get("metadata") or {}, ns.get("status") or {}
    quotas, limits = _quotas_and_limits(session, str(meta.get("name") or ""))
    w = PrefixWriter()
    _header(w, ns, namespaced=False)
    w.write(0, f"Status:\t{status.get('phase') or ''}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            when = rfc1123z(c.get("lastTransitionTime"))
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{when}"
                       f"\t{c.get('reason') or ''}\t{c.get('message') or ''}\n")
    if quotas is not None:
        w.write(0, "\n")
        w.write(0, "No resource quota.\n" if not quotas else "Resource Quotas\n")
    if limits is not None:
        w.write(0, "\n")
        w.write(0, "No LimitRange resource.\n" if not limits else "Resource Limits\n")
    return w.text()
