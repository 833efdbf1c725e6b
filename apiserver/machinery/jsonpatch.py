"""RFC 6902 JSON Patch over plain JSON data, with the semantics kube-apiserver gets from
gopkg.in/evanphx/json-patch.v4.

Where v4 departs from the RFC and clients can tell, v4 wins: `replace` of a missing object
member adds it, `add`/`replace` without a `value` and `copy` from a missing member store null,
array indexes may be negative (counted from the end), and `test` of a missing member against
null passes. Failures raise
JsonPatchError; kube-apiserver answers every one of them with the same 422 (see patch.py).
"""

from __future__ import annotations

import re
from typing import Any

from apiserver.machinery.gojson import clone

_INDEX = re.compile(r"[+-]?[0-9]+")


class JsonPatchError(ValueError):
    """An operation that does not apply; the text is evanphx/json-patch's."""


def _decode_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _index(token: str, size: int, *, inserting: bool = False) -> int:
    """An array index as v4 reads it: strconv.Atoi, negative counts from the end."""
    if not _INDEX.fullmatch(token):
        raise JsonPatchError(f'strconv.Atoi: parsing "{token}": invalid syntax')
    idx = int(token)
    limit = size + 1 if inserting else size
    if idx >= limit or idx < -limit:
        raise JsonPatchError(f"Unable to access invalid index: {idx}: invalid index referenced")
    return idx + limit if idx < 0 else idx


def _parent(doc: Any, path: Any, op: str) -> tuple[Any, str]:
    """The container holding the last token of `path`, and that token (v4's findObject)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    tokens = path.split("/")[1:]
    node = doc
    for raw in tokens[:-1]:
        token = _decode_token(raw)
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list):
            try:
                node = node[_index(token, len(node))]
            except JsonPatchError:
                node = None
        else:
            node = None
        if not isinstance(node, (dict, list)):
            raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    return node, _decode_token(tokens[-1])


def _get(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    return container[_index(key, len(container))]


def _add(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif key == "-":
        container.append(value)
    else:
        container.insert(_index(key, len(container), inserting=True), value)


def _remove(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        if key not in container:
            raise JsonPatchError(f"Unable to remove nonexistent key: {key}: missing value")
        return container.pop(key)
    return container.pop(_index(key, len(container)))


def _same(a: Any, b: Any) -> bool:
    """JSON equality in which 1, 1.0 and true are three different values (v4 compares bytes)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _apply_one(doc: Any, op: dict[str, Any]) -> None:
    kind = op.get("op")
    path = op.get("path")
    if kind in ("add", "replace", "remove", "test") and path is None:
        raise JsonPatchError("operation missing path field: missing value")
    if kind == "add":
        container, key = _parent(doc, path, "add")
        _add(container, key, clone(op.get("value")))
    elif kind == "remove":
        container, key = _parent(doc, path, "remove")
        _remove(container, key)
    elif kind == "replace":
        container, key = _parent(doc, path, "replace")
        if isinstance(container, list):
            container[_index(key, len(container))] = clone(op.get("value"))
        else:
            container[key] = clone(op.get("value"))
    elif kind in ("move", "copy"):
        _move_or_copy(doc, kind, op)
    elif kind == "test":
        container, key = _parent(doc, path, "test")
        actual, expected = _get(container, key), op.get("value")
        # A missing member reads as null, and null matches null.
        if not (actual is None and expected is None) and not _same(actual, expected):
            raise JsonPatchError(f"testing value {path} failed: test failed")
    else:
        raise JsonPatchError(f"Unexpected kind: {kind if isinstance(kind, str) else 'unknown'}")


def _move_or_copy(doc: Any, kind: str, op: dict[str, Any]) -> None:
    source = op.get("from")
    if source is None:
        raise JsonPatchError("operation, missing from field: missing value")
    container, key = _parent(doc, source, kind)
    # A missing member cannot be moved (removing it fails) but copies as null, as in v4.
    value = _remove(container, key) if kind == "move" else clone(_get(container, key))
    path = op.get("path")
    if path is None:
        raise JsonPatchError("operation missing path field: missing value")
    target, target_key = _parent(doc, path, kind)
    _add(target, target_key, value)


def apply_json_patch(doc: Any, ops: list[dict[str, Any] | None]) -> Any:
    """Apply `ops` in order to a copy of `doc` and return it; `doc` is never modified.
    Raises JsonPatchError at the first operation that does not apply."""
    result = clone(doc)
    for op in ops:
        _apply_one(result, op or {})
    return result
