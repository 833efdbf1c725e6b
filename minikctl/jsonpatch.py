"""JSON patch (RFC 6902) and JSON merge patch (RFC 7386) applied on the client, for
`patch --local` and `--dry-run=client` (the server applies the same patches for real), and the
merge patch between two documents, for `edit` of kinds without strategic merge."""

from __future__ import annotations

import copy
from typing import Any

from minikctl.errors import MinikctlError


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def merge_diff(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch that turns `original` into `modified` (jsonpatch.CreateMergePatch)."""
    patch: dict[str, Any] = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, value in modified.items():
        before = original.get(key, _MISSING)
        if isinstance(before, dict) and isinstance(value, dict):
            inner = merge_diff(before, value)
            if inner:
                patch[key] = inner
        elif before is _MISSING or before != value or type(before) is not type(value):
            patch[key] = copy.deepcopy(value)
    return patch


_MISSING = object()


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise MinikctlError(f'JSON pointer must be empty or start with a "/": "{path}"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise MinikctlError(f"Object to be patched is missing field ({path})")
    return node, parts[-1]


def _get(doc: Any, path: str) -> Any:
    container, key = _parent(doc, _pointer(path), path)
    try:
        return container[int(key)] if isinstance(container, list) else container[key]
    except (KeyError, IndexError, ValueError):
        raise MinikctlError(f"Object to be patched is missing field ({path})") from None


def _add(doc: Any, path: str, value: Any) -> Any:
    if path == "":
        return value
    container, key = _parent(doc, _pointer(path), path)
    if isinstance(container, list):
        index = len(container) if key == "-" else int(key)
        if index > len(container):
            raise MinikctlError(f'add operation does not apply: doc is missing path: "{path}"')
        container.insert(index, value)
    else:
        container[key] = value
    return doc


def _remove(doc: Any, path: str) -> Any:
    container, key = _parent(doc, _pointer(path), path)
    try:
        if isinstance(container, list):
            del container[int(key)]
        else:
            del container[key]
    except (KeyError, IndexError, ValueError):
        raise MinikctlError(f"Object to be patched is missing field ({path})") from None
    return doc


def apply_json_patch(doc: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise MinikctlError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    for op in operations:
        kind, path = op.get("op"), str(op.get("path", ""))
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            doc = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            doc = _add(_remove(doc, path), path, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, str(op.get("from", ""))))
            if kind == "move":
                doc = _remove(doc, str(op.get("from", "")))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise MinikctlError(f"testing value {path} failed: test failed")
        else:
            raise MinikctlError(f"Unexpected kind: {kind}")
    return doc
