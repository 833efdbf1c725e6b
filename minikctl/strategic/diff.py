"""The diff half of strategic merge patch: the patch that turns one document into another.

This follows apimachinery's strategicpatch diffMaps: maps recurse; lists whose schema says
`merge` are diffed element by element (by merge key for maps, as sets for scalars) and carry a
`$setElementOrder/<field>` list; removed map elements become `{"$patch": "delete"}` items,
removed scalars a `$deleteFromPrimitiveList/<field>` list; `retainKeys` fields get `$retainKeys`;
other lists and scalars are replaced whole. Options select additions/changes or deletions only,
which is how the three-way patch of `apply` is built from two diffs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from minikctl.strategic.patchmeta import PatchMetaError, SchemaLookup, split_strategies
from minikctl.strategic.values import (DELETE, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, MERGE,
                                       REPLACE, RETAIN_KEYS, SET_ELEMENT_ORDER, PatchError,
                                       check_merge_keys, deep_equal, dedupe_scalars,
                                       element_kind, go_type, normalize_slice_order,
                                       sort_scalars, text)


@dataclass(frozen=True)
class DiffOptions:
    set_element_order: bool = False
    ignore_changes_and_additions: bool = False
    ignore_deletions: bool = False
    build_retain_keys: bool = False


def diff_maps(original: dict[str, Any], modified: dict[str, Any], schema: SchemaLookup,
              options: DiffOptions) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    retain: list[Any] = []
    for key, new in modified.items():
        if options.build_retain_keys and new is not None:
            retain.append(key)
        if key not in original:
            if not options.ignore_changes_and_additions:
                patch[key] = new
            continue
        old = original[key]
        if key == DIRECTIVE:
            if not isinstance(old, str) or not isinstance(new, str):
                raise PatchError(f"invalid value for special key: {DIRECTIVE}")
            if old != new:
                patch[DIRECTIVE] = new
            continue
        if go_type(old) != go_type(new):
            if not options.ignore_changes_and_additions:
                patch[key] = new
            continue
        if isinstance(old, dict):
            _map_diff(key, old, new, patch, schema, options)
        elif isinstance(old, list):
            _slice_diff(key, old, new, patch, schema, options)
        else:
            _replace_if_different(key, old, new, patch, options)
    if not options.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain and (patch or any(v is not None and k not in modified for k, v in original.items())):
        patch[RETAIN_KEYS] = sort_scalars(retain)
    return patch


def _replace_if_different(key: str, old: Any, new: Any, patch: dict[str, Any],
                          options: DiffOptions) -> None:
    if not options.ignore_changes_and_additions and not deep_equal(old, new):
        patch[key] = new


def _map_diff(key: str, old: dict[str, Any], new: dict[str, Any], patch: dict[str, Any],
              schema: SchemaLookup, options: DiffOptions) -> None:
    try:
        sub, meta = schema.for_struct(key)
    except PatchMetaError:
        if deep_equal(old, new):
            return
        raise
    retain, strategy = split_strategies(meta.strategies)
    if strategy == REPLACE:
        if not options.ignore_changes_and_additions:
            patch[key] = new
        return
    value = diff_maps(old, new, sub, replace(options, build_retain_keys=retain))
    if value:
        patch[key] = value


def _slice_diff(key: str, old: list[Any], new: list[Any], patch: dict[str, Any],
                schema: SchemaLookup, options: DiffOptions) -> None:
    try:
        sub, meta = schema.for_slice(key)
    except PatchMetaError:
        if deep_equal(old, new):
            return
        raise
    retain, strategy = split_strategies(meta.strategies)
    if strategy != MERGE:
        _replace_if_different(key, old, new, patch, options)
        return
    additions, deletions, order = diff_lists(old, new, sub, meta.merge_key,
                                             replace(options, build_retain_keys=retain))
    if additions:
        patch[key] = additions
    if deletions:
        patch[f"{DELETE_FROM_PRIMITIVE_LIST}/{key}"] = deletions
    if order:
        patch[f"{SET_ELEMENT_ORDER}/{key}"] = order


def diff_lists(old: list[Any], new: list[Any], schema: SchemaLookup, merge_key: str,
               options: DiffOptions) -> tuple[list[Any], list[Any], list[Any]]:
    """(patch list, primitive deletions, element order) for a list with merge semantics."""
    if not old:
        if not new or options.ignore_changes_and_additions:
            return [], [], []
        return new, [], []
    kind = element_kind(old, new)
    if kind == "map":
        changes, removed = _diff_lists_of_maps(old, new, schema, merge_key, options)
        changes = normalize_slice_order(changes, new, merge_key, kind) + removed
        same_order = len(old) == len(new) and all(
            _same_key(a, b, merge_key) for a, b in zip(old, new))
        order: list[Any] = []
        if options.set_element_order and (
                (not options.ignore_changes_and_additions and (changes or not same_order))
                or (not options.ignore_deletions and changes)):
            order = [{merge_key: item[merge_key]} for item in new]
        return changes, [], order
    added, deleted = _diff_lists_of_scalars(old, new, options)
    added = normalize_slice_order(added, new, merge_key, kind)
    order = []
    if options.set_element_order and (
            (not options.ignore_deletions and deleted)
            or (not options.ignore_changes_and_additions and not deep_equal(old, new))):
        order = new
    return added, deleted, order


def _same_key(a: Any, b: Any, merge_key: str) -> bool:
    check_merge_keys([a, b], merge_key)
    return go_type(a[merge_key]) == go_type(b[merge_key]) and a[merge_key] == b[merge_key]


def _diff_lists_of_scalars(old: list[Any], new: list[Any],
                           options: DiffOptions) -> tuple[list[Any], list[Any]]:
    """Walk both lists sorted by `%v`: an item only in `new` is added, one only in `old` is
    deleted."""
    left, right = sort_scalars(old), sort_scalars(new)
    added: list[Any] = []
    deleted: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        a = text(left[i]) if i < len(left) else None
        b = text(right[j]) if j < len(right) else None
        if a is not None and b is not None and a == b:
            i, j = i + 1, j + 1
        elif a is None or (b is not None and a > b):
            if not options.ignore_changes_and_additions:
                added.append(right[j])
            j += 1
        else:
            if not options.ignore_deletions:
                deleted.append(left[i])
            i += 1
    return added, dedupe_scalars(deleted)


def _diff_lists_of_maps(old: list[Any], new: list[Any], schema: SchemaLookup, merge_key: str,
                        options: DiffOptions) -> tuple[list[Any], list[Any]]:
    """Walk both lists sorted by merge key: recurse into matches, add new items, and mark
    removed ones `$patch: delete`."""
    check_merge_keys(old, merge_key)
    check_merge_keys(new, merge_key)
    left = sorted(old, key=lambda m: text(m[merge_key]))
    right = sorted(new, key=lambda m: text(m[merge_key]))
    changes: list[Any] = []
    removed: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        a = text(left[i][merge_key]) if i < len(left) else None
        b = text(right[j][merge_key]) if j < len(right) else None
        if a is not None and b is not None and a == b:
            value = diff_maps(left[i], right[j], schema, options)
            if value:
                value[merge_key] = right[j][merge_key]
                changes.append(value)
            i, j = i + 1, j + 1
        elif a is None or (b is not None and a > b):
            if not options.ignore_changes_and_additions:
                changes.append(right[j])
            j += 1
        else:
            if not options.ignore_deletions:
                removed.append({merge_key: left[i][merge_key], DIRECTIVE: DELETE})
            i += 1
    return changes, removed
