"""The typed decode's common case, answered quickly: a body with no null, no time to
normalise and every value of its field's exact type decodes as it is. `typecheck` asks this
first and walks the body in full (reporting the first mismatch in document order, dropping
nulls, normalising times) only when the answer is no.

`node` is a compiled `typecheck._Node`: `what` (struct, array, map, string, bool, integer,
number, quantity, intorstring, time, microtime or any), and for structs the field groups
`strs`, `bools`, `times` and `others`.
"""

from __future__ import annotations

from typing import Any

_TIMES = ("time", "microtime")
_INT32 = (-(2 ** 31), 2 ** 31 - 1)
# The exact types a value may have for `clean` to pass it, by kind of leaf.
_LEAF_TYPES: dict[str, set[type]] = {"string": {str}, "bool": {bool}, "number": {int, float},
                                     "quantity": {str, int, float}}


def clean(value: Any, node: Any) -> bool:
    """Whether the full check would find nothing to refuse or change in `value`. It stops
    at the first doubt, in no particular order; the full check says what the doubt was.
    (The type tests of many values at once run in C: set(map(type, ...)).)"""
    what = node.what
    if what == "struct":
        if type(value) is not dict or None in value.values():
            return False
        keys = value.keys()
        if node.times and not keys.isdisjoint(node.times):
            return False
        strs, bools = keys & node.strs, keys & node.bools
        if strs and not set(map(type, map(value.__getitem__, strs))) <= _LEAF_TYPES["string"]:
            return False
        if bools and not set(map(type, map(value.__getitem__, bools))) <= _LEAF_TYPES["bool"]:
            return False
        others = node.others
        for key in keys & others.keys():
            if not clean(value[key], others[key]):
                return False
        return True
    if what == "array" or what == "map":
        if type(value) is not (list if what == "array" else dict):
            return False
        items = value if what == "array" else value.values()
        item = node.item
        if item is None or item.what == "any" or not items:
            return True
        if None in items or item.what in _TIMES:
            return False
        types = _LEAF_TYPES.get(item.what)
        if types is not None:
            return set(map(type, items)) <= types
        for v in items:
            if not clean(v, item):
                return False
        return True
    if what in _LEAF_TYPES:
        return type(value) in _LEAF_TYPES[what]
    if what == "integer":
        return type(value) is int and node.low <= value <= node.high
    if what == "intorstring":
        return type(value) is str or type(value) is int and _INT32[0] <= value <= _INT32[1]
    return what == "any"
