"""JSON values compared and ordered the way Go's strategicpatch compares them.

Go keeps the dynamic type of every decoded value (int64, float64, string, bool, map, slice), so
`1`, `1.0` and `true` are three different values; lists of scalars are sorted by their `%v`
text; merged lists keep the order of the patch and of the live object.
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

from minikctl.printing.gonum import format_value

DIRECTIVE = "$patch"
DELETE = "delete"
REPLACE = "replace"
MERGE = "merge"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"


class PatchError(Exception):
    """A document the strategic merge algorithm cannot handle."""


def go_type(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    return type(value).__name__


def deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual on decoded JSON."""
    if go_type(a) != go_type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


def scalar_equal(a: Any, b: Any) -> bool:
    """Go's `==` on two interface values holding scalars."""
    return go_type(a) == go_type(b) and a == b


def text(value: Any) -> str:
    """fmt.Sprintf("%v", value)."""
    return format_value(value)


def _by_text(a: Any, b: Any) -> int:
    left, right = text(a), text(b)
    return (left > right) - (left < right)


def sort_scalars(values: list[Any]) -> list[Any]:
    return sorted(values, key=cmp_to_key(_by_text))


def dedupe_scalars(values: list[Any]) -> list[Any]:
    """deduplicateScalars: a duplicate is replaced by the last element (order changes)."""
    out = list(values)
    length = len(out) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if scalar_equal(out[i], out[j]):
                out[j] = out[length]
                out = out[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return out


def element_kind(*lists: list[Any]) -> str:
    """sliceElementType: every element must have one type, and not be a list."""
    kind = ""
    for values in lists:
        for value in values:
            current = go_type(value)
            if current == "slice":
                raise PatchError("lists of lists are not supported")
            if kind and current != kind:
                raise PatchError("list element types are not identical")
            kind = current
    if not kind:
        raise PatchError("no elements in any of the given slices")
    return kind


def merge_key_value(item: Any, merge_key: str) -> Any:
    return item.get(merge_key) if isinstance(item, dict) else None


def index_of(values: list[Any], wanted: Any, merge_key: str, kind: str) -> int:
    """The position of an item (by merge key for maps) in a list, or -1."""
    if kind == "map":
        target = merge_key_value(wanted, merge_key)
        for position, value in enumerate(values):
            if scalar_equal(target, merge_key_value(value, merge_key)):
                return position
        return -1
    for position, value in enumerate(values):
        if scalar_equal(wanted, value):
            return position
    return -1


def check_merge_keys(values: list[Any], merge_key: str) -> None:
    for value in values:
        if not isinstance(value, dict):
            raise PatchError(f"expected a map in a merging list, got {text(value)}")
        if merge_key not in value:
            raise PatchError(f"map: {text(value)} does not contain declared merge key: {merge_key}")


def normalize_slice_order(values: list[Any], order: list[Any], merge_key: str,
                          kind: str) -> list[Any]:
    """Sort by position in `order` (stable); `$patch: delete` items go last."""
    deletions: list[Any] = []
    if kind == "map":
        check_merge_keys(values, merge_key)
        check_merge_keys(order, merge_key)
        deletions = [v for v in values if v.get(DIRECTIVE) == DELETE]
        values = [v for v in values if v.get(DIRECTIVE) != DELETE]
    positions = [index_of(order, v, merge_key, kind) for v in values]
    if not all(p >= 0 for p in positions) or positions != sorted(positions):
        ranked = sorted(range(len(values)),
                        key=lambda i: (positions[i] < 0, positions[i]))
        values = [values[i] for i in ranked]
    return list(values) + deletions


def merge_sorted(left: list[Any], right: list[Any], server_order: list[Any], merge_key: str,
                 kind: str) -> list[Any]:
    """mergeSortedSlice: insert server-only items (left) among patch items (right)."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = index_of(server_order, left[i], merge_key, kind)
            ri = index_of(server_order, right[j], merge_key, kind)
            if 0 <= li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def normalize_element_order(patch: list[Any], server_only: list[Any], patch_order: list[Any],
                            server_order: list[Any], merge_key: str, kind: str) -> list[Any]:
    patch = normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = normalize_slice_order(server_only, server_order, merge_key, kind)
    return merge_sorted(server_only, patch, server_order, merge_key, kind)
