"""What controllers read off a pod: active, ready, available, its controller, and the order
in which a replica manager deletes surplus pods (kube's ActivePodsWithRanks)."""

from __future__ import annotations

import functools
import math
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from apiserver.machinery.duration import parse_time
from apiserver.resources.base import Obj

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def meta(obj: Obj) -> dict[str, Any]:
    m: dict[str, Any] = obj.get("metadata") or {}
    return m


def node_name(pod: Obj) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "")


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def is_terminal(pod: Obj) -> bool:
    return phase(pod) in ("Succeeded", "Failed")


def is_active(pod: Obj) -> bool:
    """Not Succeeded or Failed, and not being deleted."""
    return not is_terminal(pod) and not meta(pod).get("deletionTimestamp")


def condition(pod: Obj, type_: str) -> dict[str, Any] | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_:
            return dict(c)
    return None


def is_ready(pod: Obj) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def ready_since(pod: Obj) -> datetime | None:
    c = condition(pod, "Ready")
    if c is None or c.get("status") != "True" or not c.get("lastTransitionTime"):
        return None
    return parse_time(str(c["lastTransitionTime"]))


def is_available(pod: Obj, min_ready_seconds: int, now: datetime) -> bool:
    if not is_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = ready_since(pod)
    return since is not None and (now - since).total_seconds() >= min_ready_seconds


def controller_ref(obj: Obj) -> dict[str, Any] | None:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def max_restarts(pod: Obj) -> int:
    return max((int(c.get("restartCount") or 0) for c in (pod.get("status") or {}).get("containerStatuses") or []),
               default=0)


def deletion_cost(pod: Obj) -> int:
    try:
        return int((meta(pod).get("annotations") or {}).get(DELETION_COST, 0))
    except ValueError:
        return 0


def _created(pod: Obj) -> datetime | None:
    stamp = meta(pod).get("creationTimestamp")
    return parse_time(str(stamp)) if stamp else None


def _log_bucket(t: datetime, now: datetime) -> int:
    """kube's logarithmicRankDiff bucket: floor(log2(age in nanoseconds)), -1 when not positive."""
    nanos = (now - t).total_seconds() * 1e9
    return int(math.log2(nanos)) if nanos > 0 else -1


def _time_order(a: datetime | None, b: datetime | None, ua: str, ub: str, now: datetime) -> int:
    """Negative when `a` goes first: empty times first, then younger (by log2 bucket), then uid."""
    if a is None or b is None:
        return -1 if a is None else 1  # the caller checked they differ
    diff = _log_bucket(a, now) - _log_bucket(b, now)
    if diff == 0:
        return -1 if ua < ub else (1 if ua > ub else 0)
    return -1 if diff < 0 else 1


def compare_for_deletion(a: Obj, b: Obj, rank_a: int, rank_b: int, now: datetime) -> int:
    """Negative when pod `a` should be deleted before pod `b` (api-semantics §10, rules 1-8)."""
    node_a, node_b = node_name(a), node_name(b)
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    pa, pb = _PHASE_ORDER.get(phase(a), 3), _PHASE_ORDER.get(phase(b), 3)
    if pa != pb:
        return -1 if pa < pb else 1
    if is_ready(a) != is_ready(b):
        return -1 if not is_ready(a) else 1
    ca, cb = deletion_cost(a), deletion_cost(b)
    if ca != cb:
        return -1 if ca < cb else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    ua, ub = str(meta(a).get("uid", "")), str(meta(b).get("uid", ""))
    if is_ready(a) and is_ready(b):
        ra, rb = ready_since(a), ready_since(b)
        if ra != rb:
            return _time_order(ra, rb, ua, ub, now)
    restarts_a, restarts_b = max_restarts(a), max_restarts(b)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    ta, tb = _created(a), _created(b)
    if ta != tb:
        return _time_order(ta, tb, ua, ub, now)
    return 0


def related_pod_ranks(pods: Sequence[Obj], related: Sequence[Obj]) -> list[int]:
    """Rule 5: for each pod, how many active related pods share its node (itself included)."""
    on_node: dict[str, int] = {}
    for p in related:
        if is_active(p):
            on_node[node_name(p)] = on_node.get(node_name(p), 0) + 1
    return [on_node.get(node_name(p), 0) for p in pods]


def pods_to_delete(pods: Sequence[Obj], related: Sequence[Obj], count: int,
                   now: datetime | None = None) -> list[Obj]:
    """The `count` pods a replica manager deletes first."""
    now = now or datetime.now(timezone.utc)
    ranks = related_pod_ranks(pods, related)
    ranked = list(zip(pods, ranks))
    cmp: Callable[[tuple[Obj, int], tuple[Obj, int]], int] = (
        lambda x, y: compare_for_deletion(x[0], y[0], x[1], y[1], now))
    ranked.sort(key=functools.cmp_to_key(cmp))
    return [p for p, _ in ranked[:count]]
