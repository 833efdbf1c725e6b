"""PATCH: JSON patch, merge patch and strategic merge patch on plain JSON dicts, and the
dispatcher on the request's Content-Type.

The algorithms live in jsonpatch.py and strategic.py; this module owns what a client sees:
how bodies are decoded and which Status a failure becomes, worded as kube-apiserver's
staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go words it (with its default
fieldValidation, which decodes patches strictly). Every function returns a new document and
leaves its arguments untouched. Server-side apply (`application/apply-patch+yaml`) is not a
merge algorithm and is left to the caller; `parse_apply_body` decodes its body.
"""

from __future__ import annotations

from typing import Any

import yaml

from apiserver import errors
from apiserver.machinery import gojson
from apiserver.machinery.gojson import GoJSONError, clone, type_name
from apiserver.machinery.jsonpatch import JsonPatchError, apply_json_patch
from apiserver.machinery.patchmeta import root_type
from apiserver.machinery.strategic import StrategicMergeError, merge_map

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
# What a PATCH of a built-in kind accepts, in kube-apiserver's order (its 415 lists these).
ACCEPTED_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)
MAX_JSON_PATCH_OPERATIONS = 10_000

_MAP_TYPE = "map[string]interface {}"


def _status_for(err: StrategicMergeError) -> errors.StatusError:
    if err.code == 400:
        return errors.bad_request(str(err))
    return errors.rejected_request() if err.code == 422 else errors.plain_error(str(err))


# -- the three algorithms ------------------------------------------------------------------

def json_patch(doc: Any, ops: list[dict[str, Any] | None]) -> Any:
    """RFC 6902 (evanphx/json-patch v4 semantics). A failing operation is 422 Invalid."""
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.request_entity_too_large(
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}")
    try:
        return apply_json_patch(doc, ops)
    except JsonPatchError as e:
        raise errors.rejected_request() from e


def merge_patch(doc: Any, patch: Any) -> Any:
    """RFC 7386: null deletes, maps merge recursively, anything else replaces. Like
    evanphx/json-patch, nulls are also pruned from new values inside lists."""
    if not isinstance(patch, dict):
        return clone(patch)
    target = clone(doc) if isinstance(doc, dict) else {}
    _merge_into(target, patch)
    return target


def _merge_into(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        elif isinstance(current, dict):
            target[key] = clone(value)
        else:
            target[key] = _prune_nulls(clone(value))


def _prune_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


def strategic_merge_patch(doc: dict[str, Any], patch: dict[str, Any], kind: str = "") -> dict[str, Any]:
    """Strategic merge patch with the built-in patch metadata of `kind` (patchmeta.py);
    a kind without metadata merges like a merge patch apart from ObjectMeta's lists."""
    try:
        return merge_map(clone(doc), clone(patch), root_type(kind))
    except StrategicMergeError as e:
        raise _status_for(e) from e


# -- request bodies --------------------------------------------------------------------------

def patch_media_type(content_type: str) -> str:
    """The Content-Type without parameters, cut at the first ';' as kube-apiserver does."""
    cut = content_type.find(";")
    return content_type[:cut] if cut > 0 else content_type


def _decode(body: bytes, prefix: str) -> Any:
    try:
        return gojson.decode(body)
    except GoJSONError as e:
        raise errors.bad_request(prefix + str(e)) from None


def _cannot_unmarshal(value: Any, go_type: str) -> str:
    return f"json: cannot unmarshal {type_name(value)} into Go value of type {go_type}"


def decode_json_patch(body: bytes) -> list[dict[str, Any] | None]:
    """The operations of an application/json-patch+json body; 400 when malformed."""
    ops = _decode(body, "error decoding patch: ")
    if ops is None:
        return []
    if not isinstance(ops, list):
        raise errors.bad_request("error decoding patch: " + _cannot_unmarshal(ops, "[]handlers.jsonPatchOp"))
    for op in ops:
        if op is None:
            continue
        if not isinstance(op, dict):
            raise errors.bad_request("error decoding patch: " + _cannot_unmarshal(op, "handlers.jsonPatchOp"))
        for name in ("op", "path", "from"):
            if op.get(name) is not None and not isinstance(op[name], str):
                raise errors.bad_request(f"error decoding patch: json: cannot unmarshal {type_name(op[name])} "
                                         f"into Go struct field jsonPatchOp.{name} of type string")
    return ops


def decode_merge_patch(body: bytes) -> dict[str, Any]:
    """The object of an application/merge-patch+json body; 400 when malformed."""
    patch = _decode(body, "error decoding patch: ")
    if patch is None:
        raise errors.bad_request("Invalid JSON Patch")
    if not isinstance(patch, dict):
        raise errors.bad_request("error decoding patch: " + _cannot_unmarshal(patch, _MAP_TYPE))
    return patch


def decode_strategic_merge_patch(body: bytes) -> dict[str, Any]:
    """The object of an application/strategic-merge-patch+json body; 400 when malformed."""
    patch = _decode(body, "")
    if patch is None:
        return {}
    if not isinstance(patch, dict):
        raise errors.bad_request(_cannot_unmarshal(patch, _MAP_TYPE))
    return patch


def apply_patch(doc: dict[str, Any], patch_type: str, body: bytes, kind: str) -> Any:
    """Apply a PATCH body to `doc` by its Content-Type: json-patch, merge-patch or
    strategic-merge-patch. Anything but those and apply-patch is 415; the apply type itself
    belongs to the caller (it is not a merge of `doc` and the body)."""
    media = patch_media_type(patch_type)
    if media == JSON_PATCH:
        return json_patch(doc, decode_json_patch(body))
    if media == MERGE_PATCH:
        return merge_patch(doc, decode_merge_patch(body))
    if media == STRATEGIC_MERGE_PATCH:
        return strategic_merge_patch(doc, decode_strategic_merge_patch(body), kind)
    if media == APPLY_PATCH:
        raise ValueError("server-side apply is not a merge patch; decode it with parse_apply_body")
    raise errors.unsupported_media_type(media, list(ACCEPTED_PATCH_TYPES))


# -- server-side apply bodies ----------------------------------------------------------------

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ApplyLoader(_YamlBase):  # type: ignore[misc]
    """YAML as sigs.k8s.io/yaml reads it into JSON: timestamps stay strings."""

    yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _YamlBase.yaml_implicit_resolvers.items()
    }


def _json_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _stringify_keys(value: Any) -> None:
    """YAML allows non-string keys; JSON (and Go's conversion) turns them into strings."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(not isinstance(k, str) for k in item):
                pairs = [(_json_key(k), v) for k, v in item.items()]
                item.clear()
                item.update(pairs)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))


def _load_yaml(body: bytes) -> Any:
    try:
        return next(yaml.load_all(body, Loader=_ApplyLoader), None)
    except yaml.MarkedYAMLError as e:
        where = f"line {e.problem_mark.line + 1}: " if e.problem_mark is not None else ""
        reason = f"yaml: {where}{e.problem or e.context or 'invalid YAML'}"
    except (yaml.YAMLError, RecursionError) as e:
        reason = "exceeded max depth" if isinstance(e, RecursionError) else f"yaml: {e}"
    raise errors.bad_request(f"error decoding YAML: error converting YAML to JSON: {reason}")


def parse_apply_body(body: bytes) -> dict[str, Any]:
    """The object of an application/apply-patch+yaml body (YAML, or JSON, which is YAML);
    400 `error decoding YAML: ...` when it is not one mapping."""
    value: Any = None
    if body.lstrip()[:1] == b"{":
        try:
            value = gojson.decode(body)
        except GoJSONError:
            value = None  # YAML reports it, as kube's YAML decoder would
    if value is None:
        value = _load_yaml(body)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.bad_request("error decoding YAML: error unmarshaling JSON: while decoding JSON: "
                                 + _cannot_unmarshal(value, _MAP_TYPE))
    if gojson.exceeds_depth(value, gojson.MAX_DEPTH):
        raise errors.bad_request("error decoding YAML: exceeded max depth")
    _stringify_keys(value)
    return value
