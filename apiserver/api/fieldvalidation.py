"""`?fieldValidation=Strict|Warn|Ignore` (absent means Warn, as kube-apiserver): unknown and
duplicate fields in a request body become a 400/422 (Strict) or Warning headers (Warn)."""

from __future__ import annotations

from typing import Any

import orjson

from apiserver import schemas, strictdecode
from apiserver.resources.base import ResourceType

_PATCH_MEDIA = {"application/strategic-merge-patch+json", "application/merge-patch+json"}


def check_object(params: dict[str, str], rt: ResourceType, obj: Any, raw: bytes, options_kind: str) -> list[str]:
    """Create/update bodies: returns the warnings to send (Warn), raises 400 (Strict)."""
    mode = schemas.validation_directive(params.get("fieldValidation"), options_kind)
    if mode == "Ignore" or not isinstance(obj, dict):
        return []
    problems = strictdecode.field_problems(obj, rt.group, rt.version, rt.kind, raw)
    if problems and mode == "Strict":
        raise schemas.strict_decoding_error(rt.kind, rt.version, problems)
    return problems


def check_patch(params: dict[str, str], rt: ResourceType, content_type: str, raw: bytes) -> list[str]:
    """Merge-style patches are checked as partial objects (directives and nulls skipped)."""
    mode = schemas.validation_directive(params.get("fieldValidation"), "PatchOptions")
    media = content_type.split(";")[0].strip().lower()
    if mode == "Ignore" or media not in _PATCH_MEDIA:
        return []
    try:
        patch = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []  # the patch itself reports malformed bodies
    if not isinstance(patch, dict):
        return []
    problems = strictdecode.field_problems(patch, rt.group, rt.version, rt.kind, raw, patch=True)
    if problems and mode == "Strict":
        raise schemas.strict_patch_error(patch, problems)
    return problems
