"""The Pod table (printPod in pkg/printers/internalversion): READY, the STATUS reason
algorithm, RESTARTS with "(5m9s ago)", and the wide IP/NODE/NOMINATED NODE/READINESS GATES
cells. Also the CONTAINERS/IMAGES cells every pod-template table shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apiserver.machinery.duration import parse_time, since
from apiserver.resources.base import AGE_COLUMN, NAME_COLUMN, Column

Obj = dict[str, Any]


@dataclass
class _Summary:
    ready: int = 0
    total: int = 0
    reason: str = ""
    restarts: int = 0
    last_restart: datetime | None = None


def _later(current: datetime | None, status: Obj) -> datetime | None:
    finished = (((status.get("lastState") or {}).get("terminated")) or {}).get("finishedAt")
    if not finished:
        return current
    try:
        when = parse_time(str(finished))
    except ValueError:
        return current
    return when if current is None or when > current else current


def _condition_true(pod_status: Obj, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in pod_status.get("conditions") or [])


def _terminated_reason(term: Obj, prefix: str) -> str:
    if term.get("reason"):
        return prefix + str(term["reason"])
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def _sidecars(spec: Obj) -> set[str]:
    return {c.get("name") for c in spec.get("initContainers") or [] if (c or {}).get("restartPolicy") == "Always"}


def _walk_init(pod: Obj, s: _Summary, sidecars: set[str]) -> tuple[bool, int, datetime | None]:
    """The init containers: returns (initializing, sidecar restarts, sidecar last restart)."""
    status, spec = pod.get("status") or {}, pod.get("spec") or {}
    side_restarts, side_last = 0, None
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        s.restarts += int(cs.get("restartCount") or 0)
        s.last_restart = _later(s.last_restart, cs)
        if cs.get("name") in sidecars:
            side_restarts += int(cs.get("restartCount") or 0)
            side_last = _later(side_last, cs)
        state = cs.get("state") or {}
        term, waiting = state.get("terminated"), state.get("waiting")
        if term is not None and not term.get("exitCode"):
            continue
        if cs.get("name") in sidecars and cs.get("started"):
            s.ready += 1 if cs.get("ready") else 0
            continue
        if term is not None:
            s.reason = _terminated_reason(term, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            s.reason = "Init:" + str(waiting["reason"])
        else:
            s.reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        return True, side_restarts, side_last
    return False, side_restarts, side_last


def _walk_main(status: Obj, s: _Summary) -> None:
    running = False
    for cs in reversed(status.get("containerStatuses") or []):
        s.restarts += int(cs.get("restartCount") or 0)
        s.last_restart = _later(s.last_restart, cs)
        state = cs.get("state") or {}
        waiting, term = state.get("waiting"), state.get("terminated")
        if waiting is not None and waiting.get("reason"):
            s.reason = str(waiting["reason"])
        elif term is not None:
            s.reason = _terminated_reason(term, "")
        elif cs.get("ready") and state.get("running") is not None:
            running = True
            s.ready += 1
    if s.reason == "Completed" and running:
        s.reason = "Running" if _condition_true(status, "Ready") else "NotReady"


def summarize(pod: Obj) -> _Summary:
    spec, status, meta = pod.get("spec") or {}, pod.get("status") or {}, pod.get("metadata") or {}
    sidecars = _sidecars(spec)
    s = _Summary(total=len(spec.get("containers") or []) + len(sidecars))
    s.reason = str(status.get("reason") or status.get("phase") or "")
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            s.reason = "SchedulingGated"
    initializing, side_restarts, side_last = _walk_init(pod, s, sidecars)
    if not initializing or _condition_true(status, "Initialized"):
        s.restarts, s.last_restart = side_restarts, side_last
        _walk_main(status, s)
    if meta.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            s.reason = "Unknown"
        elif status.get("phase") not in ("Succeeded", "Failed"):
            s.reason = "Terminating"
    return s


def ready_cell(pod: Obj, now: datetime) -> str:
    s = summarize(pod)
    return f"{s.ready}/{s.total}"


def status_cell(pod: Obj, now: datetime) -> str:
    return summarize(pod).reason


def restarts_cell(pod: Obj, now: datetime) -> str:
    s = summarize(pod)
    if s.restarts and s.last_restart is not None:
        return f"{s.restarts} ({since(s.last_restart.isoformat(), now)} ago)"
    return str(s.restarts)


def _or_none(value: Any) -> str:
    return str(value) if value else "<none>"


def ip_cell(pod: Obj, now: datetime) -> str:
    ips = (pod.get("status") or {}).get("podIPs") or []
    return _or_none((ips[0] or {}).get("ip") if ips else "")


def readiness_gates_cell(pod: Obj, now: datetime) -> str:
    gates = (pod.get("spec") or {}).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = (pod.get("status") or {}).get("conditions") or []
    true = 0
    for gate in gates:
        match = next((c for c in conditions if c.get("type") == (gate or {}).get("conditionType")), None)
        true += 1 if match is not None and match.get("status") == "True" else 0
    return f"{true}/{len(gates)}"


def container_cells(spec: Any) -> tuple[str, str]:
    """layoutContainerCells: names and images of the regular containers, joined with ','."""
    containers = (spec or {}).get("containers") or []
    return (",".join(str((c or {}).get("name", "")) for c in containers),
            ",".join(str((c or {}).get("image", "")) for c in containers))


POD_COLUMNS = (
    NAME_COLUMN,
    Column("Ready", ready_cell, description="The aggregate readiness state of this pod for accepting traffic."),
    Column("Status", status_cell, description="The aggregate status of the containers in this pod."),
    Column("Restarts", restarts_cell, description="The number of times the containers in this pod have been "
                                                  "restarted and when the last container in this pod has restarted."),
    AGE_COLUMN,
    Column("IP", ip_cell, priority=1, description="podIP address allocated to the pod. Routable at least within "
                                                  "the cluster. Empty if not yet allocated."),
    Column("Node", lambda p, now: _or_none((p.get("spec") or {}).get("nodeName")), priority=1,
           description="NodeName indicates in which node this pod is scheduled."),
    Column("Nominated Node", lambda p, now: _or_none((p.get("status") or {}).get("nominatedNodeName")),
           priority=1, description="nominatedNodeName is set when this pod preempts other pods on the node."),
    Column("Readiness Gates", readiness_gates_cell, priority=1,
           description="If specified, all readiness gates will be evaluated for pod readiness."),
)
