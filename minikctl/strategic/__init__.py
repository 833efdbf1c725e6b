"""Client-side strategic merge patch, as `kubectl apply` computes it.

The three-way patch is the difference from the live object to the new configuration without
deletions, plus the deletions from the last-applied configuration to the new one; the two are
combined with a merge that keeps directives and nulls. Field strategies and merge keys come from
the server's OpenAPI v3 schemas (`patchmeta.py`).
"""

from __future__ import annotations

import copy
from typing import Any

from minikctl.strategic.diff import DiffOptions, diff_maps
from minikctl.strategic.merge import MergeOptions, merge_map
from minikctl.strategic.patchmeta import PatchMetaError, SchemaLookup
from minikctl.strategic.values import PatchError


def three_way_patch(original: dict[str, Any], modified: dict[str, Any], current: dict[str, Any],
                    schema: SchemaLookup) -> dict[str, Any]:
    """strategicpatch.CreateThreeWayMergePatch with overwrite: the patch for the server."""
    original, modified, current = (copy.deepcopy(d) for d in (original, modified, current))
    delta = diff_maps(current, modified, schema,
                      DiffOptions(set_element_order=True, ignore_deletions=True))
    deletions = diff_maps(original, modified, schema,
                          DiffOptions(set_element_order=True, ignore_changes_and_additions=True))
    return merge_map(deletions, delta, schema, MergeOptions())


def two_way_patch(original: dict[str, Any], modified: dict[str, Any],
                  schema: SchemaLookup) -> dict[str, Any]:
    """strategicpatch.CreateTwoWayMergePatch: what `edit` sends."""
    return diff_maps(copy.deepcopy(original), copy.deepcopy(modified), schema,
                     DiffOptions(set_element_order=True))


__all__ = ["three_way_patch", "two_way_patch", "SchemaLookup", "PatchError", "PatchMetaError"]
