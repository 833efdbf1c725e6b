"""The status a replica manager writes: counts over the owner's active pods, the generation
it acted on, and the ReplicaFailure condition while creating or deleting pods fails.

Counts other than `replicas` are omitted when zero, as Go's `omitempty` serialises them.
"""

from __future__ import annotations

import copy
from datetime import datetime

from apiserver.controllers import podstate
from apiserver.errors import StatusError
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj

_COUNTS = ("fullyLabeledReplicas", "readyReplicas", "availableReplicas")
REPLICA_FAILURE = "ReplicaFailure"


def _failure_condition(owner: Obj, active: list[Obj], failure: BaseException, now: datetime) -> Obj:
    replicas = int((owner.get("spec") or {}).get("replicas", 1))
    diff = len(active) - replicas
    reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
    message = failure.message if isinstance(failure, StatusError) else str(failure)
    return {"type": REPLICA_FAILURE, "status": "True", "lastTransitionTime": format_time(now),
            "reason": reason, "message": message}


def compute_status(owner: Obj, active: list[Obj], failure: BaseException | None, now: datetime) -> Obj:
    spec = owner.get("spec") or {}
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    old = owner.get("status") or {}
    status: Obj = {k: copy.deepcopy(v) for k, v in old.items() if k not in _COUNTS and k != "conditions"}
    status["replicas"] = len(active)
    ready = [p for p in active if podstate.is_ready(p)]
    counts = {
        "fullyLabeledReplicas": sum(
            1 for p in active
            if all((podstate.meta(p).get("labels") or {}).get(k) == v for k, v in template_labels.items())),
        "readyReplicas": len(ready),
        "availableReplicas": len(ready) if min_ready <= 0 else sum(
            1 for p in ready if podstate.is_available(p, min_ready, now)),
    }
    status.update({k: v for k, v in counts.items() if v})
    generation = podstate.meta(owner).get("generation")
    if generation is not None:
        status["observedGeneration"] = generation
    conditions = [c for c in old.get("conditions") or [] if c.get("type") != REPLICA_FAILURE]
    existing = next((c for c in old.get("conditions") or [] if c.get("type") == REPLICA_FAILURE), None)
    if failure is not None:
        conditions.append(existing or _failure_condition(owner, active, failure, now))
    if conditions:
        status["conditions"] = conditions
    return status


def status_changed(owner: Obj, status: Obj) -> bool:
    return (owner.get("status") or {}) != status
