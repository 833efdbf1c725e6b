"""The EndpointSlice controller: discovery.k8s.io/v1 EndpointSlices for every Service with a
selector, which is what `kubectl describe svc` reads.

Pods that resolve the same ports share slices of at most 100 endpoints, each endpoint with
the conditions ready (ready and not terminating), serving (ready) and terminating (being
deleted). Slices are named `<service>-<random>`, labelled `kubernetes.io/service-name` and
`endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, and owned by the
Service. A Service with no endpoints keeps one empty placeholder slice, as kube's does.
"""

from __future__ import annotations

import copy
import logging
import time

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import ENDPOINT_SLICES, PODS, SERVICES, Client, is_not_found
from apiserver.controllers.endpoints import HEADLESS, stamp_change
from apiserver.controllers.informer import InformerFactory, by_namespace
from apiserver.controllers.runtime import Controller, Pacer, enqueue_handler
from apiserver.controllers.servicepods import (POD_BATCH_SECONDS, find_port, pod_to_services_handler,
                                               selected_pods, service_selector, should_include,
                                               should_set_hostname)
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
MAX_ENDPOINTS = 100
# How long to trust our own writes over a cache that has not shown them yet.
WRITE_VISIBILITY_TIMEOUT = 5.0


def slice_key(obj: Obj) -> list[str]:
    """Slices we manage, indexed by their Service's key."""
    labels = podstate.meta(obj).get("labels") or {}
    if labels.get(MANAGED_BY) != CONTROLLER_NAME or not labels.get(SERVICE_NAME):
        return []
    return [f"{podstate.meta(obj).get('namespace')}/{labels[SERVICE_NAME]}"]


def slice_ports(pod: Obj, service: Obj) -> list[Obj]:
    out = []
    for sp in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, sp)
        if number is None:
            continue
        port: Obj = {"name": sp.get("name") or "", "port": number, "protocol": sp.get("protocol") or "TCP"}
        if sp.get("appProtocol"):
            port["appProtocol"] = sp["appProtocol"]
        out.append(port)
    return sorted(out, key=lambda p: (p["name"], p["port"], p["protocol"]))


def pod_endpoint(pod: Obj, service: Obj) -> Obj:
    m = podstate.meta(pod)
    serving = podstate.is_ready(pod)
    terminating = bool(m.get("deletionTimestamp"))
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    endpoint: Obj = {"addresses": [(pod.get("status") or {}).get("podIP")],
                     "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                                    "terminating": terminating}}
    if should_set_hostname(pod, service):
        endpoint["hostname"] = (pod.get("spec") or {}).get("hostname")
    endpoint["targetRef"] = {"kind": "Pod", "namespace": m.get("namespace"), "name": m.get("name"),
                             "uid": m.get("uid")}
    if podstate.node_name(pod):
        endpoint["nodeName"] = podstate.node_name(pod)
    return endpoint


def desired_groups(service: Obj, pods: list[Obj]) -> list[tuple[list[Obj], list[Obj]]]:
    """(ports, endpoints) per slice: pods grouped by resolved ports, at most 100 per slice."""
    groups: dict[str, tuple[list[Obj], list[Obj]]] = {}
    for pod in pods:
        if not should_include(pod, include_terminating=True):
            continue
        ports = slice_ports(pod, service)
        groups.setdefault(repr(ports), (ports, []))[1].append(pod_endpoint(pod, service))
    out = []
    for _, (ports, endpoints) in sorted(groups.items()):
        endpoints.sort(key=lambda e: (str(e["addresses"][0]), e["targetRef"]["uid"] or ""))
        for i in range(0, len(endpoints), MAX_ENDPOINTS):
            out.append((ports, endpoints[i:i + MAX_ENDPOINTS]))
    return out or [([], [])]  # the placeholder


def slice_labels(service: Obj) -> dict[str, str]:
    labels = {k: v for k, v in (podstate.meta(service).get("labels") or {}).items()
              if k not in (SERVICE_NAME, MANAGED_BY)}
    labels[SERVICE_NAME] = podstate.meta(service)["name"]
    labels[MANAGED_BY] = CONTROLLER_NAME
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS] = ""
    return labels


def new_slice(service: Obj, ports: list[Obj], endpoints: list[Obj]) -> Obj:
    m = podstate.meta(service)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"generateName": f"{m['name']}-", "namespace": m.get("namespace"),
                         "labels": slice_labels(service),
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": m["name"],
                                              "uid": m.get("uid"), "controller": True,
                                              "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": endpoints, "ports": ports}


class EndpointSliceController:
    def __init__(self, client: Client, factory: InformerFactory) -> None:
        self.client = client
        self.pacer = Pacer(POD_BATCH_SECONDS)
        self.controller = Controller("endpointslice-controller", self.pacer.timed(self.reconcile), workers=4)
        self.services = factory.informer(SERVICES)
        self.pods = factory.informer(PODS)
        self.slices = factory.informer(ENDPOINT_SLICES)
        self.services.add_index("namespace", by_namespace)
        self.pods.add_index("namespace", by_namespace)
        self.slices.add_index("service", slice_key)
        queue = self.controller.queue
        self.services.add_handler(enqueue_handler(queue))
        self.slices.add_handler(enqueue_handler(queue, lambda s: next(iter(slice_key(s)), None)))
        self.pods.add_handler(pod_to_services_handler(self.services, queue, self.pacer))
        # Per service: slices we wrote (name -> resourceVersion, None once deleted) until seen.
        self._written: dict[str, tuple[float, dict[str, str | None]]] = {}

    async def run(self) -> None:
        await self.controller.run()

    def _cache_behind(self, key: str) -> bool:
        """True while the cache misses one of our writes: acting now could duplicate a slice."""
        entry = self._written.get(key)
        if entry is None:
            return False
        deadline, names = entry
        namespace = key.partition("/")[0]
        for name, rv in names.items():
            cached = self.slices.get_by(namespace, name)
            seen = cached is None if rv is None else (
                cached is not None and int(podstate.meta(cached).get("resourceVersion") or 0) >= int(rv))
            if not seen and time.monotonic() < deadline:
                return True
        del self._written[key]
        return False

    def _remember(self, key: str, name: str, rv: str | None) -> None:
        _, names = self._written.get(key, (0.0, {}))
        names[name] = rv
        self._written[key] = (time.monotonic() + WRITE_VISIBILITY_TIMEOUT, names)

    async def reconcile(self, key: str) -> float | None:
        if self._cache_behind(key):
            return 0.05
        service = self.services.get(key)
        existing = sorted(self.slices.by_index("service", key), key=lambda s: podstate.meta(s).get("name", ""))
        if service is not None and service_selector(service) is None:
            return None
        if service is None:
            for s in existing:
                await self._delete(key, s)
            return None
        live = [s for s in existing if self._owned_by(s, service)]
        for stale in (s for s in existing if s not in live):
            await self._delete(key, stale)  # left by an earlier Service of the same name
        await self._sync(key, service, live)
        return None

    @staticmethod
    def _owned_by(slice_: Obj, service: Obj) -> bool:
        uid = podstate.meta(service).get("uid")
        return any(r.get("uid") == uid for r in podstate.meta(slice_).get("ownerReferences") or [])

    async def _sync(self, key: str, service: Obj, existing: list[Obj]) -> None:
        unused = list(existing)
        namespace = podstate.meta(service).get("namespace")
        labels = slice_labels(service)
        for ports, endpoints in desired_groups(service, selected_pods(service, self.pods)):
            match = next((s for s in unused if (s.get("ports") or []) == ports), None) or \
                (unused[0] if unused else None)
            if match is None:
                created = new_slice(service, ports, endpoints)
                stamp_change(created)
                await self._write(key, namespace, created, create=True)
                continue
            unused.remove(match)
            wanted = copy.deepcopy(match)
            wanted.update(endpoints=endpoints, ports=ports, addressType="IPv4")
            wanted["metadata"]["labels"] = labels
            if wanted != match:
                stamp_change(wanted)
                await self._write(key, namespace, wanted, create=False)
        for s in unused:
            await self._delete(key, s)

    async def _write(self, key: str, namespace: str | None, slice_: Obj, *, create: bool) -> None:
        try:
            if create:
                written = await self.client.create(ENDPOINT_SLICES, namespace, slice_)
            else:
                written = await self.client.update(ENDPOINT_SLICES, slice_)
        except errors.StatusError as e:
            if e.code == 403 and "being terminated" in e.message:
                return
            raise
        meta = podstate.meta(written)
        self._remember(key, meta["name"], str(meta.get("resourceVersion") or 0))

    async def _delete(self, key: str, slice_: Obj) -> None:
        m = podstate.meta(slice_)
        try:
            await self.client.delete(ENDPOINT_SLICES, m.get("namespace"), m["name"],
                                     {"preconditions": {"uid": m.get("uid")}})
        except errors.StatusError as e:
            if not (is_not_found(e) or e.code == 409):
                raise
        self._remember(key, m["name"], None)
