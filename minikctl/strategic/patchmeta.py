"""Strategic-merge patch metadata read from the server's OpenAPI v3 schemas.

A field's `x-kubernetes-patch-strategy` (`merge`, `replace`, `retainKeys`, or two of them joined
by a comma) and `x-kubernetes-patch-merge-key` decide how `apply` diffs lists and maps; they live
on the property, and the type behind it is reached through `allOf`/`$ref`. This follows
apimachinery's PatchMetaFromOpenAPIV3, so minikctl carries no table of merge keys of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minikctl.openapi import resolve_ref

STRATEGY = "x-kubernetes-patch-strategy"
MERGE_KEY = "x-kubernetes-patch-merge-key"


class PatchMetaError(Exception):
    """A field the schema does not know."""


@dataclass(frozen=True)
class PatchMeta:
    strategies: tuple[str, ...] = ()
    merge_key: str = ""


@dataclass(frozen=True)
class SchemaLookup:
    """A position in a schema; `schema=None` knows nothing and answers every lookup blankly."""

    schema: dict[str, Any] | None
    schemas: dict[str, Any]

    def _traverse(self, key: str) -> tuple[dict[str, Any] | None, PatchMeta]:
        if self.schema is None:
            return None, PatchMeta()
        properties = self.schema.get("properties") or {}
        prop = properties.get(key)
        if not isinstance(prop, dict):
            raise PatchMetaError(f'unable to find api field "{key}"')
        strategy = prop.get(STRATEGY)
        meta = PatchMeta(tuple(strategy.split(",")) if isinstance(strategy, str) else (),
                         str(prop.get(MERGE_KEY) or ""))
        return prop, meta

    def for_struct(self, key: str) -> tuple[SchemaLookup, PatchMeta]:
        prop, meta = self._traverse(key)
        if prop is None:
            return self, meta
        return SchemaLookup(resolve_ref(prop, self.schemas), self.schemas), meta

    def for_slice(self, key: str) -> tuple[SchemaLookup, PatchMeta]:
        prop, meta = self._traverse(key)
        if prop is None:
            return self, meta
        items = prop.get("items")
        element = items if isinstance(items, dict) else prop
        return SchemaLookup(resolve_ref(element, self.schemas), self.schemas), meta


def split_strategies(strategies: tuple[str, ...]) -> tuple[bool, str]:
    """(retainKeys present, the other strategy): extractRetainKeysPatchStrategy."""
    if not strategies:
        return False, ""
    if len(strategies) == 1:
        return (True, "") if strategies[0] == "retainKeys" else (False, strategies[0])
    if len(strategies) == 2 and "retainKeys" in strategies:
        other = strategies[1] if strategies[0] == "retainKeys" else strategies[0]
        return True, other
    raise PatchMetaError(f"unexpected patch strategy: [{' '.join(strategies)}]")
