"""Wrong JSON types are a 400, never a crash.

kube-apiserver decodes a body into typed Go structs before anything else runs, so a value of
the wrong type never reaches validation: it is a 400 BadRequest such as
`Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct
field ObjectMeta.metadata.name of type string`. minik keeps objects as dicts, so this module
does that typed decoding against the kinds' API schemas (`apiserver.schemas`), reporting the
first mismatch in document order with kube's message. Nulls decode as Go's zero values: a
null field is dropped, a null string in a list or map becomes "". Without the schema package
only TypeMeta and ObjectMeta, which every kind shares, are checked.

Whatever the schemas miss, `hook_errors` turns a type confusion inside a kind's hooks (a list
where a map was expected) into the same 400 instead of a 500.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

from apiserver import errors
from apiserver.typeclean import clean

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Schema = dict[str, Any]

# Deeper objects could not be copied, printed as YAML or stored safely; no kind needs them.
MAX_DEPTH = 100
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_RANGES = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}
# Go's zero values, for null elements of a list or map (by _Node.what).
_ZERO: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "bool": False}


def _s(t: str, **more: Any) -> Schema:
    return {"type": [t, "null"], **more}


def _ref(name: str) -> Schema:
    return {"$ref": "#/$defs/" + _META + name}


# What every kind shares, for when the full schemas are not installed.
_FALLBACK: dict[str, Schema] = {
    _META + "ObjectMeta": _s("object", properties={
        "name": _s("string"), "generateName": _s("string"), "namespace": _s("string"),
        "selfLink": _s("string"), "uid": _s("string"), "resourceVersion": _s("string"),
        "generation": _s("integer", format="int64"), "creationTimestamp": _s("string"),
        "deletionTimestamp": _s("string"), "deletionGracePeriodSeconds": _s("integer", format="int64"),
        "labels": _s("object", additionalProperties=_s("string")),
        "annotations": _s("object", additionalProperties=_s("string")),
        "ownerReferences": _s("array", items=_ref("OwnerReference")),
        "finalizers": _s("array", items=_s("string")),
        "managedFields": _s("array", items=_ref("ManagedFieldsEntry"))}),
    _META + "OwnerReference": _s("object", properties={
        "apiVersion": _s("string"), "kind": _s("string"), "name": _s("string"), "uid": _s("string"),
        "controller": _s("boolean"), "blockOwnerDeletion": _s("boolean")}),
    _META + "ManagedFieldsEntry": _s("object", properties={
        "manager": _s("string"), "operation": _s("string"), "apiVersion": _s("string"), "time": _s("string"),
        "fieldsType": _s("string"), "fieldsV1": _s("object"), "subresource": _s("string")}),
}


class TypeMismatch(Exception):
    """A value Go could not decode; the message is encoding/json's."""

    def __init__(self, value: Any, struct: str, path: str, go_type: str, literal: bool = False) -> None:
        # Go names the literal of a number that does not fit an integer field.
        what = f"number {value}" if literal else _json_type(value)
        super().__init__(f"json: cannot unmarshal {what} into Go struct field {struct}.{path} of type {go_type}")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    return "array" if isinstance(value, list) else "object"


def cannot_handle(kind: str, version: str, reason: str) -> errors.StatusError:
    return errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {reason}')


# -- schemas ---------------------------------------------------------------------------------


def _definitions() -> tuple[dict[str, Schema], Any]:
    """(definitions by name, the kind -> definition-name lookup), or the fallback."""
    try:
        from apiserver import schemas

        return schemas.definitions(), schemas.definition_name
    except Exception:  # the schema package is optional: check what every kind shares
        return _FALLBACK, None


def _ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _go_name(definition: str) -> tuple[str, str]:
    """(struct name, Go type) of a definition: `PodSpec`, `v1.PodSpec`."""
    parts = definition.split(".")
    return parts[-1], (f"{parts[-2]}.{parts[-1]}" if len(parts) > 1 else parts[-1])


def _types(schema: Schema) -> list[str]:
    t = schema.get("type")
    return [x for x in (t if isinstance(t, list) else [t] if t else []) if x != "null"]


class _Node:
    """One schema node compiled for checking: `what` is struct, map, array, string, bool,
    integer, number, quantity, intorstring or any; `go_type` is how Go's error names it."""

    __slots__ = ("what", "go_type", "struct", "fields", "item", "zero", "low", "high", "simple", "strs", "bools",
                 "times", "others")

    def __init__(self, what: str, go_type: str) -> None:
        self.what, self.go_type = what, go_type
        self.struct = ""
        self.fields: dict[str, _Node] = {}
        self.item: _Node | None = None
        self.zero: Any = None
        self.low, self.high = _RANGES["int64"]
        # The fields a value of one exact type settles (a str for a string), by name.
        self.simple: dict[str, type] = {}
        # For `_clean`: the string, bool and time fields, and the rest that need a look.
        self.strs: frozenset[str] = frozenset()
        self.bools: frozenset[str] = frozenset()
        self.times: frozenset[str] = frozenset()
        self.others: dict[str, _Node] = {}


class _Compiler:
    """Schemas -> _Nodes, once per definition (definitions may be recursive)."""

    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs
        self.named: dict[str, _Node] = {}

    def node(self, schema: Schema) -> _Node:
        name = _ref_name(schema)
        if name is None:
            return self._build(schema, None)
        if name not in self.named:
            self.named[name] = _Node("any", "")  # a placeholder while a recursive type compiles
            built = self._build(self.defs.get(name, {}), name)
            placeholder = self.named[name]
            for slot in _Node.__slots__:
                setattr(placeholder, slot, getattr(built, slot))
        return self.named[name]

    def _build(self, schema: Schema, name: str | None) -> _Node:
        if _ref_name(schema) is not None:
            return self.node(schema)
        types = _types(schema)
        if name == _QUANTITY:
            return _Node("quantity", "resource.Quantity")
        if name in (_META + "Time", _META + "MicroTime"):
            return _Node("time" if name.endswith(".Time") else "microtime", "string")
        if "oneOf" in schema:  # IntOrString: a string, or what an int32 takes
            return _Node("intorstring", "int32")
        if "object" in types and isinstance(schema.get("properties"), dict):
            node = _Node("struct", _go_name(name)[1] if name else "struct")
            node.struct = _go_name(name)[0] if name else ""
            node.fields = {k: self.node(v) for k, v in schema["properties"].items()}
            return node
        if "object" in types:
            extra = schema.get("additionalProperties")
            if not isinstance(extra, dict):
                return _Node("map", "map[string]interface {}")
            return self._container("map", extra)
        if "array" in types:
            return self._container("array", schema.get("items") or {})
        if "integer" in types:
            node = _Node("integer", str(schema.get("format") or "int64"))
            node.low, node.high = _RANGES.get(node.go_type, _RANGES["int64"])
            return node
        if "number" in types:
            return _Node("number", "float64")
        if "boolean" in types:
            return _Node("bool", "bool")
        if "string" in types:
            return _Node("string", "[]uint8" if schema.get("format") == "byte" else "string")
        return _Node("any", "interface {}")

    def _container(self, what: str, item_schema: Schema) -> _Node:
        item = self.node(item_schema)
        node = _Node(what, "")
        node.item = item
        node.zero = _ZERO.get(item.what, {} if item.what == "struct" else None)
        return node


def _go_type(node: _Node) -> str:
    if node.what == "array" and node.item is not None:
        return "[]" + _go_type(node.item)
    if node.what == "map" and node.item is not None:
        return "map[string]" + _go_type(node.item)
    return node.go_type


# A field's path, built only for an error message: (parent, key), None at the root.
Path = tuple[Any, str] | None


def _dotted(path: Path) -> str:
    keys: list[str] = []
    while path is not None:
        path, key = path
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}.{key}" if text else key
    return text


def _check(value: Any, node: _Node, struct: str, path: Path) -> None:
    """Raise TypeMismatch for the first value Go could not decode; drop null struct fields."""
    what = node.what
    if what == "struct":
        if not isinstance(value, dict):
            raise TypeMismatch(value, struct, _dotted(path), node.go_type)
        if None in value.values():
            for key in [k for k, v in value.items() if v is None]:
                del value[key]
        inner = node.struct or struct
        fields, simple = node.fields, node.simple
        for key, item in value.items():
            if simple.get(key) is type(item):
                continue  # the common case, settled without a call
            sub = fields.get(key)
            if sub is None:
                continue
            kind = sub.what
            if kind == "any":
                continue
            if kind in _TIMES:
                value[key] = _time(item, sub, inner, (path, key))
            else:
                _check(item, sub, inner, (path, key))
    elif what == "array" or what == "map":
        items: Any
        if what == "array":
            if not isinstance(value, list):
                raise TypeMismatch(value, struct, _dotted(path), _go_type(node))
            items = enumerate(value)
        else:
            if not isinstance(value, dict):
                raise TypeMismatch(value, struct, _dotted(path), _go_type(node))
            items = value.items()
        item_node = node.item
        if item_node is None or item_node.what == "any":
            return
        nulls = []
        scalar = _SCALARS.get(item_node.what)
        for key, item in list(items):
            if item is None:
                nulls.append(key)
            elif scalar is not None and type(item) is scalar:
                continue
            elif item_node.what in _TIMES:
                value[key] = _time(item, item_node, struct, path)
            else:
                _check(item, item_node, struct, path)
        for key in nulls:
            value[key] = node.zero  # Go decodes a null element into the zero value
    elif what == "string":
        if not isinstance(value, str):
            raise TypeMismatch(value, struct, _dotted(path), node.go_type)
    elif what == "integer" or what == "intorstring":
        if what == "intorstring" and isinstance(value, str):
            return
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeMismatch(value, struct, _dotted(path), node.go_type)
        low, high = (node.low, node.high) if what == "integer" else _RANGES["int32"]
        if isinstance(value, float) or not low <= value <= high:
            raise TypeMismatch(value, struct, _dotted(path), node.go_type, literal=True)
    elif what == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeMismatch(value, struct, _dotted(path), node.go_type)
    elif what == "bool":
        if not isinstance(value, bool):
            raise TypeMismatch(value, struct, _dotted(path), node.go_type)
    elif what == "quantity":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _QuantityError()


# Values that decode as they are: a str for a string field, a bool for a bool. (Integers
# still take the range check; a str is always a valid IntOrString or Quantity.)
_SCALARS: dict[str, type] = {"string": str, "bool": bool, "intorstring": str, "quantity": str}


class _QuantityError(Exception):
    pass


class _TimeError(Exception):
    pass


_TIMES = ("time", "microtime")
_RFC3339 = "2006-01-02T15:04:05Z07:00"


def _time(value: Any, node: _Node, struct: str, path: Path) -> str:
    """metav1.Time / MicroTime: any RFC 3339 offset in, stored in `Z` form (whole seconds for
    Time, six fractional digits for MicroTime), as kube's decode and encode leave them."""
    from apiserver.machinery.duration import format_micro_time, format_time, parse_time

    if not isinstance(value, str):
        raise TypeMismatch(value, struct, _dotted(path), node.go_type)
    try:
        parsed = parse_time(value)
    except ValueError:
        raise _TimeError(f'parsing time "{value}" as "{_RFC3339}": cannot parse "{value}" as "2006"') from None
    return format_time(parsed) if node.what == "time" else format_micro_time(parsed)


_compiled: dict[tuple[str, str, str], _Node] = {}


def _settle(root: _Node) -> None:
    """Fill in each struct's `simple` fields, once the (possibly recursive) tree is built."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        fields = node.fields
        node.simple = {k: _SCALARS[sub.what] for k, sub in fields.items() if sub.what in _SCALARS}
        node.strs = frozenset(k for k, sub in fields.items() if sub.what == "string")
        node.bools = frozenset(k for k, sub in fields.items() if sub.what == "bool")
        node.times = frozenset(k for k, sub in fields.items() if sub.what in _TIMES)
        node.others = {k: sub for k, sub in fields.items()
                       if sub.what not in ("string", "bool", "any") and sub.what not in _TIMES}
        stack.extend(fields.values())
        if node.item is not None:
            stack.append(node.item)


def _root(group: str, version: str, kind: str) -> _Node:
    """The kind's compiled schema (cached); ObjectMeta alone when the schemas are missing."""
    key = (group, version, kind)
    if key not in _compiled:
        defs, lookup = _definitions()
        name = lookup(group, version, kind) if lookup is not None else None
        compiler = _Compiler(defs)
        if name and name in defs:
            root = compiler.node({"$ref": "#/$defs/" + name})
        else:
            root = compiler.node({"type": ["object"], "properties": {"metadata": _ref("ObjectMeta")}})
        _settle(root)
        _compiled[key] = root
    return _compiled[key]


# -- entry points ----------------------------------------------------------------------------


def check_type_meta(body: Obj) -> None:
    """apiVersion and kind are read before anything else, with their own message."""
    for field in ("apiVersion", "kind"):
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            raise errors.bad_request("couldn't get version/kind; json parse error: json: cannot unmarshal "
                                     f"{_json_type(value)} into Go struct field .{field} of type string")


def check_object(body: Obj, group: str, version: str, kind: str) -> None:
    """Decode `body` as the kind would be decoded: 400 on the first value of a wrong type."""
    root = _root(group, version, kind)
    if clean(body, root):  # nothing to refuse or change: most bodies
        return
    try:
        _check(body, root, kind, None)
    except TypeMismatch as e:
        raise cannot_handle(kind, version, str(e)) from None
    except _QuantityError:
        raise cannot_handle(kind, version, _QUANTITY_MESSAGE) from None
    except _TimeError as e:
        raise cannot_handle(kind, version, str(e)) from None


def check_patched(obj: Any, group: str, version: str, kind: str) -> Obj:
    """A patched object must still decode as its kind: a patch can retype or nest anything."""
    if not isinstance(obj, dict):
        raise cannot_handle(kind, version, f"json: cannot unmarshal {_json_type(obj)} into Go value of type "
                                           f"v1.{kind}")
    if too_deep(obj):
        raise cannot_handle(kind, version, f"exceeded max depth of {MAX_DEPTH}")
    check_type_meta(obj)
    check_object(obj, group, version, kind)
    if not isinstance(obj.get("metadata"), dict):
        obj["metadata"] = {}
    return obj


def too_deep(value: Any) -> bool:
    """Whether containers nest deeper than MAX_DEPTH (level by level: safe at any depth)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        below = []
        for v in level:
            for c in v.values() if isinstance(v, dict) else v:
                if isinstance(c, (dict, list)):
                    below.append(c)
        if not below:
            return False
        level = below
    return True


_HOOK_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError, RecursionError)


class hook_errors:  # noqa: N801 - used as a function: `with hook_errors(kind, version):`
    """A kind's hooks assume the shapes its schema promises; a body that breaks them is the
    client's error (400), like a failed typed decode, not the server's (500). (A class, not
    a generator: every write enters it.)"""

    __slots__ = ("kind", "version")

    def __init__(self, kind: str, version: str) -> None:
        self.kind, self.version = kind, version

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        if exc is None or not isinstance(exc, _HOOK_ERRORS):
            return False
        where = traceback.extract_tb(tb)[-1]
        log.warning("%s hooks failed on a malformed object: %s: %s (%s:%d in %s)", self.kind, type(exc).__name__,
                    exc, where.filename, where.lineno, where.name)
        raise cannot_handle(self.kind, self.version, "a field of the object has a value of the wrong type") from None
