"""Which pods back a Service, shared by the Endpoints and EndpointSlice controllers: the
selector, which pods count (kube's ShouldPodBeInEndpoints), named target port lookup
(FindPort), and the handler that maps pod changes to the keys of the Services selecting them.
"""

from __future__ import annotations

from typing import Any

from apiserver.controllers import podstate
from apiserver.controllers.informer import Informer, object_key
from apiserver.controllers.runtime import Handler, Pacer, WorkQueue
from apiserver.machinery.selectors import LabelSelector, selector_from_map
from apiserver.resources.base import Obj


def service_selector(service: Obj) -> LabelSelector | None:
    """None for a Service without a selector: its endpoints are someone else's to write."""
    selector = (service.get("spec") or {}).get("selector")
    return selector_from_map(selector) if selector else None


def should_include(pod: Obj, include_terminating: bool) -> bool:
    status = pod.get("status") or {}
    if podstate.is_terminal(pod):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not podstate.meta(pod).get("deletionTimestamp")


def find_port(pod: Obj, service_port: Obj) -> int | None:
    """The pod port a service port targets: a number as is, a name looked up among the
    containers' ports with the same protocol (None when the pod has no such port)."""
    target: Any = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    for container in list(spec.get("containers") or []) + sidecars:
        for port in container.get("ports") or []:
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def should_set_hostname(pod: Obj, service: Obj) -> bool:
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == podstate.meta(service).get("name") \
        and podstate.meta(pod).get("namespace") == podstate.meta(service).get("namespace")


def selected_pods(service: Obj, pods: Informer) -> list[Obj]:
    selector = service_selector(service)
    if selector is None:
        return []
    namespace = podstate.meta(service).get("namespace") or ""
    return [p for p in pods.by_index("namespace", namespace)
            if selector.matches(podstate.meta(p).get("labels") or {})]


def _relevant(pod: Obj) -> tuple[Any, ...]:
    """What of a pod can change an endpoint: a pod update that keeps this changes nothing."""
    m, spec, status = podstate.meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    return (m.get("labels"), m.get("deletionTimestamp"), status.get("podIP"), status.get("podIPs"),
            status.get("phase"), podstate.is_ready(pod), spec.get("nodeName"), spec.get("hostname"),
            spec.get("subdomain"), [c.get("ports") for c in spec.get("containers") or []])


# Pod changes reach a Service's endpoints at most this often (kube's endpoint updates batch
# period; longer for Services of many pods, see Pacer): a rollout of many pods rewrites a big
# Endpoints a few times, not once per pod.
POD_BATCH_SECONDS = 0.1


def pod_to_services_handler(services: Informer, queue: WorkQueue, pacer: Pacer) -> Handler:
    def enqueue(pod: Obj, *more: Obj) -> None:
        namespace = podstate.meta(pod).get("namespace") or ""
        label_sets = [podstate.meta(p).get("labels") or {} for p in (pod, *more)]
        for service in services.by_index("namespace", namespace):
            selector = service_selector(service)
            if selector is not None and any(selector.matches(labels) for labels in label_sets):
                key = object_key(service)
                queue.add_after(key, pacer.delay(key))

    def updated(old: Obj, new: Obj) -> None:
        if _relevant(old) != _relevant(new):
            enqueue(new, old)

    return Handler(on_add=enqueue, on_update=updated, on_delete=enqueue)
