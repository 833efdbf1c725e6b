"""A control plane in-process: a real Registry on a real SQLite file, the bootstrap objects and
every controller (short heartbeats and stage delays), started and stopped in order; `restart`
stops the controllers and starts a fresh set on the same storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from apiserver.bootstrap import bootstrap
from apiserver.config import ServerConfig
from apiserver.controllers.client import GR, LocalClient
from apiserver.controllers.manager import ControllerOptions, ControlPlane, build, run_control_plane
from apiserver.nodes.kubelet import AgentOptions
from apiserver.registry import Registry
from apiserver.storage import Storage, open_storage

FAST = ControllerOptions(agent=AgentOptions(lease_renew_seconds=0.2, node_status_seconds=0.5),
                         gc_sweep_seconds=0.5)


async def wait_for(predicate: Callable[[], Awaitable[Any]], timeout: float = 10.0, interval: float = 0.02,
                   message: str = "condition") -> Any:
    """Await `predicate()` until it is truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


@dataclass
class Cluster:
    config: ServerConfig
    storage: Storage
    registry: Registry
    client: LocalClient
    options: ControllerOptions = FAST
    plane: ControlPlane | None = None
    task: asyncio.Task[None] | None = None
    namespace: str = "default"
    extra: dict[str, Any] = field(default_factory=dict)

    async def start_controllers(self) -> None:
        self.plane = build(self.client, self.config, self.options)
        self.task = asyncio.create_task(run_control_plane(self.plane))

    async def stop_controllers(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)
            self.task = None

    async def restart(self) -> None:
        await self.stop_controllers()
        await self.start_controllers()

    # -- API shorthands -----------------------------------------------------------------------

    async def get(self, gr: GR, name: str, namespace: str | None = "default") -> dict[str, Any] | None:
        try:
            return await self.client.get(gr, namespace, name)
        except Exception as e:  # noqa: BLE001 - 404 -> None, the rest re-raised
            if getattr(e, "code", None) == 404:
                return None
            raise

    async def list(self, gr: GR, namespace: str | None = "default", **kw: str) -> list[dict[str, Any]]:
        _, items = await self.client.list(gr, namespace, **kw)
        return items


async def open_cluster(tmp_path: Path, **config: Any) -> Cluster:
    cfg = replace(ServerConfig(data_dir=tmp_path, pod_start_delay=0.05), **config)
    storage = open_storage("sqlite", tmp_path, cfg.history_revisions)
    await storage.start()
    registry = Registry(storage, cfg)
    await bootstrap(registry)
    return Cluster(cfg, storage, registry, LocalClient(registry))


@contextlib.asynccontextmanager
async def running_cluster(tmp_path: Path, **config: Any) -> AsyncIterator[Cluster]:
    cluster = await open_cluster(tmp_path, **config)
    try:
        await cluster.start_controllers()
        yield cluster
    finally:
        await cluster.stop_controllers()
        await cluster.storage.close()


async def edit(cluster: Cluster, gr: GR, name: str, change: Callable[[dict[str, Any]], None],
               namespace: str | None = "default", *, status: bool = False, attempts: int = 10) -> dict[str, Any]:
    """Read-modify-write (of /status with status=True) that retries on 409, as a client racing
    the controllers must."""
    for attempt in range(attempts):
        obj = await cluster.client.get(gr, namespace, name)
        change(obj)
        try:
            return await cluster.client.update(gr, obj, subresource="status" if status else None)
        except Exception as e:  # noqa: BLE001 - only conflicts are retried
            if getattr(e, "code", None) != 409 or attempt == attempts - 1:
                raise
        await asyncio.sleep(0.01 * (attempt + 1))  # client-go's RetryOnConflict backs off too
    raise AssertionError("unreachable")
