"""Waiting until objects are ready, for `apply --wait` and `scale --wait` (beyond kubectl).

Ready is read from the object alone, the same way for every kind: a `Ready` condition must be
True; an object with `spec.replicas` must have that many `status.readyReplicas` and have observed
its latest generation; anything else is ready at once. The objects are polled (bounded by the
timeout, a week when zero) and a progress bar counts ready replicas for a person at a terminal.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from minikctl.errors import ApiError, MinikctlError
from minikctl.fetch import get_object
from minikctl.targets import Target
from minikctl.terminal import Progress

if TYPE_CHECKING:
    from minikctl.session import Session

WEEK = 168 * 3600.0
POLL = 0.2


def progress_of(obj: dict[str, Any]) -> tuple[int, int]:
    """(ready units, wanted units) of one object: replicas, or 0/1 for a condition."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    for condition in status.get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return (1 if condition.get("status") == "True" else 0), 1
    replicas = spec.get("replicas")
    if isinstance(replicas, int) and not isinstance(replicas, bool):
        generation = (obj.get("metadata") or {}).get("generation")
        observed = status.get("observedGeneration")
        ready = int(status.get("readyReplicas") or 0)
        if generation is not None and (observed is None or observed < generation):
            ready = min(ready, replicas - 1) if replicas else 0
            return ready, max(replicas, 1)
        return min(ready, replicas), replicas
    return 1, 1


def wait_ready(session: Session, targets: list[Target], timeout: float) -> None:
    """Poll each object until it is ready; `timed out waiting for the condition on ...`."""
    deadline = time.monotonic() + (timeout or WEEK)
    pending = [t for t in targets if t.name]
    with Progress("waiting for readiness", len(pending)) as bar:
        while pending:
            done = total = 0
            still: list[Target] = []
            for target in pending:
                try:
                    ready, wanted = progress_of(get_object(session.client, target))
                except ApiError as err:
                    if not err.is_not_found():
                        raise
                    ready, wanted = 0, 1
                done, total = done + ready, total + wanted
                if ready < wanted:
                    still.append(target)
            bar.update(done, total, f"{len(targets) - len(still)}/{len(targets)} ready")
            pending = still
            if not pending:
                return
            if time.monotonic() >= deadline:
                first = pending[0]
                raise MinikctlError(f"timed out waiting for the condition on "
                                    f"{first.resource.plural}/{first.name}")
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
