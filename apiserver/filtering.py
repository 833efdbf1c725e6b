"""Label and field selectors compiled into one predicate over an object, for LIST and WATCH."""

from __future__ import annotations

from typing import Callable

from apiserver import errors
from apiserver.machinery.selectors import parse_field_selector, parse_label_selector
from apiserver.resources.base import Obj, ResourceType

Predicate = Callable[[Obj], bool]

_ALWAYS = ("metadata.name", "metadata.namespace")


def supported_fields(rt: ResourceType) -> set[str]:
    return set(rt.fields({"metadata": {"name": "", "namespace": ""}})) | set(_ALWAYS)


def compile_filter(rt: ResourceType, label_selector: str, field_selector: str) -> Predicate | None:
    """None when nothing is filtered. Raises 400 on a bad selector or an unknown field."""
    labels = parse_label_selector(label_selector) if label_selector.strip() else None
    fields = parse_field_selector(field_selector) if field_selector.strip() else None
    if fields is not None:
        known = supported_fields(rt)
        for name in fields.field_names:
            if name not in known:
                raise errors.bad_request(f'field label not supported: {name}')
    if labels is None and fields is None:
        return None

    def match(obj: Obj) -> bool:
        if labels is not None and not labels.matches((obj.get("metadata") or {}).get("labels") or {}):
            return False
        return fields is None or fields.matches(rt.fields(obj))

    return match
