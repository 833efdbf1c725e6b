"""The resource paths (`/api/...`, `/apis/...`) dispatched as plain ASGI.

Every object read and write takes these paths, and FastAPI's layers (route matching, request
wrapping, dependency solving, telemetry checks) cost more than the rest of a small request's
handling. `ResourceRoutes` sits inside the app's other middlewares (authentication and the
body limit still run first) and hands these requests straight to their endpoint, with the
app's own exception handlers, as Starlette's ExceptionMiddleware would. Whatever it does not
take (other paths and methods, paths the router would read differently) goes on to the
FastAPI router unchanged, where the same endpoint is also registered.

`ResourceAPI` is FastAPI with one shortcut: resource requests enter those middlewares under
the same server-error handling as always (Starlette's ServerErrorMiddleware: the 500 handler
answers, the exception goes on to the server's log), skipping the framework layers that do
nothing for them (telemetry, unless it is configured; the app-wide body limit, unset).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Request, Exception], Awaitable[Response]]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PREFIXES = ("/api/", "/apis/")
# The router's `.*` stops at a newline, and request.url drops tabs and newlines: paths with
# them take the router's way.


def url_path(request: Request) -> str:
    """`request.url.path` without building the URL: the scope's path as Starlette escapes it."""
    path: str = request.scope["path"]
    if "\n" in path or "\r" in path or "\t" in path:
        return request.url.path
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


class ResourceRoutes:
    """ASGI middleware: resource requests go to `endpoint`; exceptions with a handler in
    `handlers` (by class, or by status code for HTTPException) are answered by it, the rest
    propagate to the server-error middleware, as on the router's path."""

    def __init__(self, app: ASGIApp, endpoint: Endpoint, handlers: Mapping[Any, Handler]) -> None:
        self.app = app
        self.endpoint = endpoint
        self.by_status = {k: v for k, v in handlers.items() if isinstance(k, int)}
        self.by_class = {k: v for k, v in handlers.items() if not isinstance(k, int)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS or not _ours(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            response = await self.endpoint(request)
            await response(scope, receive, sender)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            answer = await handler(request, exc)
            await answer(scope, receive, sender)
            exc.__traceback__ = None  # a reused exception would gather tracebacks

    def _handler(self, exc: Exception) -> Handler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.by_status:
            return self.by_status[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.by_class:
                return self.by_class[cls]
        return None


def _ours(path: str) -> bool:
    return path.startswith(PREFIXES) and "\n" not in path and "\r" not in path and "\t" not in path


class ResourceAPI(FastAPI):
    """FastAPI, with resource requests taking the short way described above."""

    _short_way: ASGIApp | None = None
    _no_short_way = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in METHODS and _ours(scope["path"]) \
                and not self._no_short_way:
            short_way = self._short_way or self._build_short_way()
            if short_way is not None:
                if self.root_path:
                    scope["root_path"] = self.root_path
                scope["app"] = self
                await short_way(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def _build_short_way(self) -> ASGIApp | None:
        """The app's middlewares over nothing (ResourceRoutes answers every request that
        comes this way), under the server-error handling; built on first use, as Starlette
        builds its stack. None when a framework layer has work to do."""
        if self.debug or self.max_body_size is not None or self._native_telemetry.enabled():
            self._no_short_way = True
            return None
        error_handler = None
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
        app: ASGIApp = _unreachable
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        self._short_way = _ServerErrors(app, error_handler)
        return self._short_way


async def _unreachable(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError(f"no resource route took {scope['method']} {scope['path']}")


class _ServerErrors:
    """Starlette's ServerErrorMiddleware (not in debug mode): an exception no handler took
    is answered by the 500 handler, if nothing was sent yet, and raised on to the server."""

    def __init__(self, app: ASGIApp, handler: Handler | None) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            request = Request(scope)
            if self.handler is None:
                response: Response = PlainTextResponse("Internal Server Error", status_code=500)
            else:
                response = await self.handler(request, exc)
            if not started:
                await response(scope, receive, send)
            raise exc
