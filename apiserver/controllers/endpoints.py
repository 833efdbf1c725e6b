"""The Endpoints controller: one core/v1 Endpoints per Service with a selector.

Ready pods go to `addresses`, the others to `notReadyAddresses` (all to `addresses` with
`publishNotReadyAddresses`); each address is paired with the ports its pod resolves, and
addresses offering the same ports share a subset (kube's RepackSubsets). Addresses are sorted
by IP; ports and subsets in a stable order. No pods, no `subsets`. The Endpoints carries the
Service's labels, and goes when the Service goes. Services without a selector are left alone.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timezone
from typing import Any

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import ENDPOINTS, PODS, SERVICES, Client, is_not_found
from apiserver.controllers.informer import InformerFactory, by_namespace
from apiserver.controllers.runtime import Controller, Pacer, enqueue_handler
from apiserver.controllers.servicepods import (POD_BATCH_SECONDS, find_port, pod_to_services_handler,
                                               selected_pods, service_selector, should_include,
                                               should_set_hostname)
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

HEADLESS = "service.kubernetes.io/headless"
MANAGED_BY = "endpoints.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "endpoint-controller"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
MAX_ADDRESSES = 1000


def pod_address(pod: Obj, service: Obj) -> Obj:
    m = podstate.meta(pod)
    address: Obj = {"ip": (pod.get("status") or {}).get("podIP")}
    if should_set_hostname(pod, service):
        address["hostname"] = (pod.get("spec") or {}).get("hostname")
    if podstate.node_name(pod):
        address["nodeName"] = podstate.node_name(pod)
    address["targetRef"] = {"kind": "Pod", "namespace": m.get("namespace"), "name": m.get("name"),
                            "uid": m.get("uid")}
    return address


def endpoint_ports(pod: Obj, service: Obj) -> list[Obj]:
    out = []
    for sp in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, sp)
        if number is None:
            continue
        port: Obj = {"port": number, "protocol": sp.get("protocol") or "TCP"}
        if sp.get("name"):
            port = {"name": sp["name"], **port}
        if sp.get("appProtocol"):
            port["appProtocol"] = sp["appProtocol"]
        out.append(port)
    return out


def _port_key(port: Obj) -> tuple[str, int, str]:
    return (str(port.get("name") or ""), int(port.get("port") or 0), str(port.get("protocol") or ""))


def _address_key(address: Obj) -> tuple[tuple[int, ...], str]:
    ip = str(address.get("ip") or "")
    parts = tuple(int(p) for p in ip.split(".")) if ip.count(".") == 3 else (0,)
    return parts, str((address.get("targetRef") or {}).get("uid") or "")


def build_subsets(service: Obj, pods: list[Obj]) -> list[Obj]:
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    headless = spec.get("clusterIP") == "None"
    groups: dict[tuple[tuple[str, int, str], ...], tuple[list[Obj], list[Obj], list[Obj]]] = {}
    for pod in pods:
        if not should_include(pod, publish):
            continue
        ports = endpoint_ports(pod, service)
        if not ports and not (headless and not spec.get("ports")):
            continue
        key = tuple(sorted(_port_key(p) for p in ports))
        ready, not_ready, _ = groups.setdefault(key, ([], [], sorted(ports, key=_port_key)))
        (ready if publish or podstate.is_ready(pod) else not_ready).append(pod_address(pod, service))
    subsets = []
    for _, (ready, not_ready, ports) in sorted(groups.items()):
        subset: Obj = {}
        if ready:
            subset["addresses"] = sorted(ready, key=_address_key)
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=_address_key)
        if ports:
            subset["ports"] = ports
        subsets.append(subset)
    return subsets


def truncate(subsets: list[Obj], limit: int = MAX_ADDRESSES) -> tuple[list[Obj], bool]:
    """At most `limit` addresses, ready ones kept first, as the controller caps Endpoints."""
    total = sum(len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or []) for s in subsets)
    if total <= limit:
        return subsets, False
    budget, out = limit, []
    for field in ("addresses", "notReadyAddresses"):
        for subset in subsets:
            kept = (subset.get(field) or [])[:budget]
            budget -= len(kept)
            if kept:
                out.append((subset, field, kept))
    merged: dict[int, Obj] = {}
    for subset, field, kept in out:
        target = merged.setdefault(id(subset), {k: v for k, v in subset.items() if k == "ports"})
        target[field] = kept
    return [s for s in merged.values() if s.get("addresses") or s.get("notReadyAddresses")], True


def endpoints_labels(service: Obj) -> dict[str, str]:
    labels = dict(podstate.meta(service).get("labels") or {})
    labels[MANAGED_BY] = MANAGED_BY_VALUE
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS] = ""
    return labels


def desired_endpoints(service: Obj, pods: list[Obj], current: Obj | None) -> Obj:
    m = podstate.meta(service)
    ep: Obj = copy.deepcopy(current) if current else {
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": m["name"], "namespace": m.get("namespace")}}
    meta = ep["metadata"]
    meta["labels"] = endpoints_labels(service)
    subsets, truncated = truncate(build_subsets(service, pods))
    annotations: dict[str, Any] = dict(meta.get("annotations") or {})
    annotations.pop(OVER_CAPACITY, None)
    if truncated:
        annotations[OVER_CAPACITY] = "truncated"
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    if subsets:
        ep["subsets"] = subsets
    else:
        ep.pop("subsets", None)
    return ep


def stamp_change(obj: Obj) -> None:
    """When the change being written was seen (kube sets this from its trigger-time tracker)."""
    annotations = obj["metadata"].setdefault("annotations", {})
    annotations[TRIGGER_TIME] = format_time(datetime.now(timezone.utc))


class EndpointsController:
    def __init__(self, client: Client, factory: InformerFactory) -> None:
        self.client = client
        self.pacer = Pacer(POD_BATCH_SECONDS)
        self.controller = Controller("endpoint-controller", self.pacer.timed(self.reconcile), workers=4)
        self.services = factory.informer(SERVICES)
        self.pods = factory.informer(PODS)
        self.endpoints = factory.informer(ENDPOINTS)
        self.services.add_index("namespace", by_namespace)
        self.pods.add_index("namespace", by_namespace)
        queue = self.controller.queue
        self.services.add_handler(enqueue_handler(queue))
        self.endpoints.add_handler(enqueue_handler(queue))  # repair edits and deletions
        self.pods.add_handler(pod_to_services_handler(self.services, queue, self.pacer))

    async def run(self) -> None:
        await self.controller.run()

    async def reconcile(self, key: str) -> None:
        service = self.services.get(key)
        current = self.endpoints.get(key)
        if service is None:
            if current is not None and (podstate.meta(current).get("labels") or {}).get(MANAGED_BY):
                await self._delete(current)
            return
        if service_selector(service) is None:
            return
        desired = desired_endpoints(service, selected_pods(service, self.pods), current)
        if current is not None and desired == current:
            return
        stamp_change(desired)
        try:
            if current is None:
                await self.client.create(ENDPOINTS, podstate.meta(service).get("namespace"), desired)
            else:
                await self.client.update(ENDPOINTS, desired)
        except errors.StatusError as e:
            if e.code == 403 and "being terminated" in e.message:
                return  # the namespace is going away with its Endpoints
            raise

    async def _delete(self, endpoints: Obj) -> None:
        m = podstate.meta(endpoints)
        try:
            await self.client.delete(ENDPOINTS, m.get("namespace"), m["name"],
                                     {"preconditions": {"uid": m.get("uid")}})
        except errors.StatusError as e:
            if not (is_not_found(e) or e.code == 409):
                raise
