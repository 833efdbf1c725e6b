"""Field ownership for server-side apply: `metadata.managedFields` with FieldsV1 sets.

A field set is a set of paths; a path is a tuple of steps, each `("f", name)` (a map key),
`("k", '{"name":"app"}')` (the element of a keyed list) or `("v", '"x"')` (a value of a
set-like list). Lists are keyed, sets or atomic as strategic merge patch tags them
(patchmeta.py): the same merge keys structured-merge-diff uses for the built-in kinds, one
key each. An applied configuration owns its leaves and the list elements it names, as
structured-merge-diff's ToFieldSet counts them; `apply()` merges it into the live object,
reports the fields that change while another manager owns them (409, unless forced, which
takes them over) and removes what the applier owned before, no longer applies and nobody else
owns. Writes other than apply are not tracked here: they keep managedFields as they are.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterable

from apiserver import errors
from apiserver.machinery.patchmeta import field_meta, root_type

Step = tuple[str, str]
Path = tuple[Step, ...]
FieldSet = set[Path]

# Never owned: identity and server-written metadata (kube's stripped fields), and the status
# of the main resource, which an apply there does not write.
_IGNORED_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                 "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"}
_MISSING = object()


# -- field sets ------------------------------------------------------------------------------

def field_set(config: dict[str, Any], kind: str, subresource: str | None = None) -> FieldSet:
    """The paths an applied configuration sets (ToFieldSet), without ignored fields."""
    out: FieldSet = set()
    body = {k: v for k, v in config.items() if k not in ("apiVersion", "kind")}
    if subresource is None:
        body.pop("status", None)
    meta = body.get("metadata")
    if isinstance(meta, dict):
        body["metadata"] = {k: v for k, v in meta.items() if k not in _IGNORED_META}
    _walk(body, root_type(kind), (), out)
    return out


def _walk(value: dict[str, Any], type_name: str, prefix: Path, out: FieldSet) -> None:
    for key, item in value.items():
        if item is None:
            continue
        meta = field_meta(type_name, key)
        path = prefix + (("f", key),)
        if isinstance(item, dict):
            _walk(item, meta.type, path, out)
        elif isinstance(item, list) and meta.merges:
            for element in item:
                step = _element_step(element, meta.merge_key)
                out.add(path + (step,))
                if step[0] == "k":
                    _walk(element, meta.type, path + (step,), out)
        else:
            out.add(path)  # scalars and atomic lists


def _element_step(element: Any, merge_key: str) -> Step:
    if merge_key and isinstance(element, dict) and merge_key in element:
        return ("k", json.dumps({merge_key: element[merge_key]}, separators=(",", ":")))
    return ("v", json.dumps(element, separators=(",", ":"), sort_keys=True))


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    """Nested FieldsV1: `f:`/`k:`/`v:` keys, with `.` where a named node is itself owned."""
    root: dict[str, Any] = {}
    ordered = sorted(paths, key=len)
    owned = set(ordered)
    for path in ordered:
        node = root
        for i, (kind, name) in enumerate(path):
            node = node.setdefault(f"{kind}:{name}", {})
            if path[:i + 1] in owned and i + 1 < len(path):
                node["."] = {}
    return _sorted(root)


def _sorted(node: dict[str, Any]) -> dict[str, Any]:
    """Keys in the order kube serialises them: `.` first, then by name."""
    return {key: _sorted(node[key]) for key in sorted(node)}


def from_fields_v1(fields: Any, prefix: Path = ()) -> FieldSet:
    out: FieldSet = set()
    if not isinstance(fields, dict):
        return out
    for key, child in fields.items():
        if key == ".":
            if prefix:
                out.add(prefix)
            continue
        kind, _, name = key.partition(":")
        if kind not in ("f", "k", "v", "i") or not name:
            continue
        path = prefix + ((kind, name),)
        if isinstance(child, dict) and child:
            out |= from_fields_v1(child, path)
        else:
            out.add(path)
    return out


# -- navigating an object by path ------------------------------------------------------------

def _find(items: list[Any], step: Step) -> int:
    kind, name = step
    wanted = json.loads(name)
    for i, item in enumerate(items):
        if kind == "k" and isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items()):
            return i
        if kind == "v" and item == wanted:
            return i
    return -1


def value_at(obj: Any, path: Path) -> Any:
    node = obj
    for step in path:
        if step[0] == "f" and isinstance(node, dict) and step[1] in node:
            node = node[step[1]]
        elif step[0] in ("k", "v") and isinstance(node, list) and _find(node, step) >= 0:
            node = node[_find(node, step)]
        else:
            return _MISSING
    return node


def remove_at(obj: Any, path: Path) -> None:
    parent = value_at(obj, path[:-1])
    step = path[-1]
    if step[0] == "f" and isinstance(parent, dict):
        parent.pop(step[1], None)
    elif isinstance(parent, list) and _find(parent, step) >= 0:
        del parent[_find(parent, step)]


# -- merging ---------------------------------------------------------------------------------

def merge(live: dict[str, Any], config: dict[str, Any], type_name: str) -> dict[str, Any]:
    """The configuration merged into `live` (modified): maps by key, keyed lists by key, sets
    as a union, anything else replaced."""
    for key, value in config.items():
        if value is None:
            continue
        meta = field_meta(type_name, key)
        current = live.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge(current, value, meta.type)
        elif isinstance(value, list) and isinstance(current, list) and meta.merges:
            for element in value:
                at = _find(current, _element_step(element, meta.merge_key))
                if at < 0:
                    current.append(copy.deepcopy(element))
                elif isinstance(element, dict) and isinstance(current[at], dict):
                    merge(current[at], element, meta.type)
        else:
            live[key] = copy.deepcopy(value)
    return live


# -- apply -----------------------------------------------------------------------------------

def _entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    entries = obj.get("metadata", {}).get("managedFields")
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _is_self(entry: dict[str, Any], manager: str, subresource: str | None) -> bool:
    return (entry.get("manager") == manager and entry.get("operation") == "Apply"
            and (entry.get("subresource") or None) == subresource)


def _conflict_error(conflicts: list[tuple[Path, str]]) -> errors.StatusError:
    """NewApplyConflict, worded as the apiserver's fieldmanager words it."""
    causes = [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}"', "field": path_string(p)}
              for p, m in conflicts]
    if len(conflicts) == 1:
        message = f'Apply failed with 1 conflict: conflict with "{conflicts[0][1]}": {causes[0]["field"]}'
    else:
        lines = []
        for manager in sorted({m for _, m in conflicts}):
            lines.append(f'conflicts with "{manager}":')
            lines += [f"- {path_string(p)}" for p, m in conflicts if m == manager]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return errors.apply_conflict(message, causes)


def path_string(path: Path) -> str:
    """fieldpath.Path.String(): `.data.a`, `.spec.containers[name="app"].image`, `[=x]`."""
    out = ""
    for kind, name in path:
        if kind == "f":
            out += "." + name
        elif kind == "k":
            keys = json.loads(name)
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]"
        else:
            out += f"[={name}]"
    return out


def apply(live: dict[str, Any], config: dict[str, Any], kind: str, manager: str, api_version: str,
          now: str, *, force: bool = False, subresource: str | None = None) -> dict[str, Any]:
    """The object after `manager` applies `config` to `live` (a new dict), managedFields
    included. Raises the 409 apply conflict unless `force`."""
    config = _without_server_meta(config)
    applied = field_set(config, kind, subresource)
    entries = [copy.deepcopy(e) for e in _entries(live)]
    sets = [from_fields_v1(e.get("fieldsV1")) for e in entries]
    conflicts: list[tuple[Path, str]] = []
    for path in sorted(applied):
        if path[-1][0] != "f":
            continue  # naming a list element never conflicts; its fields may
        before = value_at(live, path)
        if before is _MISSING or before == value_at(config, path):
            continue
        for entry, owned in zip(entries, sets):
            if path in owned and not _is_self(entry, manager, subresource):
                conflicts.append((path, str(entry.get("manager", ""))))
                if force:
                    owned.discard(path)
    if conflicts and not force:
        raise _conflict_error(conflicts)
    previous: FieldSet = set()
    for entry, owned in zip(entries, sets):
        if _is_self(entry, manager, subresource):
            previous = owned
    others = set().union(*(s for e, s in zip(entries, sets) if not _is_self(e, manager, subresource)))
    result = merge(copy.deepcopy(live), config, root_type(kind))
    removed: list[Path] = []
    for path in sorted(previous - applied - others, key=len):  # an element before its fields
        if not any(path[:len(r)] == r for r in removed):
            remove_at(result, path)
            removed.append(path)
    kept = []
    for entry, owned in zip(entries, sets):
        if _is_self(entry, manager, subresource) or not owned:
            continue
        entry["fieldsV1"] = to_fields_v1(owned)
        kept.append(entry)
    mine = next((e for e in _entries(live) if _is_self(e, manager, subresource)), None)
    result.setdefault("metadata", {})
    if mine is not None and previous == applied and _same(result, live):
        kept.append(copy.deepcopy(mine))  # nothing changed: no new time, no new revision
    elif applied:
        entry = {"manager": manager, "operation": "Apply", "apiVersion": api_version, "time": now,
                 "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(applied)}
        if subresource:
            entry["subresource"] = subresource
        kept.append(entry)
    kept.sort(key=lambda e: (e.get("operation", ""), e.get("time", ""), e.get("manager", ""),
                             e.get("apiVersion", ""), e.get("subresource", "")))
    if kept:
        result["metadata"]["managedFields"] = kept
    else:
        result["metadata"].pop("managedFields", None)
    return result


def _without_server_meta(config: dict[str, Any]) -> dict[str, Any]:
    """What an applied configuration may set: not the server's metadata (uid, versions, ...)."""
    meta = config.get("metadata")
    if not isinstance(meta, dict):
        return config
    kept = {k: v for k, v in meta.items() if k in ("name", "namespace") or k not in _IGNORED_META}
    return {**config, "metadata": kept}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = (lambda o: {k: v for k, v in o.items() if k != "metadata"}
             | {"metadata": {k: v for k, v in o.get("metadata", {}).items() if k != "managedFields"}})
    return bool(strip(a) == strip(b))
