"""run_controllers: every in-process controller and the simulated nodes, on one event loop.

Order: build the controllers (they register their informers, indexes and handlers), register
the nodes, start the shared informers and wait until each has listed once, then start the
workers. Starting workers only on complete caches is what makes a restart safe: a replica
manager that started early would not see the pods it created before the restart and would
create them again. Cancelling the task stops everything; `run_controllers` then returns by
raising CancelledError, as a cancelled task should.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from apiserver.config import ServerConfig
from apiserver.controllers.apiserverendpoints import APIServerEndpoints
from apiserver.controllers.client import ENDPOINT_SLICES, REPLICA_SETS, Client, LocalClient
from apiserver.controllers.endpoints import EndpointsController
from apiserver.controllers.endpointslices import EndpointSliceController
from apiserver.controllers.events import EventRecorder
from apiserver.controllers.eventttl import EventTTL
from apiserver.controllers.garbagecollector import GarbageCollector
from apiserver.controllers.informer import InformerFactory
from apiserver.controllers.namespace import NamespaceController
from apiserver.controllers.ownerkinds import REPLICA_SET, REPLICATION_CONTROLLER
from apiserver.controllers.replication import ReplicaManager
from apiserver.controllers.scheduler import Scheduler
from apiserver.nodes.kubelet import AgentOptions, NodeAgent

log = logging.getLogger(__name__)

_SYNC_COLLECTOR_PAUSE = 60.0  # seconds the collector may stay off while caches fill


@dataclass(frozen=True)
class ControllerOptions:
    """Cadences, overridable for tests; the defaults are kube's."""

    agent: AgentOptions = field(default_factory=AgentOptions)
    gc_sweep_seconds: float = 60.0


@dataclass
class ControlPlane:
    """Everything run_controllers starts, reachable for tests and diagnostics."""

    client: Client
    informers: InformerFactory
    recorder: EventRecorder
    agent: NodeAgent
    runners: dict[str, Callable[[], Awaitable[Any]]]


def _serves(client: Client, gr: Any) -> bool:
    try:
        client.resource(gr)
        return True
    except KeyError:
        return False


def build(client: Client, config: ServerConfig, options: ControllerOptions) -> ControlPlane:
    informers = InformerFactory(client)
    recorder = EventRecorder(client)
    agent = NodeAgent(client, informers, recorder, config, options.agent)
    runners: dict[str, Callable[[], Awaitable[Any]]] = {
        "replication-controller": ReplicaManager(client, informers, recorder, REPLICATION_CONTROLLER).run,
        "scheduler": Scheduler(client, informers, recorder).run,
        "endpoint-controller": EndpointsController(client, informers).run,
        "apiserver-endpoints": APIServerEndpoints(client, informers, config).run,
        "namespace-controller": NamespaceController(client, informers).run,
        "node-agent": agent.run,
        "events": recorder.run,
        "event-ttl": EventTTL(client).run,
    }
    if _serves(client, REPLICA_SETS):
        runners["replicaset-controller"] = ReplicaManager(client, informers, recorder, REPLICA_SET).run
    if _serves(client, ENDPOINT_SLICES):
        runners["endpointslice-controller"] = EndpointSliceController(client, informers).run
    # Last: the collector watches every kind, reusing the full informers created above.
    runners["garbage-collector"] = GarbageCollector(client, informers, sweep_seconds=options.gc_sweep_seconds).run
    return ControlPlane(client, informers, recorder, agent, runners)


async def run_control_plane(plane: ControlPlane) -> None:
    async with asyncio.TaskGroup() as tg:
        tg.create_task(plane.recorder.run(), name="events")
        await plane.agent.register()
        tg.create_task(plane.informers.run(), name="informers")
        await _wait_synced(plane.informers)
        log.info("controllers: caches synced, starting %s", ", ".join(plane.runners))
        for name, run in plane.runners.items():
            if name != "events":
                tg.create_task(_supervised(name, run), name=name)


async def _wait_synced(informers: InformerFactory, report_every: float = 10.0) -> None:
    """Until every cache has listed once; says which ones it is still waiting for."""
    while True:
        try:
            await asyncio.wait_for(informers.wait_synced(), report_every)
            return
        except asyncio.TimeoutError:
            waiting = [str(i.gr) for i in informers.all() if not i.synced]
            log.warning("controllers: still waiting for caches to sync: %s", ", ".join(waiting))


async def _supervised(name: str, run: Callable[[], Awaitable[Any]]) -> None:
    """A controller that crashes is logged and restarted after a pause, never takes the rest down."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("controller %s crashed; restarting", name)
            await asyncio.sleep(1.0)


async def run_controllers(registry: Any, config: ServerConfig, options: ControllerOptions | None = None) -> None:
    """Run every controller and the node agent against `registry` until cancelled."""
    plane = build(LocalClient(registry), config, options or ControllerOptions())
    settle = asyncio.create_task(_collect_after_sync(plane.informers), name="heap settle")
    try:
        await run_control_plane(plane)
    finally:
        settle.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await settle  # the collector is back on before this returns


async def _collect_after_sync(informers: InformerFactory) -> None:
    """Pause Python's cyclic collector while the caches fill (bounded). Filling them makes
    ~40 containers per object, and each time the heap grows by a quarter the collector scans
    all of it: with 10,000 pods, stalls of 100-400 ms that hold up every request. What the
    sync built lives as long as the caches, so it then leaves the collector's view (freed by
    reference counting as ever, just never rescanned)."""
    if not gc.isenabled():
        return
    gc.disable()
    try:
        await asyncio.wait_for(informers.wait_synced(), _SYNC_COLLECTOR_PAUSE)
        gc.freeze()
    except asyncio.TimeoutError:
        pass
    finally:
        gc.enable()
