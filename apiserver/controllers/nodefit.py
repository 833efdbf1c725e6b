"""Whether a pod fits a node, and if not why, in the scheduler's own words.

The filters run in the default profile's order (NodeUnschedulable, TaintToleration,
NodeAffinity, NodePorts, NodeResourcesFit) and stop at the first that fails, as kube's
framework does; `fit_error` turns the per-node reasons into FailedScheduling's message.
A node whose Ready condition is not True counts as tainted `node.kubernetes.io/not-ready`,
the taint the node lifecycle controller would have added.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any, Iterable

import orjson

from apiserver.machinery.quantity import parse_quantity
from apiserver.resources.base import Obj

UNSCHEDULABLE = "node(s) were unschedulable"
AFFINITY = "node(s) didn't match Pod's node affinity/selector"
PORTS = "node(s) didn't have free ports for the requested pod ports"
TOO_MANY_PODS = "Too many pods"
# Reasons preemption could fix by evicting lower-priority pods (kube's Unschedulable code).
_RESOLVABLE = (TOO_MANY_PODS, PORTS)
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_NODES = "no nodes available to schedule pods"


def _spec(obj: Obj) -> dict[str, Any]:
    spec: dict[str, Any] = obj.get("spec") or {}
    return spec


def tolerates(toleration: Obj, taint: Obj) -> bool:
    if toleration.get("effect") and toleration.get("effect") != taint.get("effect"):
        return False
    if toleration.get("key") and toleration.get("key") != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return (toleration.get("value") or "") == (taint.get("value") or "")


def node_taints(node: Obj) -> list[Obj]:
    taints = list(_spec(node).get("taints") or [])
    ready = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is None or ready.get("status") != "True":
        key = "node.kubernetes.io/not-ready" if ready is not None and ready.get("status") == "False" \
            else "node.kubernetes.io/unreachable"
        if not any(t.get("key") == key for t in taints):
            taints.append({"key": key, "effect": "NoSchedule"})
    return taints


def _match_expression(expr: Obj, value: str | None) -> bool:
    op, values = expr.get("operator"), [str(v) for v in expr.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])
        except ValueError:
            return False
    return False


def matches_affinity(pod: Obj, node: Obj) -> bool:
    labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (_spec(pod).get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    required = (((_spec(pod).get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if not required:
        return True
    name = (node.get("metadata") or {}).get("name")
    for term in required.get("nodeSelectorTerms") or []:
        exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
        if not exprs and not fields:
            continue  # an empty term matches nothing
        if all(_match_expression(e, labels.get(e.get("key"))) for e in exprs) and all(
                _match_expression(f, name if f.get("key") == "metadata.name" else None) for f in fields):
            return True
    return False


def pod_requests(pod: Obj) -> dict[str, Fraction]:
    """Sum of the containers' requests, or the largest init container's if larger, plus overhead."""
    def requests(containers: Iterable[Obj]) -> list[dict[str, Fraction]]:
        out = []
        for c in containers:
            req = (c.get("resources") or {}).get("requests") or {}
            out.append({k: _quantity(v) for k, v in req.items() if k in ("cpu", "memory")})
        return out

    total: dict[str, Fraction] = {}
    for req in requests(_spec(pod).get("containers") or []):
        for k, v in req.items():
            total[k] = total.get(k, Fraction(0)) + v
    for req in requests(_spec(pod).get("initContainers") or []):
        for k, v in req.items():
            total[k] = max(total.get(k, Fraction(0)), v)
    for k, v in (_spec(pod).get("overhead") or {}).items():
        if k in ("cpu", "memory"):
            total[k] = total.get(k, Fraction(0)) + _quantity(v)
    return total


@lru_cache(maxsize=1024)
def _parsed(value: Any) -> Fraction:
    return parse_quantity(value)


def _quantity(value: Any) -> Fraction:
    """Parsed once per distinct value: a scale-up sums the same few strings thousands of times."""
    try:
        return _parsed(value)
    except (ValueError, TypeError):
        return Fraction(0)


def host_ports(pod: Obj) -> set[tuple[str, int]]:
    return {(str(p.get("protocol") or "TCP"), int(p["hostPort"]))
            for c in _spec(pod).get("containers") or [] for p in c.get("ports") or [] if p.get("hostPort")}


# The units the scheduler counts in, as kube's framework.Resource: millicores, bytes, pods,
# each rounded up (Quantity.MilliValue / Value), so sums and comparisons are on integers.
_SCALE = {"cpu": 1000, "memory": 1, "pods": 1}


@lru_cache(maxsize=1024)
def _units(resource: str, value: Any) -> int:
    return math.ceil(_quantity(value) * _SCALE[resource])


Footprint = tuple[dict[str, int], frozenset[tuple[str, int]]]


@dataclass
class NodeUsage:
    """What the pods bound to a node already take: a count, requests and host ports (counted,
    so that a pod can be taken out again exactly as it was put in)."""

    pods: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # in _SCALE's units
    ports: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, footprint: Footprint) -> None:
        requests, ports = footprint
        self.pods += 1
        for k, v in requests.items():
            self.requests[k] = self.requests.get(k, 0) + v
        self.ports.update(ports)

    def remove(self, footprint: Footprint) -> None:
        requests, ports = footprint
        self.pods -= 1
        for k, v in requests.items():
            self.requests[k] = self.requests.get(k, 0) - v
        self.ports.subtract(ports)
        for port in ports:
            if self.ports[port] <= 0:
                del self.ports[port]


# A pod's requests are fixed once it exists: summed once per pod (by uid).
_REQUESTS: dict[str, dict[str, int]] = {}
_REQUESTS_KEPT = 50_000


def _requests_in_units(pod: Obj) -> dict[str, int]:
    return {k: math.ceil(v * _SCALE[k]) for k, v in pod_requests(pod).items()}


def _requests_of(pod: Obj) -> dict[str, int]:
    uid = str((pod.get("metadata") or {}).get("uid") or "")
    if not uid:
        return _requests_in_units(pod)
    cached = _REQUESTS.get(uid)
    if cached is None:
        if len(_REQUESTS) >= _REQUESTS_KEPT:
            _REQUESTS.clear()
        cached = _REQUESTS[uid] = _requests_in_units(pod)
    return cached


def footprint(pod: Obj) -> Footprint:
    """What a pod takes on its node (fixed for the pod's life)."""
    return _requests_of(pod), frozenset(host_ports(pod))


def usage(bound: Iterable[Obj]) -> NodeUsage:
    total = NodeUsage()
    for pod in bound:
        total.add(footprint(pod))
    return total


def unfit_reasons(pod: Obj, node: Obj, used: NodeUsage) -> list[str]:
    """Why `pod` cannot go to `node`, given what is bound there already; empty when it fits."""
    return static_reasons(pod, node) or usage_reasons(footprint(pod), node, used)


def static_reasons(pod: Obj, node: Obj) -> list[str]:
    """The filters that read nothing but the pod's constraints and the node (NodeUnschedulable,
    TaintToleration, NodeAffinity): their verdict holds until either changes."""
    tolerations = _spec(pod).get("tolerations") or []
    if _spec(node).get("unschedulable") and not any(
            tolerates(t, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}) for t in tolerations):
        return [UNSCHEDULABLE]
    for taint in node_taints(node):
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not any(tolerates(t, taint) for t in tolerations):
            return [f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value') or ''}}}"]
    if not matches_affinity(pod, node):
        return [AFFINITY]
    return []


def constraints(pod: Obj) -> bytes:
    """What `static_reasons` reads of a pod, as a key: the pods of one template share it."""
    spec = _spec(pod)
    return orjson.dumps([spec.get("tolerations"), spec.get("nodeSelector"), spec.get("affinity")])


def usage_reasons(need: Footprint, node: Obj, used: NodeUsage) -> list[str]:
    """The filters that weigh what the pod takes against what the node's pods take already
    (NodePorts, NodeResourcesFit)."""
    requests, ports = need
    if ports and ports & used.ports.keys():
        return [PORTS]
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    reasons = []
    if used.pods + 1 > _units("pods", allocatable.get("pods", 0)):
        reasons.append(TOO_MANY_PODS)
    for resource in ("cpu", "memory"):
        wanted = requests.get(resource)
        if wanted and used.requests.get(resource, 0) + wanted > _units(resource, allocatable.get(resource, 0)):
            reasons.append(f"Insufficient {resource}")
    return reasons


def fit_error(num_nodes: int, reasons_by_node: dict[str, list[str]]) -> str:
    """FailedScheduling's message: a sorted histogram of reasons, then preemption's verdict."""
    if num_nodes == 0:
        return NO_NODES
    histogram = Counter(r for reasons in reasons_by_node.values() for r in reasons)
    text = f"0/{num_nodes} nodes are available: " + ", ".join(sorted(f"{n} {r}" for r, n in histogram.items()))
    verdicts = Counter(
        NO_VICTIMS if all(r in _RESOLVABLE or r.startswith("Insufficient ") for r in reasons) else NOT_HELPFUL
        for reasons in reasons_by_node.values())
    return (text + f". preemption: 0/{num_nodes} nodes are available: "
            + ", ".join(sorted(f"{n} {v}" for v, n in verdicts.items())) + ".")
