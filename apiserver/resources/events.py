"""core/v1 Event: timestamps normalised (eventTime and series.lastObservedTime as MicroTime,
which kubectl needs), the legacy core/v1 validation, the selectable fields and the table.
Event names only have to be path segments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from apiserver.errors import FieldError, invalid_value, required
from apiserver.machinery import names
from apiserver.machinery.duration import format_micro_time, format_time, parse_time, since
from apiserver.resources.base import NAME_COLUMN, Column, Obj, ResourceType, metadata_fields

_LIMITS = (("reportingInstance", 128), ("action", 128), ("reason", 128), ("message", 1024))


def _normalise(holder: Any, key: str, fmt: Callable[[datetime], str]) -> None:
    if isinstance(holder, dict) and holder.get(key):
        try:
            holder[key] = fmt(parse_time(str(holder[key])))
        except ValueError:
            pass  # left as sent; decoding errors are not ours to invent


def default(event: Obj) -> None:
    _normalise(event, "firstTimestamp", format_time)
    _normalise(event, "lastTimestamp", format_time)
    _normalise(event, "eventTime", format_micro_time)
    _normalise(event.get("series"), "lastObservedTime", format_micro_time)


def _new_style_errors(event: Obj, namespace: str, involved_ns: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not involved_ns and namespace not in ("default", "kube-system"):
        errs.append(invalid_value("involvedObject.namespace", involved_ns, "does not match event.namespace"))
    controller = str(event.get("reportingComponent") or "")
    if not controller:
        errs.append(required("reportingController"))
    errs += [invalid_value("reportingController", controller, m) for m in names.qualified_name(controller)]
    for key, limit in _LIMITS:
        value = str(event.get(key) or "")
        if not value and key != "message":
            errs.append(required(key))
        if len(value) > limit:
            errs.append(invalid_value(key, "", f"can have at most {limit} characters"))
    return errs


def validate(event: Obj) -> list[FieldError]:
    """legacyValidateEvent (core/v1 requests skip the strict events.k8s.io checks)."""
    namespace = str((event.get("metadata") or {}).get("namespace") or "")
    involved_ns = str((event.get("involvedObject") or {}).get("namespace") or "")
    if not event.get("eventTime"):
        if (not involved_ns and namespace not in ("", "default")) or (involved_ns and namespace != involved_ns):
            errs = [invalid_value("involvedObject.namespace", involved_ns, "does not match event.namespace")]
        else:
            errs = []
    else:
        errs = _new_style_errors(event, namespace, involved_ns)
    return errs + [invalid_value("namespace", namespace, m) for m in names.dns1123_subdomain(namespace)]


def fields(event: Obj) -> dict[str, str]:
    involved = event.get("involvedObject") or {}
    source = (event.get("source") or {}).get("component") or event.get("reportingComponent") or ""
    out = {f"involvedObject.{k}": str(involved.get(k) or "")
           for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")}
    out.update({"reason": str(event.get("reason") or ""),
                "reportingComponent": str(event.get("reportingComponent") or ""),
                "source": str(source), "type": str(event.get("type") or "")})
    return {**metadata_fields(event), **out}


def first_seen(event: Obj, now: datetime) -> str:
    return since(event.get("firstTimestamp") or event.get("eventTime"), now)


def last_seen(event: Obj, now: datetime) -> str:
    series = event.get("series")
    if series:
        return since(series.get("lastObservedTime"), now)
    return since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first_seen(event, now)


def count_cell(event: Obj, now: datetime) -> int:
    series = event.get("series")
    if series:
        return int(series.get("count") or 0)
    return int(event.get("count") or 0) or 1


def object_cell(event: Obj, now: datetime) -> str:
    involved = event.get("involvedObject") or {}
    kind = str(involved.get("kind") or "").lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def source_cell(event: Obj, now: datetime) -> str:
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {host}" if host else str(component)


COLUMNS = (
    Column("Last Seen", last_seen,
           description="The time at which the most recent occurrence of this event was recorded."),
    Column("Type", lambda e, now: str(e.get("type") or ""), description="Type of this event (Normal, Warning)."),
    Column("Reason", lambda e, now: str(e.get("reason") or ""), description="The reason for the transition."),
    Column("Object", object_cell, description="The object that this event is about."),
    Column("Subobject", lambda e, now: str((e.get("involvedObject") or {}).get("fieldPath") or ""), priority=1,
           description="The field of the object this event is about."),
    Column("Source", source_cell, priority=1, description="The component reporting this event."),
    Column("Message", lambda e, now: str(e.get("message") or "").strip(),
           description="A human-readable description of the status of this operation."),
    Column("First Seen", first_seen, priority=1,
           description="The time at which the event was first recorded."),
    Column("Count", count_cell, priority=1, description="The number of times this event has occurred."),
    Column("Name", lambda e, now: (e.get("metadata") or {}).get("name", ""), priority=1, format="name",
           description=NAME_COLUMN.description),
)

RESOURCE = ResourceType(
    group="", version="v1", kind="Event", plural="events", singular="event", namespaced=True,
    short_names=("ev",), columns=COLUMNS, fields=fields, validate_name=None, create_on_update=True,
    default=default, validate=validate,
    description="Event is a report of an event somewhere in the cluster.",
)
