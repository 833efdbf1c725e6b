"""The endpoints of `default/kubernetes`: the Endpoints and the EndpointSlice that point at
this API server (`config.bind_address`, port `config.port`), as kube-apiserver's endpoint
reconciler keeps them. The Service has no selector, so no other controller touches them.
"""

from __future__ import annotations

import copy
import ipaddress

from apiserver.config import ServerConfig
from apiserver.controllers.client import ENDPOINT_SLICES, ENDPOINTS, SERVICES, GR, Client
from apiserver.controllers.informer import Informer, InformerFactory, object_key
from apiserver.controllers.runtime import Controller, enqueue_handler
from apiserver.resources.base import Obj

NAMESPACE, NAME = "default", "kubernetes"
KEY = f"{NAMESPACE}/{NAME}"


def advertised_address(bind_address: str) -> str:
    """The address clients reach; an unspecified bind address is advertised as loopback."""
    try:
        ip = ipaddress.ip_address(bind_address)
    except ValueError:
        return "127.0.0.1"
    if ip.is_unspecified:
        return "::1" if ip.version == 6 else "127.0.0.1"
    return str(ip)


def desired_endpoints(address: str, port: int) -> Obj:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": NAME, "namespace": NAMESPACE,
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": address}],
                         "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]}


def desired_slice(address: str, port: int) -> Obj:
    family = "IPv6" if ipaddress.ip_address(address).version == 6 else "IPv4"
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": {"kubernetes.io/service-name": NAME}},
            "addressType": family,
            "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}


def _merged(current: Obj, desired: Obj) -> Obj:
    """`current` with the desired content and labels, its other metadata kept."""
    out = copy.deepcopy(current)
    for k, v in desired.items():
        if k != "metadata":
            out[k] = copy.deepcopy(v)
    labels = dict(out["metadata"].get("labels") or {})
    labels.update(desired["metadata"]["labels"])
    out["metadata"]["labels"] = labels
    return out


class APIServerEndpoints:
    def __init__(self, client: Client, factory: InformerFactory, config: ServerConfig) -> None:
        self.client = client
        self.address = advertised_address(config.bind_address)
        self.port = config.port
        self.controller = Controller("apiserver-endpoints", self.reconcile)
        self.services = factory.informer(SERVICES)
        self.endpoints = factory.informer(ENDPOINTS)
        self.slices = factory.informer(ENDPOINT_SLICES)
        mine = enqueue_handler(self.controller.queue, lambda o: KEY if object_key(o) == KEY else None)
        for informer in (self.services, self.endpoints, self.slices):
            informer.add_handler(mine)
        self.controller.queue.add(KEY)

    async def run(self) -> None:
        await self.controller.run()

    async def reconcile(self, key: str) -> None:
        if self.services.get(KEY) is None:
            return  # the server's bootstrap owns the Service itself
        await self._ensure(ENDPOINTS, self.endpoints, desired_endpoints(self.address, self.port))
        await self._ensure(ENDPOINT_SLICES, self.slices, desired_slice(self.address, self.port))

    async def _ensure(self, gr: GR, informer: Informer, desired: Obj) -> None:
        current = informer.get(KEY)
        if current is None:
            await self.client.create(gr, NAMESPACE, desired)
            return
        wanted = _merged(current, desired)
        if wanted != current:
            await self.client.update(gr, wanted)
