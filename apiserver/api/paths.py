"""The REST URL grammar, and nothing else:

    /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
    /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]

`/api/v1/namespaces/{name}[/status|/finalize]` addresses the Namespace itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from apiserver.resources import by_plural
from apiserver.resources.base import ResourceType


@dataclass(frozen=True)
class Target:
    rt: ResourceType
    namespace: str | None  # None: all namespaces (or a cluster-scoped kind)
    name: str | None
    subresource: str | None


@dataclass(frozen=True)
class GroupVersion:
    group: str
    version: str | None  # None: the group document itself


# Clients ask for the same few paths again and again; the answers never change (the kinds
# are fixed at start), so they are remembered, up to a bound.
_REMEMBERED = 4096
_REMEMBERED_LENGTH = 512
_parsed: dict[str, Target | GroupVersion | None] = {}


def parse(path: str) -> Target | GroupVersion | None:
    try:
        return _parsed[path]
    except KeyError:
        pass
    target = _parse(path)
    if len(path) <= _REMEMBERED_LENGTH:
        if len(_parsed) >= _REMEMBERED:
            _parsed.clear()
        _parsed[path] = target
    return target


def _parse(path: str) -> Target | GroupVersion | None:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0] == "api":
        if len(parts) < 2:
            return None
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis":
        if len(parts) < 2:
            return None
        if len(parts) == 2:
            return GroupVersion(parts[1], None)
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return GroupVersion(group, version)
    return _resource(group, version, rest)


def _resource(group: str, version: str, rest: list[str]) -> Target | None:
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        ns_type = by_plural("", "namespaces")
        if group == "" and len(rest) == 3 and rest[2] in ("status", "finalize") and ns_type is not None:
            return Target(ns_type, None, rest[1], rest[2])
        namespace, rest = rest[1], rest[2:]
    rt = by_plural(group, rest[0])
    if rt is None or rt.version != version or len(rest) > 3:
        return None
    if namespace is not None and not rt.namespaced:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if sub is not None and sub not in rt.subresources and sub not in rt.unserved_subresources:
        return None
    return Target(rt, namespace, name, sub)
