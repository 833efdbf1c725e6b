"""The Events section of a description: which events belong to an object, and their table.

Events are found as kubectl finds them, with a field selector on involvedObject name, namespace,
uid and (except for pods, whose reference carries no kind) kind, read in chunks; they are shown
oldest first by their last time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datetime import datetime, timezone

from minikctl.describe.writer import PrefixWriter, parse_time, since
from minikctl.errors import ApiError, MinikctlError

if TYPE_CHECKING:
    from minikctl.session import Session

CHUNK = 500
_ZERO = datetime.min.replace(tzinfo=timezone.utc)


def field_selector(name: str, namespace: str, kind: str, uid: str) -> str:
    """fields.Set.AsSelector(): terms sorted by field name."""
    terms = {"involvedObject.name": name, "involvedObject.namespace": namespace}
    if kind:
        terms["involvedObject.kind"] = kind
    if uid:
        terms["involvedObject.uid"] = uid
    return ",".join(f"{k}={v}" for k, v in sorted(terms.items()))


def search_events(session: Session, namespace: str, name: str, kind: str,
                  uid: str) -> list[dict[str, Any]]:
    """Every event about one object; an error means no events, as in kubectl."""
    from minikctl.fetch import list_items
    from minikctl.targets import Target

    try:
        events = session.discovery.resolve("events")
        target = Target(events, None, namespace or None)
        selector = field_selector(name, namespace, kind, uid)
        return list_items(session.client, target, {"fieldSelector": selector}, CHUNK)
    except (ApiError, MinikctlError):  # kubectl ignores a failed event search
        return []


def events_of(session: Session, obj: dict[str, Any], with_kind: bool = True) -> list[dict[str, Any]]:
    meta = obj.get("metadata") or {}
    return search_events(session, str(meta.get("namespace") or ""), str(meta.get("name") or ""),
                         str(obj.get("kind") or "") if with_kind else "", str(meta.get("uid") or ""))


def _sort_time(event: dict[str, Any]) -> datetime:
    """kubectl's eventTime(): the series' last time, else lastTimestamp, else eventTime."""
    series = event.get("series")
    if isinstance(series, dict):
        return parse_time(series.get("lastObservedTime")) or _ZERO
    return parse_time(event.get("lastTimestamp") or event.get("eventTime")) or _ZERO


def _age(event: dict[str, Any]) -> str:
    first = since(event.get("eventTime")) if event.get("eventTime") else since(
        event.get("firstTimestamp"))
    series = event.get("series")
    if isinstance(series, dict):
        return f"{since(series.get('lastObservedTime'))} (x{series.get('count', 0)} over {first})"
    count = event.get("count") or 0
    if isinstance(count, int) and count > 1:
        return f"{since(event.get('lastTimestamp'))} (x{count} over {first})"
    return first


def describe_events(events: list[dict[str, Any]], w: PrefixWriter) -> None:
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in sorted(events, key=_sort_time):
        source = (event.get("source") or {}).get("component") or event.get(
            "reportingComponent") or ""
        message = str(event.get("message") or "").strip()
        path = (event.get("involvedObject") or {}).get("fieldPath")
        if path:
            message = f"{path}: {message}"
        w.write(1, f"{event.get('type') or ''}\t{event.get('reason') or ''}\t{_age(event)}\t"
                   f"{source}\t{message}\n")
