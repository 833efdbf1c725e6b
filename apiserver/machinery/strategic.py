"""Strategic merge patch: a JSON merge patch whose tagged lists merge by key, plus directives.

Semantics of k8s.io/apimachinery pkg/util/strategicpatch (StrategicMergeMapPatch, the server
half): `null` deletes, maps merge, lists tagged `merge` merge by their merge key (lists of
scalars merge as sets), other lists are replaced. Directives: `$patch: replace|delete` on a
map or a list element, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>` and
`$retainKeys`. The resulting order follows kube's rule: `$setElementOrder`, then the patch's
order, then the live order. Directive keys never reach the result.

Both arguments are worked on in place; callers pass copies. Recursion follows the patch, whose
nesting the decoder bounds. Failures raise StrategicMergeError carrying the HTTP code kube
answers with (400 bad directive format, 422 lists of lists, 500 the rest).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from apiserver.machinery.gojson import format_value, go_type
from apiserver.machinery.patchmeta import FieldMeta, field_meta

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
_BAD_ELEMENT_ORDER = "invalid patch format of setElementOrder list"

Json = Any


class StrategicMergeError(ValueError):
    def __init__(self, message: str, code: int = 500) -> None:
        super().__init__(message)
        self.code = code


class _Drop:
    """Marks a new value that carried `$patch` and so is left out (kube's removeDirectives)."""


_DROP = _Drop()


def _key(value: Json) -> Any:
    """A hashable stand-in with Go's interface equality: 1, 1.0 and true all differ."""
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True))
    return (type(value).__name__, value)


def _is_directive_key(key: str) -> bool:
    return key in (DIRECTIVE, RETAIN_KEYS) or key.startswith((SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST))


def clean_new_value(value: Json) -> Json:
    """A patch value with nothing to merge into: nulls inside maps go, maps carrying `$patch`
    go (returns _DROP for the value itself), and directive keys go."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return _DROP
        out = {}
        for k, v in value.items():
            if v is None or _is_directive_key(k):
                continue
            cleaned = clean_new_value(v)
            if cleaned is not _DROP:
                out[k] = cleaned
        return out
    if isinstance(value, list):
        return [c for c in (clean_new_value(v) for v in value) if c is not _DROP]
    return value


def _set_new(original: dict[str, Json], key: str, value: Json) -> None:
    cleaned = clean_new_value(value)
    if cleaned is _DROP:
        original.pop(key, None)
    else:
        original[key] = cleaned


def _extract_key(key: str, prefix: str, message: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise StrategicMergeError(message, 400)
    return rest


def _no_merge_key(item: Json, merge_key: str) -> StrategicMergeError:
    return StrategicMergeError(f"map: {format_value(item)} does not contain declared merge key: {merge_key}")


def _bad_type(expected: str, actual: Json) -> StrategicMergeError:
    return StrategicMergeError(f"expected a {expected}, but received a {go_type(actual)}")


# -- maps ----------------------------------------------------------------------------------------

def merge_map(original: dict[str, Json], patch: dict[str, Json], type_name: str) -> dict[str, Json]:
    """Merge `patch` into `original` (both modified) and return the result."""
    if DIRECTIVE in patch:
        return _map_directive(patch)
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, type_name)
    for key, value in list(patch.items()):
        deleting = key.startswith(DELETE_FROM_PRIMITIVE_LIST)
        if deleting:
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST, _BAD_PRIMITIVE_LIST)
        if value is None:
            original.pop(key, None)
            continue
        current = original.get(key)
        both_maps = isinstance(current, dict) and isinstance(value, dict)
        if not both_maps and not (isinstance(current, list) and isinstance(value, list)):
            # Missing, scalar, or a different type: the patch value replaces it.
            if not deleting:
                _set_new(original, key, value)
            continue
        original[key] = _merge_field(current, value, field_meta(type_name, key), deleting)
    return original


def _merge_field(current: Json, value: Json, meta: FieldMeta, deleting: bool) -> Json:
    """Merge two maps or two lists found under the same key."""
    if isinstance(value, dict):
        return _cleaned_map(value) if meta.replaces else merge_map(current, value, meta.type)
    if deleting:
        return _delete_from_list(current, value)
    if meta.merges:
        return merge_list(current, value, meta.merge_key, meta.type)
    return clean_new_value(value)


def _cleaned_map(value: dict[str, Json]) -> dict[str, Json]:
    cleaned = clean_new_value({k: v for k, v in value.items() if k != DIRECTIVE})
    assert isinstance(cleaned, dict)
    return cleaned


def _map_directive(patch: dict[str, Json]) -> dict[str, Json]:
    directive = patch[DIRECTIVE]
    if directive == "replace":
        return _cleaned_map(patch)
    if directive == "delete":
        return {}
    raise StrategicMergeError(f"unknown patch type: {format_value(directive)} in map: {format_value(patch)}")


def _apply_retain_keys(original: dict[str, Json], patch: dict[str, Json]) -> None:
    """`$retainKeys`: drop the live keys not listed; every key the patch sets must be listed."""
    if RETAIN_KEYS not in patch:
        return
    listed = patch.pop(RETAIN_KEYS)
    if not isinstance(listed, list) or any(isinstance(k, (dict, list)) for k in listed):
        raise StrategicMergeError(_BAD_RETAIN_KEYS, 400)
    keep = set(listed)
    for key, value in patch.items():
        if value is not None and not key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)) \
                and key not in keep:
            raise StrategicMergeError(_BAD_RETAIN_KEYS, 400)
    for key in [k for k in original if k not in keep]:
        del original[key]


# -- $setElementOrder ----------------------------------------------------------------------------

def _merge_ordered_lists(original: dict[str, Json], patch: dict[str, Json], type_name: str) -> None:
    """Merge each list that has a `$setElementOrder/<f>` and put it in the requested order."""
    for order_key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(order_key)
        if not isinstance(order, list):
            raise _bad_type("[]interface {}", order)
        key = _extract_key(order_key, SET_ELEMENT_ORDER, _BAD_ELEMENT_ORDER)
        if key not in original and key not in patch:
            continue
        live = _list_at(original, key)
        incoming = _list_at(patch, key)
        meta = field_meta(type_name, key)
        merge_key = meta.merge_key
        _check_order(incoming, order, merge_key)
        if key not in patch:
            merged = live
        elif key in original and meta.merges:
            merged = merge_list(live, incoming, merge_key, meta.type)
        else:
            merged = _clean_list(incoming)
        patch.pop(key, None)
        if all(v is None for v in live + incoming):
            raise StrategicMergeError("no elements in any of the given slices")
        if not merge_key and any(isinstance(x, dict) for x in merged):
            original[key] = merged  # maps without a merge key cannot be ordered by key
            continue
        patch_items, server_only = _partition(merged, order, merge_key)
        original[key] = _normalize(patch_items, server_only, order, live, merge_key)


def _list_at(holder: dict[str, Json], key: str) -> list[Json]:
    """The list under `key` ([] when absent); anything else there is an error."""
    if key not in holder:
        return []
    value = holder[key]
    if not isinstance(value, list):
        raise _bad_type("[]interface {}", value)
    return value


def _clean_list(items: list[Json]) -> list[Json]:
    return [c for c in (clean_new_value(v) for v in items) if c is not _DROP]


def _merge_key_of(item: Json, merge_key: str) -> Json:
    if not isinstance(item, dict):
        raise _bad_type("map[string]interface {}", item)
    if merge_key not in item:
        raise _no_merge_key(item, merge_key)
    return item[merge_key]


def _check_order(patch_list: list[Json], order: list[Json], merge_key: str) -> None:
    """The patch list must follow `$setElementOrder`'s relative order ($patch items aside)."""
    if not order or not patch_list:
        return
    items = patch_list
    if merge_key:
        for item in patch_list:
            if not isinstance(item, dict):
                raise _bad_type("map[string]interface {}", item)
        items = [item for item in patch_list if item.get(DIRECTIVE) != "delete"]
    p = o = 0
    while p < len(items) and o < len(order):
        if isinstance(items[p], dict) and DIRECTIVE in items[p]:
            p += 1
            continue
        if merge_key:
            same = _key(_merge_key_of(items[p], merge_key)) == _key(_merge_key_of(order[o], merge_key))
        else:
            same = _key(items[p]) == _key(order[o])
        p += 1 if same else 0
        o += 1
    if p < len(items):
        raise StrategicMergeError(f"The order in patch list:\n{format_value(patch_list)}\n doesn't match "
                                  f"{SET_ELEMENT_ORDER} list:\n{format_value(order)}\n")


# -- lists ---------------------------------------------------------------------------------------

def _element_kind(*lists: list[Json]) -> str:
    """sliceElementType: every element has one Go type, and lists of lists are refused."""
    kinds = {go_type(v) for values in lists for v in values if v is not None}
    if "[]interface {}" in kinds:
        raise StrategicMergeError("lists of lists are not supported", 422)
    if len(kinds) > 1:
        raise StrategicMergeError(f"list element types are not identical: {format_value(list(lists))}")
    return kinds.pop() if kinds else ""


def merge_list(live: list[Json], patch: list[Json], merge_key: str, element_type: str) -> list[Json]:
    """Merge a list tagged patchStrategy=merge."""
    if not live and not patch:
        return live
    kind = _element_kind(live, patch)
    if kind != "map[string]interface {}":
        merged = list({_key(v): v for v in live + patch}.values())
        patch_items, server_only = _partition(merged, patch, "")
        return _normalize(patch_items, server_only, patch, live, "")
    if not merge_key:
        raise StrategicMergeError("cannot merge lists without merge key for type struct")
    live, patch = _special_elements(live, [p for p in patch if p is not None], merge_key)
    merged = _merge_elements(live, patch, merge_key, element_type)
    patch_items, server_only = _partition(merged, patch, merge_key)
    return _normalize(patch_items, server_only, patch, live, merge_key)


def _special_elements(live: list[Json], patch: list[Json], merge_key: str) -> tuple[list[Json], list[Json]]:
    """Apply `$patch` elements: delete drops live items by key, replace swaps the whole list."""
    rest, replace = [], False
    for item in patch:
        if DIRECTIVE not in item:
            rest.append(item)
            continue
        directive = item[DIRECTIVE]
        if directive == "delete":
            gone = _key(_merge_key_of(item, merge_key))
            live = [x for x in live if not (isinstance(x, dict) and merge_key in x and _key(x[merge_key]) == gone)]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise StrategicMergeError("merging lists cannot yet be specified in the patch")
        else:
            raise StrategicMergeError(f"unknown patch type: {format_value(directive)} in map: {format_value(item)}")
    if replace:
        return _clean_list(rest), []
    return live, rest


def _merge_elements(live: list[Json], patch: list[Json], merge_key: str, element_type: str) -> list[Json]:
    """Merge each patch item into the live item with its key, or append it. Returns a new
    list: the live order is needed afterwards, unchanged, to place the new items."""
    merged = list(live)
    position: dict[Any, int] = {}
    for i, item in enumerate(merged):
        if isinstance(item, dict) and merge_key in item:
            position.setdefault(_key(item[merge_key]), i)
    for item in patch:
        key = _key(_merge_key_of(item, merge_key))
        if key in position:
            merged[position[key]] = merge_map(merged[position[key]], item, element_type)
        else:
            position[key] = len(merged)
            merged.append(clean_new_value(item))
    return merged


def _delete_from_list(live: list[Json], doomed: list[Json]) -> list[Json]:
    """`$deleteFromPrimitiveList/<f>`: remove every listed value from the live list."""
    gone = {_key(v) for v in doomed}
    return [v for v in live if _key(v) not in gone]


# -- ordering (normalizeElementOrder / mergeSortedSlice) ---------------------------------------

def _partition(merged: list[Json], by: list[Json], merge_key: str) -> tuple[list[Json], list[Json]]:
    """Split `merged` into items present in `by` (the patch side) and server-only items."""
    ident = _identity(merge_key)
    present = {ident(v) for v in by}
    patch_items = [v for v in merged if ident(v) in present]
    return patch_items, [v for v in merged if ident(v) not in present]


def _identity(merge_key: str) -> Callable[[Json], Any]:
    if merge_key:
        return lambda item: _key(_merge_key_of(item, merge_key))
    return _key


def _normalize(patch_items: list[Json], server_only: list[Json], patch_order: list[Json],
               server_order: list[Json], merge_key: str) -> list[Json]:
    """Sort the patch items by the patch order and the server-only items by the live order,
    then interleave them, keeping both relative orders (patch items win ties)."""
    ident = _identity(merge_key)
    patch_rank = _ranks(patch_order, ident)
    server_rank = _ranks(server_order, ident)
    right = sorted(patch_items, key=lambda v: patch_rank.get(ident(v), len(patch_rank)))
    left = sorted(server_only, key=lambda v: server_rank.get(ident(v), len(server_rank)))
    out: list[Json] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
            continue
        if i < len(left):
            li, ri = server_rank.get(ident(left[i])), server_rank.get(ident(right[j]))
            if li is not None and ri is not None and li < ri:
                out.append(left[i])
                i += 1
                continue
        out.append(right[j])
        j += 1
    return out


def _ranks(items: list[Json], ident: Callable[[Json], Any]) -> dict[Any, int]:
    ranks: dict[Any, int] = {}
    for i, item in enumerate(items):
        ranks.setdefault(ident(item), i)
    return ranks
