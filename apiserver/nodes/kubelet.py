"""The simulated node agent: a KWOK in miniature for `config.nodes` nodes.

It registers the Nodes, renews their Leases, and moves every pod bound to them through a
kubelet's stages: status Pending with containers waiting in ContainerCreating, then, after
`config.pod_start_delay` seconds, Running with a pod IP, ready containers and the kubelet's
events. A pod marked for deletion (graceful delete) is stopped at once and removed with the
kubelet's final DELETE (grace 0, uid precondition): nothing real runs, so there is nothing
to wait the grace period for, and `kubectl delete` returns within a fraction of a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from apiserver import errors
from apiserver.config import ServerConfig
from apiserver.controllers import podstate
from apiserver.controllers.client import PODS, Client, is_conflict, is_not_found, with_status
from apiserver.controllers.events import EventRecorder, Source
from apiserver.controllers.informer import InformerFactory, by_node, object_key
from apiserver.controllers.runtime import Controller, enqueue_handler
from apiserver.machinery.duration import format_time
from apiserver.nodes import podstatus
from apiserver.nodes.ipam import PodAddresses, node_subnets
from apiserver.nodes.nodeobjects import internal_ip, node_name
from apiserver.nodes.registration import NodeRegistrar
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentOptions:
    lease_renew_seconds: float = 10.0  # the kubelet's lease renew interval
    node_status_seconds: float = 300.0  # nodeStatusReportFrequency: status at least this often
    workers: int = 16  # writes in flight together share the storage's commits


def _go_duration(seconds: float) -> str:
    """Go's time.Duration.String for the sub-minute durations a pull takes."""
    if seconds >= 1:
        return f"{seconds:.6f}".rstrip("0").rstrip(".") + "s"
    return f"{seconds * 1000:.6f}".rstrip("0").rstrip(".") + "ms"


class NodeAgent:
    def __init__(self, client: Client, factory: InformerFactory, recorder: EventRecorder, config: ServerConfig,
                 options: AgentOptions | None = None) -> None:
        self.client = client
        self.recorder = recorder
        self.config = config
        self.options = options or AgentOptions()
        self.names = [node_name(i) for i in range(1, config.nodes + 1)]
        self.index = {name: i for i, name in enumerate(self.names, 1)}
        subnets = node_subnets(config.pod_cidr, config.nodes)
        self.addresses = PodAddresses(dict(zip(self.names, subnets)))
        self.registrar = NodeRegistrar(client, recorder, config, self.index, subnets, str(uuid.uuid4()))
        self.controller = Controller("kubelet", self.reconcile, self.options.workers)
        self.pods = factory.informer(PODS)
        self.pods.add_index("node", by_node)
        self.pods.add_handler(enqueue_handler(self.controller.queue, self._key_if_mine))
        self._pending_since: dict[str, float] = {}
        self._addresses_loaded = False

    def _key_if_mine(self, pod: Obj) -> str | None:
        return object_key(pod) if podstate.node_name(pod) in self.index else None

    async def register(self) -> None:
        await self.registrar.register_all()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.registrar.heartbeat(self.options.lease_renew_seconds,
                                                    self.options.node_status_seconds), name="node heartbeat")
            tg.create_task(self.controller.run(), name="kubelet pods")

    # -- pods ------------------------------------------------------------------------------------

    def _load_addresses(self) -> None:
        """After a restart: the addresses running pods already have stay theirs."""
        self._addresses_loaded = True
        for node in self.names:
            for pod in self.pods.by_index("node", node):
                ip = (pod.get("status") or {}).get("podIP")
                if ip and not podstate.is_terminal(pod):
                    self.addresses.reserve(object_key(pod), str(podstate.meta(pod).get("uid")), node, ip)

    async def reconcile(self, key: str) -> float | None:
        if not self._addresses_loaded:
            self._load_addresses()
        pod = self.pods.get(key)
        if pod is None:
            self._forget(key)
            return None
        node = podstate.node_name(pod)
        if node not in self.index:
            return None
        if podstate.meta(pod).get("deletionTimestamp"):
            await self._terminate(key, pod)
            return None
        if podstate.is_terminal(pod):
            self._forget(key)
            return None
        stage = podstatus.stage(pod)
        if stage == "running":
            return None
        delay = self.config.pod_start_delay
        if stage == "new" and delay > 0:
            await self._write_status(pod, podstatus.pending(pod, internal_ip(self.index[node]), self._now()))
            self._pending_since[key] = time.monotonic()
            self._pulling_events(pod)
            return delay
        since = self._pending_since.setdefault(key, time.monotonic())
        remaining = since + delay - time.monotonic()
        if remaining > 0:
            return remaining
        await self._start(key, pod, node, time.monotonic() - since)
        return None

    def _forget(self, key: str) -> None:
        self.addresses.release(key)
        self._pending_since.pop(key, None)

    @staticmethod
    def _now() -> str:
        return format_time(datetime.now(timezone.utc))

    async def _write_status(self, pod: Obj, status: Obj) -> bool:
        try:
            await self.client.update_status(PODS, with_status(pod, status))
            return True
        except errors.StatusError as e:
            if is_not_found(e):
                return False
            raise

    async def _start(self, key: str, pod: Obj, node: str, waited: float) -> None:
        ip = self.addresses.assign(key, str(podstate.meta(pod).get("uid")), node)
        status = podstatus.running(pod, internal_ip(self.index[node]), ip, self._now())
        if await self._write_status(pod, status):
            self._pending_since.pop(key, None)
            self._started_events(pod, waited)

    async def _terminate(self, key: str, pod: Obj) -> None:
        if podstatus.stage(pod) in ("pending", "running"):
            self._events_for(pod, "Killing", lambda c, f: f"Stopping container {c.get('name')}")
            await self._write_status(pod, podstatus.stopped(pod, self._now()))
        m = podstate.meta(pod)
        if m.get("deletionGracePeriodSeconds") != 0:  # 0: deleted for good, only finalizers keep it
            try:
                await self.client.delete(PODS, m.get("namespace"), m["name"],
                                         {"gracePeriodSeconds": 0, "preconditions": {"uid": m.get("uid")}})
            except errors.StatusError as e:
                if not (is_not_found(e) or is_conflict(e)):  # gone, or a new pod of the same name
                    raise
        self._forget(key)

    # -- events --------------------------------------------------------------------------------

    def _source(self, pod: Obj) -> Source:
        return Source("kubelet", podstate.node_name(pod))

    def _events_for(self, pod: Obj, reason: str, message: Callable[[Obj, str], str]) -> None:
        """One event per container; `message(container, field)` builds its text ("" for none)."""
        for field in ("initContainers", "containers"):
            for c in (pod.get("spec") or {}).get(field) or []:
                text = message(c, field)
                if text:
                    self.recorder.normal(pod, reason, text, self._source(pod),
                                         field_path=f"spec.{field}{{{c.get('name')}}}")

    def _pulling_events(self, pod: Obj) -> None:
        self._events_for(pod, "Pulling", lambda c, f: f'Pulling image "{c.get("image")}"'
                         if c.get("imagePullPolicy") == "Always" else "")

    def _started_events(self, pod: Obj, waited: float) -> None:
        def pulled(c: Obj, field: str) -> str:
            image = c.get("image")
            if c.get("imagePullPolicy") != "Always":
                return f'Container image "{image}" already present on machine and can be accessed by the pod'
            took = _go_duration(max(waited, 0.001))
            size = 10_000_000 + int(hashlib.sha256(str(image).encode()).hexdigest()[:6], 16) * 4  # simulated
            return (f'Successfully pulled image "{image}" in {took} ({took} including waiting). '
                    f"Image size: {size} bytes.")

        self._events_for(pod, "Pulled", pulled)
        self._events_for(pod, "Created", lambda c, f: "Container created")
        self._events_for(pod, "Started", lambda c, f: "Container started")
