"""create_app(config) -> the FastAPI application: routes, the ONE error handler, the
authentication and body-size middlewares, and the lifespan that opens storage, bootstraps the
cluster and runs the controllers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, Callable

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from apiserver import errors
from apiserver.api import discovery
from apiserver.api.bodies import BodyLimit
from apiserver.api.dispatch import ResourceAPI, ResourceRoutes, url_path
from apiserver.api.handlers import handle
from apiserver.api.negotiation import render
from apiserver.api.paths import GroupVersion, Target, parse
from apiserver.auth import TokenAuth, load_token_file
from apiserver.bootstrap import bootstrap
from apiserver.config import ServerConfig
from apiserver.registry import Registry
from apiserver.storage import Storage, open_storage

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def create_app(config: ServerConfig, storage: Storage | None = None,
               on_ready: Callable[[], None] | None = None) -> FastAPI:
    """`on_ready` runs once storage is open and the cluster bootstrapped, before /readyz says
    ok (the command line writes the kubeconfig then: a second server refused the database
    must not overwrite the running one's)."""
    store = storage or open_storage(config.storage, config.data_dir, config.history_revisions)
    registry = Registry(store, config)
    ready = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.start()
        await bootstrap(registry)
        tasks = []
        if config.controllers:
            tasks.append(asyncio.create_task(_run_controllers(registry, config), name="controllers"))
        if on_ready is not None:
            on_ready()
        ready.set()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await store.close()

    app = ResourceAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.registry = registry

    @app.exception_handler(errors.StatusError)
    async def status_error(request: Request, exc: errors.StatusError) -> Response:
        return render(exc.status(), exc.code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return PlainTextResponse("404 page not found\n", 404)
        err = errors.http_status(exc.status_code, str(exc.detail))
        return render(err.status(), exc.status_code)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        err = errors.internal_error(f"{type(exc).__name__}: {exc}")
        return render(err.status(), 500)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok" if ready.is_set() else "not ready", 200 if ready.is_set() else 503)

    for path in ("/healthz", "/livez", "/readyz"):
        app.add_api_route(path, health, methods=["GET"], include_in_schema=False)

    @app.get("/version", include_in_schema=False)
    async def version() -> Response:
        return render(discovery.VERSION_INFO)

    @app.get("/api", include_in_schema=False)
    async def api(request: Request) -> Response:
        if _wants_aggregated(request):
            return _aggregated(discovery.aggregated(core=True))
        host = request.headers.get("host", f"{config.bind_address}:{config.port}")
        return render(discovery.api_versions(host))

    @app.get("/apis", include_in_schema=False)
    async def apis(request: Request) -> Response:
        if _wants_aggregated(request):
            return _aggregated(discovery.aggregated(core=False))
        return render(discovery.api_group_list())

    @app.get("/openapi/v3", include_in_schema=False)
    async def openapi_index() -> Response:
        return render(_openapi().index())

    @app.get("/openapi/v2", include_in_schema=False)
    async def openapi_v2(request: Request) -> Response:
        # kubectl asks for protobuf only; a JSON 200 would fail its decoding, a 406 does not.
        accept = request.headers.get("accept", "")
        if accept and "json" not in accept and "*/*" not in accept:
            return render(errors.not_acceptable(["application/json"]).status(), 406)
        return Response(_openapi().v2(), media_type="application/json")

    @app.get("/openapi/v3/{path:path}", include_in_schema=False)
    async def openapi_doc(path: str) -> Response:
        parts = path.split("/")
        gv = ("", parts[1]) if parts[0] == "api" and len(parts) == 2 else \
            (parts[1], parts[2]) if parts[0] == "apis" and len(parts) == 3 else None
        if gv is None or not discovery.resources_of(*gv):
            return PlainTextResponse("404 page not found\n", 404)
        return Response(_openapi().document(*gv), media_type="application/json")

    async def resources(request: Request) -> Response:
        target = parse(url_path(request))
        if isinstance(target, Target):
            return await handle(request, registry, target)
        if isinstance(target, GroupVersion) and request.method == "GET":
            doc = discovery.api_group(target.group) if target.version is None else \
                discovery.resource_list(target.group, target.version)
            if doc is not None:
                return render(doc)
        return PlainTextResponse("404 page not found\n", 404)

    app.add_api_route("/api/{path:path}", resources, methods=METHODS, include_in_schema=False)
    app.add_api_route("/apis/{path:path}", resources, methods=METHODS, include_in_schema=False)
    # Added last, so outermost: authentication runs first, then the body limit, then the
    # resource paths' own dispatch (the routes above stay for whatever it passes on).
    handlers = {k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)}
    app.add_middleware(ResourceRoutes, endpoint=resources, handlers=handlers)
    app.add_middleware(BodyLimit)
    if config.token_auth_file is not None:
        app.add_middleware(TokenAuth, tokens=load_token_file(config.token_auth_file))
    return app


def _openapi() -> Any:
    """Imported on first use: it weighs on a cold start and few clients ask for it."""
    from apiserver.api import openapi

    return openapi


async def _run_controllers(registry: Registry, config: ServerConfig) -> None:
    # Imported after the server is ready and off the loop, so the API answers while they load.
    import importlib

    manager = await asyncio.to_thread(importlib.import_module, "apiserver.controllers.manager")
    await manager.run_controllers(registry, config)


def _wants_aggregated(request: Request) -> bool:
    return "as=APIGroupDiscoveryList" in request.headers.get("accept", "")


def _aggregated(body: dict) -> Response:
    response = render(body)
    response.headers["content-type"] = discovery.AGGREGATED_TYPE
    return response
