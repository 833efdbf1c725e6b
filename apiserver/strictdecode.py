"""kube-apiserver's strict decoding (`?fieldValidation=`), on the API schemas of `schemas`:
an object key the Go type does not declare is an `unknown field "<path>"`, a key given twice
is a `duplicate field "<path>"`; paths read `spec.template.spec.containers[0].imagee`.

Every create and update is checked, so the common case is made cheap: `_quiet` looks only
at what can hold an unknown field and counts the keys; when the body can have written no
more keys than the parse kept, no key was repeated and there is nothing to report. Anything
else takes `_Walker`, which reports in document order.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from apiserver.schemas import REF_PREFIX, Schema, definition_name, definitions, ref_name

# kube stops collecting strict-decoding errors at 100.
_MAX_PROBLEMS = 100


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs, duplicates kept, for duplicate detection."""


def _resolve(schema: Schema) -> Schema:
    for _ in range(32):  # bounded: references never chain this deep
        name = ref_name(schema)
        if name is None:
            return schema
        schema = definitions().get(name, {})
    return schema


class _Node:
    """A schema compiled for the walk: the declared fields (`props`, or `extra` for maps)
    when the node is an object that declares any, and the element node of an array.
    `scalar`: a string, number or boolean, which has nothing below it to check;
    `inner`: the fields that are not."""

    __slots__ = ("checked", "props", "extra", "items", "scalar", "inner")

    def __init__(self) -> None:
        self.checked = False  # an object whose keys are checked (it declares fields)
        self.props: dict[str, _Node] | None = None
        self.extra: _Node | None = None
        self.items: _Node | None = None
        self.scalar = False
        self.inner: dict[str, _Node] = {}


_SKIP = _Node()  # x-kubernetes-preserve-unknown-fields: anything goes below
_by_ref: dict[str, _Node] = {}


def _compile(schema: Schema) -> _Node:
    """Once per referenced definition (they may be recursive); inline schemas each time."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return _SKIP
    name = ref_name(schema)
    if name is not None and name in _by_ref:
        return _by_ref[name]
    resolved = _resolve(schema)
    if resolved.get("x-kubernetes-preserve-unknown-fields"):
        node = _SKIP
    else:
        node = _Node()
        if name is not None:
            _by_ref[name] = node  # before the fields, which may lead back here
        props, extra, items = resolved.get("properties"), resolved.get("additionalProperties"), resolved.get("items")
        node.checked = isinstance(props, dict) or isinstance(extra, dict)
        if isinstance(props, dict):
            node.props = {k: _compile(v) if isinstance(v, dict) else _Node() for k, v in props.items()}
        elif isinstance(extra, dict):
            node.extra = _compile(extra)
        if isinstance(items, dict):
            node.items = _compile(items)
        types = resolved.get("type")
        types = set(types if isinstance(types, list) else [types]) - {"null", None}
        node.scalar = bool(types) and types <= _SCALAR_TYPES and not node.checked and node.items is None
        # Filled in later: a recursive type's fields may still be placeholders here.
        _unfinished.append(node)
    if name is not None:
        _by_ref[name] = node
    return node


_SCALAR_TYPES = {"string", "integer", "number", "boolean"}
_unfinished: list[_Node] = []


def _finish() -> None:
    while _unfinished:
        node = _unfinished.pop()
        if node.props is not None:
            node.inner = {k: sub for k, sub in node.props.items() if not sub.scalar}


# A path is built only when it is reported: (parent, key) for a field, (parent, index) for
# an element, None at the root.
Path_ = tuple[Any, "str | int"] | None


def _path(path: Path_) -> str:
    if path is None:
        return ""
    parent, step = path
    head = _path(parent)
    if isinstance(step, int):
        return f"{head}[{step}]"
    return f"{head}.{step}" if head else step


class _Walker:
    """One pass over a value against a schema, collecting kube's strict-decoding messages
    in document order. `patch` skips what a patch applies rather than stores: `$` directives
    and null (delete) values. `keys` counts the keys of every dict in the value (see
    `field_problems`)."""

    def __init__(self, patch: bool) -> None:
        self.patch = patch
        self.problems: list[str] = []
        self.unknown: list[str] = []
        self.keys = 0

    def _report(self, text: str) -> None:
        if text not in self.problems and len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(text)

    def walk(self, value: Any, node: _Node, path: Path_) -> None:
        if isinstance(value, (dict, _Pairs)):
            if node.checked:
                self._object(value, node, path)
            else:
                self.keys += _keys(value)
        elif isinstance(value, list):
            items = node.items
            if items is None:
                self.keys += _keys(value)
            elif not items.scalar:
                for i, item in enumerate(value):
                    self.walk(item, items, (path, i))

    def _object(self, value: dict[str, Any] | _Pairs, node: _Node, path: Path_) -> None:
        props, extra, patch = node.props, node.extra, self.patch
        if type(value) is dict and not patch and (props is None or value.keys() <= props.keys()):
            # Every key is declared: only what can hold more needs a look. (A dict or list
            # in a scalar field is not counted: the count falls short, which only means
            # the slow way below; the typed decode refuses such a body anyway.)
            self.keys += len(value)
            if props is not None:
                inner = node.inner
                for key, item in value.items():
                    sub = inner.get(key)
                    if sub is not None:
                        self.walk(item, sub, (path, key))
            elif extra is not None and not extra.scalar:
                for key, item in value.items():
                    self.walk(item, extra, (path, key))
            return
        pairs = isinstance(value, _Pairs)
        if type(value) is dict:
            self.keys += len(value)
        seen: set[str] = set()
        for key, item in value if pairs else value.items():
            if patch and (key.startswith("$") or item is None):
                if isinstance(item, (dict, list)):
                    self.keys += _keys(item)
                continue
            sub = props.get(key) if props is not None else extra
            if sub is None:
                child = _path((path, key))
                self.unknown.append(child)
                self._report(f'unknown field "{child}"')
                if isinstance(item, (dict, list)):
                    self.keys += _keys(item)
                continue
            if pairs:
                if key in seen:
                    self._report(f'duplicate field "{_path((path, key))}"')
                seen.add(key)
            if sub.checked or sub.items is not None:
                self.walk(item, sub, (path, key))
            elif isinstance(item, (dict, list)):
                self.keys += _keys(item)


@lru_cache(maxsize=None)
def _root(group: str, version: str, kind: str) -> _Node | None:
    name = definition_name(group, version, kind)
    if not name:
        return None
    root = _compile({"$ref": REF_PREFIX + name})
    _finish()
    return root


def unknown_fields(obj: dict[str, Any], group: str, version: str, kind: str, *,
                   patch: bool = False) -> list[str]:
    """Dotted paths of the fields in `obj` that the kind's schema does not define. With
    `patch`, `obj` is a merge or strategic-merge patch: directives and nulls are skipped."""
    root = _root(group, version, kind)
    if root is None:
        return []
    walker = _Walker(patch)
    walker.walk(obj, root, None)
    return walker.unknown


# A key's closing quote and its colon: at least as many matches as the body has keys.
_KEY_END = re.compile(rb'"[ \t\n\r]*:')


def _key_ends(body: bytes) -> int:
    if b'" ' in body or b'"\n' in body or b'"\t' in body or b'"\r' in body:
        return len(_KEY_END.findall(body))
    return body.count(b'":')  # the same count when no quote is followed by white space


def _keys(value: Any) -> int:
    """How many keys the dicts in `value` hold (dicts and lists only are looked into)."""
    n = 0
    stack = [value] if type(value) is dict or type(value) is list else []
    while stack:
        v = stack.pop()
        if type(v) is dict:
            n += len(v)
            v = v.values()
        for c in v:
            if type(c) is dict or type(c) is list:
                stack.append(c)
    return n


def _quiet(value: Any, node: _Node) -> int:
    """The keys of the dicts in `value` when the walk would report no unknown field, else
    -1; in no particular order, so it stops at the first. (It may count short: a dict in a
    string field goes uncounted, and `field_problems` then takes the long way.)"""
    if type(value) is dict:
        if not node.checked:
            return _keys(value)
        n = len(value)
        props = node.props
        if props is not None:
            keys = value.keys()
            if not keys <= props.keys():
                return -1
            inner = node.inner
            for key in keys & inner.keys():
                m = _quiet(value[key], inner[key])
                if m < 0:
                    return -1
                n += m
        elif node.extra is not None and not node.extra.scalar:
            for item in value.values():
                m = _quiet(item, node.extra)
                if m < 0:
                    return -1
                n += m
        return n
    if type(value) is list:
        items = node.items
        if items is None:
            return _keys(value)
        n = 0
        if not items.scalar:
            for item in value:
                m = _quiet(item, items)
                if m < 0:
                    return -1
                n += m
        return n
    return 0


def field_problems(obj: Any, group: str, version: str, kind: str, body: bytes | None = None, *,
                   patch: bool = False) -> list[str]:
    """kube's strict-decoding messages for a request: `unknown field "spec.foo"` and, when
    the raw JSON `body` is given, `duplicate field "metadata.name"`, in document order. They
    are also the texts of the Warning headers kube sends under fieldValidation=Warn."""
    root = _root(group, version, kind)
    if root is None:
        return []
    if not patch:
        keys = _quiet(obj, root)
        if keys >= 0 and (body is None or keys == _key_ends(body)):
            return []  # the common case: nothing unknown, nothing repeated
    walker = _Walker(patch)
    walker.walk(obj, root, None)
    # The parse kept one key per name: when `obj` holds as many keys as the body can have
    # written, none was repeated, and the walk above saw everything there is to report.
    if body is None or walker.keys == _key_ends(body):
        return walker.problems
    try:
        value = json.loads(body, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):
        return walker.problems  # not JSON (YAML), or nested past reason: unknown fields only
    walker = _Walker(patch)
    walker.walk(value, root, None)
    return walker.problems
