"""Waiting for a condition on one object, the way `kubectl wait` watches for it.

Conditions: `condition=Type[=value]` (a status.conditions entry, value compared without case,
default "true"), `jsonpath={.path}[=value]`, `delete` and `create`. Each object is watched with
the watch-list protocol (initial events, then the `initial-events-end` bookmark) on its name, so
a condition that already holds is seen at once; the wait ends at the deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from minikctl.errors import ApiError, MinikctlError
from minikctl.printing.jsonpath import JSONPath, JSONPathError, relaxed, text_of
from minikctl.targets import Target

if TYPE_CHECKING:
    from minikctl.session import Session


@dataclass(frozen=True)
class Condition:
    kind: str  # condition | jsonpath | delete | create
    name: str = ""
    value: str = ""


def _split_jsonpath(text: str) -> list[str]:
    """Split on single `=`; `==` (a filter's comparison) stays inside a part."""
    parts, current, index = [], "", 0
    while index < len(text):
        if text[index] == "=" and text[index + 1:index + 2] == "=":
            current, index = current + "==", index + 2
            continue
        if text[index] == "=":
            parts.append(current)
            current = ""
        else:
            current += text[index]
        index += 1
    return parts + [current]


def _parse_jsonpath(text: str) -> Condition:
    parts = _split_jsonpath(text)
    if len(parts) > 2:
        raise MinikctlError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}"
                            "'=3 or --for=jsonpath='{.status.readyReplicas}'")
    try:
        expression = relaxed(parts[0]) if parts[0] else ""
        if not expression:
            raise MinikctlError("jsonpath expression cannot be empty")
        JSONPath(expression)
    except JSONPathError as err:
        raise MinikctlError(str(err)) from None
    value = parts[1].strip("'\"") if len(parts) == 2 else ""
    if len(parts) == 2 and not value:
        raise MinikctlError("jsonpath wait has to have a value after equal sign, like "
                            "--for=jsonpath='{.status.readyReplicas}'=3")
    return Condition("jsonpath", expression, value)


def parse_for(spec: str) -> Condition:
    if spec.lower() in ("delete", "create"):
        return Condition(spec.lower())
    if spec.startswith("condition="):
        name, eq, value = spec[len("condition="):].partition("=")
        return Condition("condition", name, value if eq else "true")
    if spec.startswith("jsonpath="):
        return _parse_jsonpath(spec[len("jsonpath="):])
    raise MinikctlError(f'unrecognized condition: "{spec}"')


def parse_all(specs: tuple[str, ...]) -> list[Condition]:
    """The conditions in the order they are waited for: `create` first, then as given."""
    if not specs:
        raise MinikctlError("unrecognized condition: []")
    conditions = [parse_for(spec) for spec in specs]
    return sorted(conditions, key=lambda c: c.kind != "create")


def _generation_seen(obj: dict[str, Any], item: dict[str, Any]) -> bool:
    """A condition observed for an older generation does not count."""
    generation = (obj.get("metadata") or {}).get("generation")
    observed = item.get("observedGeneration", (obj.get("status") or {}).get("observedGeneration"))
    return not (isinstance(generation, int) and isinstance(observed, int)
                and observed < generation)


def _jsonpath_met(condition: Condition, obj: dict[str, Any]) -> bool:
    results = JSONPath(condition.name).find_results(obj)
    if not results or not results[0]:
        return False
    if len(results) > 1:
        raise MinikctlError("given jsonpath expression matches more than one list")
    if len(results[0]) > 1:
        raise MinikctlError("given jsonpath expression matches more than one value")
    if not condition.value:
        return True
    if isinstance(results[0][0], (dict, list)):
        raise MinikctlError("jsonpath leads to a nested object or list which is not supported")
    return text_of(results[0][0]).strip() == condition.value.strip()


def met(condition: Condition, obj: dict[str, Any]) -> bool:
    if condition.kind == "condition":
        for item in (obj.get("status") or {}).get("conditions") or []:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                continue
            if item["type"].casefold() != condition.name.casefold() or "status" not in item:
                continue
            if not _generation_seen(obj, item):
                return False
            return str(item.get("status")).casefold() == condition.value.casefold()
        return False
    if condition.kind == "jsonpath":
        return _jsonpath_met(condition, obj)
    return condition.kind == "create"


def _watch_query(name: str, remaining: float) -> dict[str, str]:
    return {"fieldSelector": f"metadata.name={name}", "sendInitialEvents": "true",
            "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true",
            "timeoutSeconds": str(max(1, int(remaining + 0.999)))}


def wait_for(session: Session, target: Target, condition: Condition, deadline: float,
             uid: str | None) -> bool:
    """True once the condition holds on the object (for `delete`: once it is gone or replaced);
    False at the deadline. Re-watches when the server ends a stream early."""
    path = target.resource.path(target.namespace)
    if condition.kind == "delete" and deadline <= time.monotonic():
        # kubectl's first read already carries the expired deadline
        raise MinikctlError("context deadline exceeded")
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        seen = False
        for event in session.client.watch(path, _watch_query(str(target.name), remaining),
                                          timeout=remaining + 1):
            kind, obj = event.get("type"), event.get("object") or {}
            if kind == "ERROR":
                raise ApiError(obj)
            if kind == "BOOKMARK":
                if condition.kind == "delete" and not seen:
                    return True
                continue
            seen = True
            if condition.kind == "delete":
                if kind == "DELETED" or (uid and (obj.get("metadata") or {}).get("uid") != uid):
                    return True
            elif kind != "DELETED" and met(condition, obj):
                return True
            if time.monotonic() >= deadline:
                return False


def check_once(session: Session, target: Target, condition: Condition, uid: str | None) -> None:
    """`--timeout=0`: one read; raises unless the condition already holds."""
    try:
        obj: dict[str, Any] | None = session.client.get(target.path)
    except ApiError as err:
        if not (err.is_not_found() and condition.kind == "delete"):
            raise
        obj = None
    if condition.kind == "delete":
        done = obj is None or (uid and (obj.get("metadata") or {}).get("uid") != uid)
    else:
        done = obj is not None and met(condition, obj)
    if not done:
        raise MinikctlError(f"condition not met for {target.resource.plural}/{target.name}")


def _exists(session: Session, target: Target, query: dict[str, str]) -> bool:
    if target.name is not None:
        try:
            session.client.get(target.path)
            return True
        except ApiError as err:
            if err.is_not_found():
                return False
            raise
    listed = session.client.get(target.resource.path(target.namespace), query)
    return bool(listed.get("items"))


def wait_created(session: Session, targets: list[Target], query: dict[str, str],
                 deadline: float) -> None:
    """`--for=create`, waited before anything else: every target (or, for a collection, some
    object matching the selector) exists, polled until the deadline."""
    for target in targets:
        while not _exists(session, target, query):
            if time.monotonic() >= deadline:
                raise MinikctlError("timed out waiting for the condition")
            time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))
