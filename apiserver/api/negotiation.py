"""Content negotiation: what the client accepts (JSON, YAML, Table) and what it sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
import yaml
from starlette.responses import Response

from apiserver import errors
from apiserver.api import bodies

MAX_BODY = bodies.MAX_BODY  # kube-apiserver's limit for a request body
JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


@dataclass(frozen=True)
class Accept:
    table: bool = False
    yaml: bool = False


_PLAIN, _TABLE, _YAML = Accept(), Accept(table=True), Accept(yaml=True)
_accepts: dict[str, Accept] = {}  # by header: clients send the same one or two every time
_REMEMBERED = 256


def parse_accept(header: str | None) -> Accept:
    """The first acceptable media range wins, in the client's order."""
    key = header or ""
    found = _accepts.get(key)
    if found is None:
        found = _parse_accept(key)
        if len(key) <= 1024:
            if len(_accepts) >= _REMEMBERED:
                _accepts.clear()
            _accepts[key] = found
    return found


def _parse_accept(header: str) -> Accept:
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        params = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io" and \
                media in (JSON, "application/*", "*/*"):
            return _TABLE
        if media in (JSON, "*/*", "application/*", PROTOBUF, "application/json;stream=watch", ""):
            return _PLAIN
        if media == YAML:
            return _YAML
    return _PLAIN


class _JSONBytes(Response):
    """`Response(data, status, media_type=JSON)`, its headers written out directly (the
    same two, in Starlette's order): every JSON answer is one."""

    media_type = JSON

    def __init__(self, data: bytes, status: int) -> None:
        self.status_code = status
        self.background = None
        self.body = data
        self.raw_headers = [(b"content-type", b"application/json")]
        if not (status < 200 or status in (204, 304)):
            self.raw_headers.insert(0, (b"content-length", str(len(data)).encode("latin-1")))


def render(body: Any, status: int = 200, accept: Accept = _PLAIN, headers: dict[str, str] | None = None) -> Response:
    if accept.yaml:
        text = yaml.safe_dump(orjson.loads(orjson.dumps(body)), sort_keys=False)
        return Response(text.encode(), status, media_type=YAML, headers=headers)
    return raw_json(orjson.dumps(body), status, headers)


def raw_json(data: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if headers is None:
        return _JSONBytes(data, status)
    return Response(data, status, media_type=JSON, headers=headers)


def decode_body(content_type: str | None, body: bytes, kind: str) -> Any:
    """A create/update body: JSON or YAML within the limits of `bodies`. Protobuf gets a
    clear 415 (see README)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if len(body) > MAX_BODY:
        raise bodies.too_large()
    if media == PROTOBUF:  # kubectl's generators (create namespace|configmap|secret|service)
        from apiserver.machinery import protobuf

        return protobuf.decode(body)
    if not body.strip():
        raise errors.bad_request(f"the body of the request could not be decoded as a {kind}: empty body")
    return bodies.load(YAML if media == YAML else JSON, body)


def add_warnings(response: Response, texts: list[str]) -> Response:
    """`Warning: 299 - "text"` headers, which kubectl prints on stderr as `Warning: text`."""
    for text in texts:
        response.headers.append("Warning", f"299 - {json.dumps(text)}")
    return response
