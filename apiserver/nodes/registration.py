"""NodeRegistrar: registers the simulated Nodes and keeps them alive.

On start every node is created, or, when it survived a restart, has its status refreshed.
Then, like a kubelet, it renews each node's Lease every `lease_renew_seconds` (10 s) and
posts the node status (the Ready heartbeat) every `node_status_seconds` (5 min), the two
signals the node lifecycle controller watches.
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import logging
import time
from datetime import datetime, timezone
from typing import Awaitable

from apiserver import errors
from apiserver.config import ServerConfig
from apiserver.controllers.client import LEASES, NODES, Client, is_not_found
from apiserver.controllers.events import EventRecorder, Source
from apiserver.machinery.duration import format_micro_time
from apiserver.nodes.nodeobjects import LEASE_NAMESPACE, lease_object, node_object, node_status
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

_REGISTER_RETRY = 1.0
_NEW_NODE_EVENTS = (
    ("NodeHasSufficientMemory", "status is now: NodeHasSufficientMemory"),
    ("NodeHasNoDiskPressure", "status is now: NodeHasNoDiskPressure"),
    ("NodeHasSufficientPID", "status is now: NodeHasSufficientPID"),
    ("NodeAllocatableEnforced", ""),
    ("NodeReady", "status is now: NodeReady"),
)


class NodeRegistrar:
    def __init__(self, client: Client, recorder: EventRecorder, config: ServerConfig, index: dict[str, int],
                 subnets: list[ipaddress.IPv4Network], boot_id: str) -> None:
        self.client = client
        self.recorder = recorder
        self.config = config
        self.index = index
        self.subnets = dict(zip(index, subnets))
        self.boot_id = boot_id
        self.nodes: dict[str, Obj] = {}
        self._leases: dict[str, Obj] = {}

    async def register_all(self) -> None:
        await asyncio.gather(*(self._register_until_done(name) for name in self.index))

    async def _register_until_done(self, name: str) -> None:
        while name not in self.nodes:
            try:
                await self.register(name)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("registering node %s failed: %s; retrying", name, e)
                await asyncio.sleep(_REGISTER_RETRY)

    async def register(self, name: str) -> Obj:
        now = datetime.now(timezone.utc)
        desired = node_object(name, self.index[name], str(self.subnets[name]), self.config.max_pods,
                              self.boot_id, now)
        try:
            existing = await self.client.get(NODES, None, name)
        except errors.StatusError as e:
            if not is_not_found(e):
                raise
            node = await self._create(desired)
        else:
            node = await self._refresh(existing, desired, now)
        self.nodes[name] = node
        return node

    async def _create(self, desired: Obj) -> Obj:
        name = desired["metadata"]["name"]
        node = await self.client.create(NODES, None, desired)
        if node.get("status") != desired["status"]:  # a create that drops status: post it
            node = await self.client.update_status(NODES, dict(node, status=desired["status"]))
        source = Source("kubelet", name)
        self.recorder.normal(node, "Starting", "Starting kubelet.", source)
        for reason, text in _NEW_NODE_EVENTS:
            message = f"Node {name} {text}" if text else "Updated Node Allocatable limit across pods"
            self.recorder.normal(node, reason, message, source)
        return node

    async def _refresh(self, existing: Obj, desired: Obj, now: datetime) -> Obj:
        """A node registered by an earlier run: our labels back, a fresh status."""
        name = desired["metadata"]["name"]
        node = copy.deepcopy(existing)
        meta = node["metadata"]
        labels = dict(meta.get("labels") or {})
        labels.update(desired["metadata"]["labels"])
        spec = node.setdefault("spec", {})
        if labels != meta.get("labels") or not spec.get("podCIDR"):
            meta["labels"] = labels
            spec.setdefault("podCIDR", desired["spec"]["podCIDR"])
            spec.setdefault("podCIDRs", desired["spec"]["podCIDRs"])
            node = await self.client.update(NODES, node)
        node["status"] = node_status(name, self.index[name], self.config.max_pods, self.boot_id, now,
                                     existing.get("status"))
        node = await self.client.update_status(NODES, node)
        self.recorder.normal(node, "Starting", "Starting kubelet.", Source("kubelet", name))
        return node

    # -- heartbeats ----------------------------------------------------------------------------

    async def heartbeat(self, lease_every: float, status_every: float) -> None:
        """Renew every lease each `lease_every` seconds and post node status each `status_every`."""
        next_status = time.monotonic() + status_every
        while True:
            await asyncio.gather(*(self._guard(self.renew_lease(n), "lease", n) for n in self.nodes))
            if time.monotonic() >= next_status:
                await asyncio.gather(*(self._guard(self.post_status(n), "status", n) for n in self.nodes))
                next_status = time.monotonic() + status_every
            await asyncio.sleep(lease_every)

    async def _guard(self, work: Awaitable[object], what: str, name: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as e:  # one node's failed heartbeat must not stop the others
            log.info("node %s: %s heartbeat failed: %s", name, what, e)

    async def renew_lease(self, name: str) -> Obj:
        now = datetime.now(timezone.utc)
        lease = self._leases.get(name)
        if lease is None:
            try:
                lease = await self.client.get(LEASES, LEASE_NAMESPACE, name)
            except errors.StatusError as e:
                if not is_not_found(e):
                    raise
                lease = await self.client.create(LEASES, LEASE_NAMESPACE, lease_object(self.nodes[name], now))
                self._leases[name] = lease
                return lease
        renewed = copy.deepcopy(lease)
        renewed.setdefault("spec", {})["renewTime"] = format_micro_time(now)
        try:
            lease = await self.client.update(LEASES, renewed)
        except errors.StatusError:
            self._leases.pop(name, None)  # changed or gone: start from a fresh read next time
            raise
        self._leases[name] = lease
        return lease

    async def post_status(self, name: str) -> Obj:
        now = datetime.now(timezone.utc)
        node = await self.client.get(NODES, None, name)
        node["status"] = node_status(name, self.index[name], self.config.max_pods, self.boot_id, now,
                                     node.get("status"))
        node = await self.client.update_status(NODES, node)
        self.nodes[name] = node
        return node
