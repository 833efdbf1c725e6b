"""The merge half of strategic merge patch, as apimachinery's mergeMap does it.

`apply` needs it to combine its two diffs (deletions from the last-applied configuration, and
changes from the live object) into one patch: with `parallel_lists=False` the directive lists
(`$setElementOrder`, `$deleteFromPrimitiveList`, `$retainKeys`) are carried into the result
instead of being executed, and nulls are kept, so the result is still a patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minikctl.strategic.patchmeta import SchemaLookup, split_strategies
from minikctl.strategic.values import (DELETE, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, MERGE,
                                       REPLACE, RETAIN_KEYS, SET_ELEMENT_ORDER, PatchError,
                                       check_merge_keys, dedupe_scalars, deep_equal, element_kind,
                                       go_type, index_of, normalize_element_order, scalar_equal)


@dataclass(frozen=True)
class MergeOptions:
    parallel_lists: bool = False  # execute $deleteFromPrimitiveList / $setElementOrder
    ignore_unmatched_nulls: bool = False


def remove_directives(value: Any) -> tuple[Any, bool]:
    """The value without `$patch` maps; False when the value itself is one."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            kept, keep = remove_directives(value[key])
            if keep:
                value[key] = kept
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        out = []
        for item in value:
            kept, keep = remove_directives(item)
            if keep:
                out.append(kept)
        return out, True
    return value, True


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for item in value.values():
            _discard_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def merge_map(original: dict[str, Any] | None, patch: dict[str, Any], schema: SchemaLookup,
              options: MergeOptions) -> dict[str, Any]:
    if DIRECTIVE in patch:
        directive = patch[DIRECTIVE]
        if directive == REPLACE:
            del patch[DIRECTIVE]
            return patch
        if directive == DELETE:
            return {}
        raise PatchError(f"Unknown patch type: {directive} in map: {patch}")
    original = {} if original is None else original
    _retain_keys(original, patch, options)
    _merge_ordered_lists(original, patch, schema, options)
    for key, value in list(patch.items()):
        deletion = key.startswith(DELETE_FROM_PRIMITIVE_LIST)
        if deletion:
            if not options.parallel_lists:
                original[key] = value
                continue
            key = key.partition("/")[2]
        if value is None:
            original.pop(key, None)
            if options.ignore_unmatched_nulls:
                continue
        if key not in original or go_type(original[key]) != go_type(value):
            if not deletion:
                _take(original, key, value, options)
            continue
        if isinstance(value, dict):
            sub, meta = schema.for_struct(key)
            _, strategy = split_strategies(meta.strategies)
            original[key] = value if strategy == REPLACE else merge_map(
                original[key], value, sub, options)
        elif isinstance(value, list):
            sub, meta = schema.for_slice(key)
            _, strategy = split_strategies(meta.strategies)
            original[key] = (merge_slice(original[key], value, sub, meta.merge_key, options,
                                         deletion)
                             if strategy == MERGE or deletion else value)
        else:
            _take(original, key, value, options)
    return original


def _take(original: dict[str, Any], key: str, value: Any, options: MergeOptions) -> None:
    if options.ignore_unmatched_nulls:
        _discard_nulls(value)
    kept, keep = remove_directives(value)
    if keep:
        original[key] = kept
    else:
        original.pop(key, None)


def _retain_keys(original: dict[str, Any], patch: dict[str, Any], options: MergeOptions) -> None:
    if RETAIN_KEYS not in patch:
        return
    wanted = patch.pop(RETAIN_KEYS)
    if not options.parallel_lists:
        if RETAIN_KEYS in original and not deep_equal(original[RETAIN_KEYS], wanted):
            raise PatchError(f"{original[RETAIN_KEYS]} and {wanted} are not deep equal: this may "
                             f"happen when calculating the 3-way diff patch")
        original.setdefault(RETAIN_KEYS, wanted)
        return
    if not isinstance(wanted, list):
        raise PatchError("invalid patch: the value of $retainKeys must be a list")
    keep = set(wanted)
    for key, value in patch.items():
        if value is not None and not key.startswith((DELETE_FROM_PRIMITIVE_LIST,
                                                     SET_ELEMENT_ORDER)) and key not in keep:
            raise PatchError("invalid patch: all fields must be in the $retainKeys list")
    for key in [k for k in original if k not in keep]:
        del original[key]


def _merge_ordered_lists(original: dict[str, Any], patch: dict[str, Any], schema: SchemaLookup,
                         options: MergeOptions) -> None:
    """mergePatchIntoOriginal: each `$setElementOrder/<field>` with its list, ordered by it."""
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not options.parallel_lists:
            if key in original and not deep_equal(original[key], order):
                raise PatchError("invalid patch: $setElementOrder lists do not match")
            original.setdefault(key, order)
        if not isinstance(order, list):
            raise PatchError("invalid patch: $setElementOrder must be a list")
        field = key.partition("/")[2]
        old, new = original.get(field), patch.get(field)
        if old is None and new is None:
            continue
        sub, meta = schema.for_slice(field)
        _, strategy = split_strategies(meta.strategies)
        if new is None:
            merged = list(old)
        elif old is None:
            merged = remove_directives(new)[0]
        else:
            merged = merge_slice(old, new, sub, meta.merge_key, options, False) \
                if strategy == MERGE else new
        old_list = old if isinstance(old, list) else []
        kind = element_kind(old_list, new if isinstance(new, list) else [])
        inside, outside = _partition(merged, order, meta.merge_key)
        original[field] = normalize_element_order(inside, outside, order, old_list,
                                                  meta.merge_key, kind)
        patch.pop(field, None)


def _partition(values: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """(items present in `by`, the rest), by merge key for maps."""
    kind = "map" if merge_key else "scalar"
    if merge_key:
        check_merge_keys(values, merge_key)
    inside = [v for v in values if index_of(by, v, merge_key, kind) >= 0]
    outside = [v for v in values if index_of(by, v, merge_key, kind) < 0]
    return inside, outside


def merge_slice(original: list[Any], patch: list[Any], schema: SchemaLookup, merge_key: str,
                options: MergeOptions, deletion: bool) -> list[Any]:
    if not original and not patch:
        return original
    kind = element_kind(original, patch)
    if kind != "map":
        if options.parallel_lists and deletion:
            return [v for v in original if index_of(patch, v, "", kind) < 0]
        merged = dedupe_scalars(list(original) + list(patch))
    else:
        if not merge_key:
            raise PatchError("cannot merge lists without merge key")
        original, patch = _special_elements(list(original), patch, merge_key)
        merged = _merge_by_key(original, patch, merge_key, schema, options)
    inside, outside = _partition(merged, patch, merge_key)
    return normalize_element_order(inside, outside, patch, original, merge_key, kind)


def _special_elements(original: list[Any], patch: list[Any],
                      merge_key: str) -> tuple[list[Any], list[Any]]:
    """`$patch: delete` items remove their match; `$patch: replace` replaces the list."""
    if not any(DIRECTIVE in item for item in patch):
        return original, patch
    plain: list[Any] = []
    replaced = False
    for item in patch:
        directive = item.get(DIRECTIVE)
        if DIRECTIVE not in item:
            plain.append(item)
        elif directive == DELETE:
            if merge_key not in item:
                raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}")
            original = [o for o in original
                        if not scalar_equal(o.get(merge_key), item[merge_key])]
        elif directive == REPLACE:
            replaced = True
        elif directive == MERGE:
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise PatchError(f"Unknown patch type: {directive} in map: {item}")
    return (plain, []) if replaced else (original, plain)


def _merge_by_key(original: list[Any], patch: list[Any], merge_key: str, schema: SchemaLookup,
                  options: MergeOptions) -> list[Any]:
    for item in patch:
        if merge_key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}")
        found = index_of(original, item, merge_key, "map")
        if found >= 0:
            original[found] = merge_map(original[found], item, schema, options)
        else:
            original.append(item)
    return original
