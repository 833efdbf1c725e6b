"""What a request body may be, whatever a client sends:

- at most 3 MiB, kube-apiserver's limit: a larger body gets 413 `Request entity too large:
  limit is 3145728`, before more than the limit is ever held in memory;
- JSON, or YAML that maps onto JSON as kube's YAML decoder maps it (keys become strings,
  timestamps stay strings, integers past 64 bits become floats), without alias bombs;
- at most MAX_DEPTH levels deep (see typecheck.py);
- invalid UTF-8 is replaced by U+FFFD, as kube's decoder does inside strings; a field with
  character rules (a name, a label) then fails its validation with a 422.
"""

from __future__ import annotations

import math
from typing import Any, Awaitable, Callable

import orjson
import yaml

from apiserver import errors, typecheck

MAX_BODY = 3 * 1024 * 1024
MAX_DEPTH = typecheck.MAX_DEPTH
# A body that was sent in full is read to its end before the 413, so that a client still
# writing it sees the answer rather than a reset connection; past this much, the connection
# is simply closed after the answer.
_DRAIN_LIMIT = 64 * 1024 * 1024
# go-yaml refuses documents whose aliases expand far beyond their size; this is our budget of
# expanded nodes per body byte (no alias-free document comes close to it).
_NODES_PER_BYTE = 2
_MIN_NODE_BUDGET = 100_000
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 64 - 1
_GO_FLOAT = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def too_large() -> errors.StatusError:
    return errors.request_entity_too_large(f"limit is {MAX_BODY}")


class BodyLimit:
    """ASGI middleware: no request body past MAX_BODY is ever buffered."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _content_length(scope) > MAX_BODY:
            await _drain(receive, 0)
            await _send_status(send, too_large())
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    if message.get("more_body"):
                        await _drain(receive, received)
                    raise too_large()
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _drain(receive: Receive, received: int) -> None:
    while received <= _DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        received += len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def _send_status(send: Send, err: errors.StatusError) -> None:
    body = orjson.dumps(err.status())
    await send({"type": "http.response.start", "status": err.code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# -- decoding --------------------------------------------------------------------------------


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: fast, no recursion


class _Loader(_SafeLoader):  # type: ignore[misc]
    """The safe loader with timestamps left as the strings they were written as (go-yaml
    decodes them into strings when the target is untyped; Kubernetes objects carry strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_error(reason: str) -> errors.StatusError:
    return errors.bad_request(f"couldn't get version/kind; json parse error: {reason}")


def load(media: str, body: bytes) -> Any:
    """Parse a JSON or YAML body into JSON-compatible values, within every limit above."""
    if len(body) > MAX_BODY:
        raise too_large()
    if media != "application/yaml":
        try:  # valid UTF-8 (nearly every body) parses as it is; the rest takes the long way
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            # Nesting d levels takes d opening brackets: a body with fewer cannot be too deep.
            if body.count(b"{") + body.count(b"[") > MAX_DEPTH:
                check_depth(doc)
            return doc
    text = body.decode("utf-8", errors="replace")
    if media == "application/yaml":
        try:
            doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except RecursionError:
            raise parse_error(f"exceeded max depth of {MAX_DEPTH}") from None
        except yaml.YAMLError as e:
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise parse_error(reason) from None
        return to_json(doc, max(_MIN_NODE_BUDGET, _NODES_PER_BYTE * len(body)))
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        raise parse_error(str(e) or type(e).__name__) from None
    check_depth(doc)
    return doc


def to_json(value: Any, budget: int) -> Any:
    """A copy of a YAML document as JSON values; raises 400 past MAX_DEPTH or the node budget."""
    remaining = [budget]

    def convert(v: Any, depth: int) -> Any:
        remaining[0] -= 1
        if remaining[0] < 0:
            raise parse_error("yaml: document contains excessive aliasing")
        if isinstance(v, dict) or isinstance(v, (list, tuple, set)):
            if depth >= MAX_DEPTH:
                raise parse_error(f"exceeded max depth of {MAX_DEPTH}")
            if isinstance(v, set):
                return {_key(k): None for k in v}
            if isinstance(v, dict):
                return {_key(k): convert(item, depth + 1) for k, item in v.items()}
            return [convert(item, depth + 1) for item in v]
        return _scalar(v)

    return convert(value, 0)


def _key(key: Any) -> str:
    """Keys as kube's YAML-to-JSON conversion writes them."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(_scalar(key))
    if isinstance(key, bytes):
        return key.decode("utf-8", errors="replace")
    raise parse_error(f"unsupported map key of type {type(key).__name__}")


def _scalar(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, int):
        return v if _INT_MIN <= v <= _INT_MAX else float(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise parse_error(f"json: unsupported value: {_GO_FLOAT.get(str(v), str(v))}")
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return str(v)


def check_depth(value: Any) -> None:
    if typecheck.too_deep(value):
        raise parse_error(f"exceeded max depth of {MAX_DEPTH}")
