"""Bearer-token authentication, as kube-apiserver's `--token-auth-file`.

The file is kube's CSV: `token,user,uid[,"group1,group2"]`, one line per token. When tokens are
configured, every request but the health checks (/healthz, /livez, /readyz, which load
balancers and `make up` poll anonymously) must carry `Authorization: Bearer <token>`; anything
else gets kube's 401 Status, `Unauthorized`. There is no authorization layer: an
authenticated user may do everything, as with kube's AlwaysAllow.
"""

from __future__ import annotations

import csv
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

import orjson

from apiserver import errors

log = logging.getLogger(__name__)

ANONYMOUS_PATHS = ("/healthz", "/livez", "/readyz")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenFileError(Exception):
    """The token file cannot be used; the message says why, naming the file."""


@dataclass(frozen=True)
class User:
    name: str
    uid: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    token: str
    user: User


def load_token_file(path: Path) -> list[Token]:
    """The tokens in file order (the first one is what the written kubeconfig uses)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TokenFileError(f"unable to read token file '{path}': {e}") from None
    tokens: dict[str, Token] = {}
    for number, record in enumerate(csv.reader(text.splitlines()), start=1):
        if not record:
            continue
        if len(record) < 3:
            raise TokenFileError(f"token file '{path}' must have at least 3 columns (token, user name, "
                                 f"user uid), found {len(record)}")
        token = record[0].strip()
        if not token:
            log.warning("empty token has been found in token file '%s', record number '%d'", path, number)
            continue
        if token in tokens:
            log.warning("duplicate token has been found in token file '%s', record number '%d'", path, number)
        groups = tuple(g for g in record[3].split(",") if g) if len(record) > 3 else ()
        tokens[token] = Token(token, User(record[1], record[2], groups))
    if not tokens:
        raise TokenFileError(f"token file '{path}' holds no token")
    return list(tokens.values())


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, as kube parses it."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin-1").strip().split(" ", 2)
            if len(parts) >= 2 and parts[0].lower() == "bearer" and parts[1]:
                return parts[1]
            return None
    return None


class TokenAuth:
    """ASGI middleware: authenticate every request by its bearer token."""

    def __init__(self, app: ASGIApp, tokens: list[Token]) -> None:
        self.app = app
        self._tokens = [(t.token.encode(), t.user) for t in tokens]

    def authenticate(self, token: str | None) -> User | None:
        if token is None:
            return None
        given = token.encode()
        found = None
        for known, user in self._tokens:  # compare with every token: no timing hint
            if hmac.compare_digest(known, given):
                found = user
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _anonymous(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        user = self.authenticate(bearer_token(scope))
        if user is None:
            await _unauthorized(send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)


def _anonymous(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ANONYMOUS_PATHS)


async def _unauthorized(send: Send) -> None:
    body = orjson.dumps(errors.unauthorized().status())
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
