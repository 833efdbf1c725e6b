"""LIST: JSON lists stream the stored bytes as they are (serialised once, at write time);
Tables build rows from the columns; `limit`/`continue` page by key."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import orjson
from starlette.responses import Response

from apiserver import errors
from apiserver.api.negotiation import Accept, raw_json, render
from apiserver.filtering import compile_filter
from apiserver.registry import Registry, decode
from apiserver.resources.base import ResourceType
from apiserver.storage import KeyValue
from apiserver.tables import table


def _encode_continue(revision: int, next_key: str) -> str:
    token = orjson.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": next_key})
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise errors.bad_request(f'invalid continue token: {token}') from None


def _parse_limit(value: str | None) -> int:
    if not value:
        return 0
    try:
        return max(0, int(value))
    except ValueError:
        raise errors.bad_request(f'invalid value for limit: "{value}"') from None


async def list_response(registry: Registry, rt: ResourceType, namespace: str | None,
                        params: dict[str, str], accept: Accept) -> Response:
    match = compile_filter(rt, params.get("labelSelector", ""), params.get("fieldSelector", ""))
    revision, kvs = await registry.list_kvs(rt, namespace)
    token = params.get("continue", "")
    if token:
        token_rev, start = _decode_continue(token)
        if token_rev < registry.storage.compacted_revision:
            raise errors.expired("The provided continue parameter is too old to display a consistent list "
                                 "result. You can start a new list without the continue parameter, or use "
                                 "the continue token in this response to retrieve the remainder of the "
                                 "results. Continuing with the provided token results in an inconsistent "
                                 "list - objects that were created, modified, or deleted between the time "
                                 "the first chunk was returned and now may show up in the list.")
        kvs = [kv for kv in kvs if kv.key >= start]
    page, next_token, remaining = _page(kvs, match, _parse_limit(params.get("limit")), revision)
    rv = str(revision)
    if accept.table:
        objs = page if match is not None else [decode(kv) for kv in page]  # type: ignore[misc]
        body = table(rt, objs, datetime.now(timezone.utc), resource_version=rv,  # type: ignore[arg-type]
                     include=params.get("includeObject", "Metadata"), continue_token=next_token)
        return render(body, accept=accept)
    meta: dict[str, Any] = {"resourceVersion": rv}
    if next_token:
        meta["continue"] = next_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    if accept.yaml or match is not None:
        items = page if match is not None else [decode(kv) for kv in page]  # type: ignore[misc]
        return render({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta, "items": items},
                      accept=accept)
    head = orjson.dumps({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
    data = head[:-1] + b',"items":[' + b",".join(kv.value for kv in page) + b"]}"  # type: ignore[union-attr]
    return raw_json(data)


def _page(kvs: list[KeyValue], match: Any, limit: int, revision: int) -> tuple[list[Any], str, int | None]:
    """(page items — KeyValues, or decoded objects when filtering —, continue token, remaining)."""
    if match is None:
        if limit and len(kvs) > limit:
            return kvs[:limit], _encode_continue(revision, kvs[limit].key), len(kvs) - limit
        return kvs, "", None
    out: list[Any] = []
    for i, kv in enumerate(kvs):
        obj = decode(kv)
        if not match(obj):
            continue
        if limit and len(out) == limit:
            return out, _encode_continue(revision, kv.key), None
        out.append(obj)
    return out, "", None
