"""LIST: JSON lists stream the stored bytes as they are (serialised once, at write time);
Tables splice rows precomputed per object version (only clock cells like AGE are computed per
request); `limit`/`continue` page by key."""

from __future__ import annotations

import base64
import bisect
import itertools
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import orjson
from starlette.responses import Response, StreamingResponse

from apiserver import errors
from apiserver.api.negotiation import JSON, Accept, raw_json, render
from apiserver.filtering import compile_filter
from apiserver.registry import Registry, decode
from apiserver.resources.base import ResourceType
from apiserver.storage import KeyValue
from apiserver.tables import table_json


_CHUNK = 1 << 20  # bytes per chunk of a streamed LIST body


def _encode_continue(revision: int, next_key: str) -> str:
    token = orjson.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": next_key})
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise errors.bad_request(f'invalid continue token: {token}') from None


def _check_resource_version(params: dict[str, str], head: int, compacted: int) -> None:
    """resourceVersion / resourceVersionMatch on a LIST. minik keeps one store, so every
    answer is the current state; what kube would refuse, minik refuses the same way."""
    rv, match = params.get("resourceVersion", ""), params.get("resourceVersionMatch", "")
    if match and not rv:
        raise errors.invalid("ListOptions", "meta.k8s.io", "", [errors.forbidden_field(
            "resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")])
    if match and match not in ("Exact", "NotOlderThan"):
        raise errors.invalid("ListOptions", "meta.k8s.io", "", [errors.not_supported(
            "resourceVersionMatch", match, ["Exact", "NotOlderThan", ""])])
    if not rv:
        return
    try:
        wanted = int(rv)
    except ValueError:
        raise errors.bad_request(f'invalid resource version: {rv}') from None
    if match == "Exact" and wanted == 0:
        raise errors.invalid("ListOptions", "meta.k8s.io", "", [errors.forbidden_field(
            "resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')])
    if wanted > head:
        raise errors.timeout(f"Too large resource version: {wanted}, current: {head}")
    if match == "Exact" and wanted != head and wanted <= compacted:
        raise errors.expired("The resourceVersion for the provided list is too old.")


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
    _check_resource_version(params, revision, registry.storage.compacted_revision)
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
    page, objs, next_token, remaining = _page(kvs, match, _parse_limit(params.get("limit")), revision)
    rv = str(revision)
    if accept.table:
        pieces = table_json(rt, page, objs or [None] * len(page), datetime.now(timezone.utc), resource_version=rv,
                            include=params.get("includeObject", "Metadata"), continue_token=next_token)
        return _body(pieces)
    meta: dict[str, Any] = {"resourceVersion": rv}
    if next_token:
        meta["continue"] = next_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    if accept.yaml:
        items = objs or [decode(kv) for kv in page]
        return render({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta, "items": items},
                      accept=accept)
    head = orjson.dumps({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})[:-1] + b',"items":['
    pieces = [head]
    for kv in page:
        pieces += (kv.value, b",")
    if page:
        pieces.pop()
    pieces.append(b"]}")
    return _body(pieces)


def _body(pieces: list[bytes]) -> Response:
    """Small bodies in one piece; large ones streamed in chunks, so a 10,000-object LIST
    never holds a second (or third, in the socket's buffer) copy of itself."""
    if sum(map(len, pieces)) <= _CHUNK:
        return raw_json(b"".join(pieces))
    return StreamingResponse(_chunks(pieces), media_type=JSON)


async def _chunks(pieces: list[bytes]) -> AsyncIterator[bytes]:
    """Chunks of at least _CHUNK bytes (but the last), ending where a piece ends. The
    boundaries are found by bisecting the running sizes: a Table has ~60,000 small pieces,
    and sizing them one by one in Python cost more than building the rows."""
    ends = list(itertools.accumulate(map(len, pieces)))
    start, base = 0, 0
    while start < len(pieces):
        last = bisect.bisect_left(ends, base + _CHUNK, lo=start)
        yield b"".join(pieces[start:last + 1])
        if last >= len(pieces) - 1:
            return
        start, base = last + 1, ends[last]


def _page(kvs: list[KeyValue], match: Any, limit: int,
          revision: int) -> tuple[list[KeyValue], list[Any], str, int | None]:
    """(page items, their parsed objects when filtering had to parse them (else []),
    continue token, remaining count)."""
    if match is None:
        if limit and len(kvs) > limit:
            return kvs[:limit], [], _encode_continue(revision, kvs[limit].key), len(kvs) - limit
        return kvs, [], "", None
    out: list[KeyValue] = []
    objs: list[Any] = []
    for kv in kvs:
        obj = decode(kv)
        if not match(obj):
            continue
        if limit and len(out) == limit:
            return out, objs, _encode_continue(revision, kv.key), None
        out.append(kv)
        objs.append(obj)
    return out, objs, "", None
