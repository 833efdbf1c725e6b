"""The scheduler: binds each unscheduled pod of `default-scheduler` to a node it fits.

reconcile(pod key): filter the nodes (`nodefit`), pick the least loaded one that fits
(random among equals, which spreads pods), POST the binding and record `Scheduled`. A pod
that fits nowhere gets PodScheduled=False/Unschedulable and a `FailedScheduling` event, and
is tried again when capacity may have freed (a pod went away or finished, a node changed),
or after a fallback delay.

One worker, as kube's scheduler has one scheduling cycle at a time. As in kube, the binding
runs apart from that cycle (up to BINDINGS_IN_FLIGHT at once) and the pod is "assumed" on
its node meanwhile, so it counts against the node at once and the next pod need not wait
for the write. What each node's pods take is kept as a running sum, adjusted as pods are
assumed, bound, finish or go away (kube's scheduler cache), so scheduling one pod costs the
number of nodes, not the number of pods; the filters that read only the pod's constraints
and the node are decided once per node version and set of constraints.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from datetime import datetime, timezone

from apiserver import errors
from apiserver.controllers import nodefit, podstate
from apiserver.controllers.client import NODES, PODS, Client, is_not_found
from apiserver.controllers.events import EventRecorder, Source
from apiserver.controllers.informer import InformerFactory, object_key
from apiserver.controllers.runtime import Controller, Handler
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

SCHEDULER_NAME = "default-scheduler"
RETRY_UNSCHEDULABLE = 30.0  # fallback; capacity changes normally trigger a retry sooner
BINDINGS_IN_FLIGHT = 32
STATIC_VERDICTS_KEPT = 10_000


class Scheduler:
    def __init__(self, client: Client, factory: InformerFactory, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder
        self.source = Source(SCHEDULER_NAME)
        self.controller = Controller("scheduler", self.reconcile, workers=1)
        self.pods = factory.informer(PODS)
        self.nodes = factory.informer(NODES)
        self._assumed: dict[str, tuple[str, Obj]] = {}  # pod uid -> (node, pod): bound, not yet seen bound
        self._unschedulable: set[str] = set()
        self._usage: dict[str, nodefit.NodeUsage] = {}  # node -> what the pods counted on it take
        self._counted: dict[str, tuple[str, nodefit.Footprint]] = {}  # pod uid -> (node, its footprint)
        self._static: dict[tuple[str, str, bytes], list[str]] = {}  # (node, its version, constraints) -> reasons
        self._binding_slots = asyncio.Semaphore(BINDINGS_IN_FLIGHT)
        self._bindings: asyncio.TaskGroup | None = None
        self.pods.add_handler(Handler(self._pod_added, self._pod_updated, self._pod_deleted))
        self.nodes.add_handler(Handler(lambda n: self._retry_unschedulable(),
                                       lambda o, n: self._retry_unschedulable(),
                                       lambda n: self._retry_unschedulable()))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as bindings:
            self._bindings = bindings
            try:
                await self.controller.run()
            finally:
                self._bindings = None

    # -- handlers ------------------------------------------------------------------------------

    @staticmethod
    def wants(pod: Obj) -> bool:
        spec = pod.get("spec") or {}
        return (not spec.get("nodeName") and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
                and not podstate.meta(pod).get("deletionTimestamp") and not podstate.is_terminal(pod))

    def _pod_added(self, pod: Obj) -> None:
        self._observe(pod)
        if self.wants(pod):
            self.controller.queue.add(object_key(pod))

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if _uid(old) != _uid(new):  # replaced under the same name while the watch was down
            self._assumed.pop(_uid(old), None)
            self._place(_uid(old), "", None)
        self._observe(new)
        if self.wants(new):
            self.controller.queue.add(object_key(new))
        elif podstate.node_name(new) and not podstate.is_terminal(old) and podstate.is_terminal(new):
            self._retry_unschedulable()  # a finished pod frees its slot

    def _pod_deleted(self, pod: Obj) -> None:
        self._assumed.pop(_uid(pod), None)
        self._place(_uid(pod), "", None)
        self._unschedulable.discard(object_key(pod))
        if podstate.node_name(pod):
            self._retry_unschedulable()

    def _observe(self, pod: Obj) -> None:
        if podstate.node_name(pod):
            self._assumed.pop(_uid(pod), None)  # its binding is seen: no longer assumed
        self._place(_uid(pod), self._room_taken_on(pod), pod)

    def _retry_unschedulable(self) -> None:
        for key in self._unschedulable:
            self.controller.queue.add(key)

    # -- reconcile -------------------------------------------------------------------------------

    def node_usage(self, node: str) -> nodefit.NodeUsage:
        used = self._usage.get(node)
        if used is None:
            used = self._usage[node] = nodefit.NodeUsage()
        return used

    def _room_taken_on(self, pod: Obj) -> str:
        """The node a pod takes room on: its own until it finishes, else where it is assumed."""
        node = podstate.node_name(pod)
        if node:
            return "" if podstate.is_terminal(pod) else node
        assumed = self._assumed.get(_uid(pod))
        return assumed[0] if assumed is not None else ""

    def _place(self, uid: str, node: str, pod: Obj | None) -> None:
        """Count pod `uid` on `node` ("": on none), taking it off where it was counted."""
        was = self._counted.get(uid)
        if was is not None:
            if was[0] == node:
                return
            self.node_usage(was[0]).remove(was[1])
            del self._counted[uid]
        if node and pod is not None:
            footprint = nodefit.footprint(pod)
            self.node_usage(node).add(footprint)
            self._counted[uid] = (node, footprint)

    async def reconcile(self, key: str) -> float | None:
        pod = self.pods.get(key)
        if pod is None or not self.wants(pod) or _uid(pod) in self._assumed:
            self._unschedulable.discard(key)
            return None
        nodes = sorted(self.nodes.items(), key=lambda n: podstate.meta(n).get("name", ""))
        fits: list[tuple[int, str]] = []
        reasons: dict[str, list[str]] = {}
        constraints, need = nodefit.constraints(pod), nodefit.footprint(pod)
        for node in nodes:
            name = str(podstate.meta(node).get("name"))
            used = self.node_usage(name)
            why = self._static_reasons(pod, constraints, node) or nodefit.usage_reasons(need, node, used)
            if why:
                reasons[name] = why
            else:
                fits.append((used.pods, name))
        if not fits:
            await self._unschedulable_pod(key, pod, nodefit.fit_error(len(nodes), reasons))
            return RETRY_UNSCHEDULABLE
        least = min(load for load, _ in fits)
        target = random.choice([name for load, name in fits if load == least])
        await self._binding_slots.acquire()
        self._assume(pod, target)
        if self._bindings is None:  # not running under run(): bind in line
            await self._bind(key, pod, target)
        else:
            self._bindings.create_task(self._bind(key, pod, target))
        return None

    def _static_reasons(self, pod: Obj, constraints: bytes, node: Obj) -> list[str]:
        """nodefit.static_reasons, once per node version and set of pod constraints."""
        m = podstate.meta(node)
        key = (str(m.get("name")), str(m.get("resourceVersion")), constraints)
        reasons = self._static.get(key)
        if reasons is None:
            if len(self._static) >= STATIC_VERDICTS_KEPT:
                self._static.clear()
            reasons = self._static[key] = nodefit.static_reasons(pod, node)
        return reasons

    def _assume(self, pod: Obj, node: str) -> None:
        self._assumed[_uid(pod)] = (node, pod)
        self._place(_uid(pod), node, pod)
        self._unschedulable.discard(object_key(pod))

    def _forget(self, pod: Obj) -> None:
        """The binding failed: the pod counts where the cache says it is, if anywhere."""
        self._assumed.pop(_uid(pod), None)
        cached = self.pods.get(object_key(pod))
        if cached is not None and _uid(cached) == _uid(pod):
            self._place(_uid(pod), self._room_taken_on(cached), cached)
        else:
            self._place(_uid(pod), "", None)

    async def _bind(self, key: str, pod: Obj, node: str) -> None:
        """The binding cycle; never raises (a failure un-assumes the pod and retries it)."""
        m = podstate.meta(pod)
        binding = {"apiVersion": "v1", "kind": "Binding",
                   "metadata": {"name": m["name"], "namespace": m.get("namespace"), "uid": m.get("uid")},
                   "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
        try:
            await self.client.bind(PODS, m.get("namespace"), m["name"], binding)
        except Exception as e:
            self._forget(pod)
            if isinstance(e, errors.StatusError) and (is_not_found(e) or e.code == 409):
                log.debug("scheduler: binding %s: %s", key, e.message)  # gone, or bound by another
            else:
                log.warning("scheduler: binding %s to %s failed: %s", key, node, e)
                self.controller.queue.add_rate_limited(key)
            return
        finally:
            self._binding_slots.release()
        self.recorder.normal(pod, "Scheduled", f"Successfully assigned {m.get('namespace')}/{m['name']} to {node}",
                             self.source)

    async def _unschedulable_pod(self, key: str, pod: Obj, message: str) -> None:
        self._unschedulable.add(key)
        self.recorder.warning(pod, "FailedScheduling", message, self.source)
        current = podstate.condition(pod, "PodScheduled") or {}
        if (current.get("status"), current.get("reason"), current.get("message")) == \
                ("False", "Unschedulable", message):
            return
        updated = copy.deepcopy(pod)
        status = updated.setdefault("status", {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        transition = current.get("lastTransitionTime") if current.get("status") == "False" else None
        conditions.append({"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                           "lastTransitionTime": transition or format_time(datetime.now(timezone.utc)),
                           "reason": "Unschedulable", "message": message})
        status["conditions"] = conditions
        try:
            await self.client.update_status(PODS, updated)
        except errors.StatusError as e:
            if not is_not_found(e):
                raise


def _uid(pod: Obj) -> str:
    return str(podstate.meta(pod).get("uid"))
