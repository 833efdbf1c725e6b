"""The pod statuses a kubelet writes, built from the pod alone (pure functions).

Stages: `pending` (containers waiting in ContainerCreating, or PodInitializing behind init
containers), `running` (pod IP, running and ready containers, init containers completed)
and `stopped` (containers terminated after a delete). Condition transition times move only
when a condition's status changes.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from apiserver.resources.base import Obj

_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def normalized_image(image: str) -> str:
    """What the runtime reports as the image: `nginx` -> `docker.io/library/nginx:latest`."""
    name = image
    first, sep, _ = name.partition("/")
    if not sep:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    last = name.rsplit("/", 1)[-1]
    if "@" not in last and ":" not in last:
        name += ":latest"
    return name


def image_id(image: str) -> str:
    """A stable digest reference for an image (simulated: the hash of its name)."""
    repo = normalized_image(image).split("@")[0]
    repo = repo.rsplit(":", 1)[0] if ":" in repo.rsplit("/", 1)[-1] else repo
    return f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def container_id(pod: Obj, name: str) -> str:
    uid = (pod.get("metadata") or {}).get("uid", "")
    return "containerd://" + hashlib.sha256(f"{uid}/{name}".encode()).hexdigest()


def _containers(pod: Obj, field: str = "containers") -> list[Obj]:
    return list((pod.get("spec") or {}).get(field) or [])


def _conditions(pod: Obj, wanted: dict[str, tuple[str, str, str]], now: str) -> list[Obj]:
    """wanted: type -> (status, reason, message); PodScheduled is kept as the binding set it."""
    old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
    out = []
    for type_ in _CONDITIONS:
        if type_ not in wanted:
            if type_ in old:
                out.append(copy.deepcopy(old[type_]))
            continue
        status, reason, message = wanted[type_]
        previous = old.get(type_) or {}
        cond: Obj = {"type": type_, "status": status, "lastProbeTime": None,
                     "lastTransitionTime": previous.get("lastTransitionTime")
                     if previous.get("status") == status else now}
        if reason:
            cond["reason"] = reason
        if message:
            cond["message"] = message
        out.append(cond)
    return out


def _base(pod: Obj, host_ip: str, now: str) -> Obj:
    status = copy.deepcopy(pod.get("status") or {})
    status["hostIP"] = host_ip
    status["hostIPs"] = [{"ip": host_ip}]
    status.setdefault("startTime", now)
    generation = (pod.get("metadata") or {}).get("generation")
    if generation is not None:
        status["observedGeneration"] = generation
    return status


def _names(containers: list[Obj]) -> str:
    return "[" + " ".join(str(c.get("name")) for c in containers) + "]"


def _waiting(pod: Obj, c: Obj, reason: str) -> Obj:
    return {"name": c.get("name"), "state": {"waiting": {"reason": reason}}, "lastState": {}, "ready": False,
            "restartCount": 0, "image": c.get("image", ""), "imageID": "", "started": False}


def pending(pod: Obj, host_ip: str, now: str) -> Obj:
    """ContainerCreating: scheduled and accepted by the node, nothing running yet."""
    status = _base(pod, host_ip, now)
    inits, containers = _containers(pod, "initContainers"), _containers(pod)
    unready = ("False", "ContainersNotReady", f"containers with unready status: {_names(containers)}")
    initialized = ("False", "ContainersNotInitialized", f"containers with incomplete status: {_names(inits)}") \
        if inits else ("True", "", "")
    status["phase"] = "Pending"
    status["conditions"] = _conditions(pod, {"PodReadyToStartContainers": ("False", "", ""),
                                             "Initialized": initialized, "Ready": unready,
                                             "ContainersReady": unready}, now)
    waiting_reason = "PodInitializing" if inits else "ContainerCreating"
    if inits:
        status["initContainerStatuses"] = [_waiting(pod, c, "PodInitializing") for c in inits]
    status["containerStatuses"] = [_waiting(pod, c, waiting_reason) for c in containers]
    return status


def _running(pod: Obj, c: Obj, now: str) -> Obj:
    return {"name": c.get("name"), "state": {"running": {"startedAt": now}}, "lastState": {}, "ready": True,
            "restartCount": 0, "image": normalized_image(str(c.get("image", ""))),
            "imageID": image_id(str(c.get("image", ""))), "containerID": container_id(pod, str(c.get("name"))),
            "started": True}


def _completed(pod: Obj, c: Obj, now: str) -> Obj:
    done = _running(pod, c, now)
    done["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now,
                                    "containerID": done["containerID"]}}
    done["started"] = False
    return done


def running(pod: Obj, host_ip: str, pod_ip: str, now: str) -> Obj:
    status = _base(pod, host_ip, now)
    status["phase"] = "Running"
    status["podIP"] = pod_ip
    status["podIPs"] = [{"ip": pod_ip}]
    ok = ("True", "", "")
    status["conditions"] = _conditions(pod, {"PodReadyToStartContainers": ok, "Initialized": ok, "Ready": ok,
                                             "ContainersReady": ok}, now)
    inits = _containers(pod, "initContainers")
    if inits:
        status["initContainerStatuses"] = [_completed(pod, c, now) for c in inits]
    status["containerStatuses"] = [_running(pod, c, now) for c in _containers(pod)]
    return status


def stopped(pod: Obj, now: str) -> Obj:
    """After the containers were stopped for a delete: terminated, not ready, phase final."""
    status = copy.deepcopy(pod.get("status") or {})
    completed = ("False", "PodCompleted", "")
    status["conditions"] = _conditions(pod, {"PodReadyToStartContainers": ("False", "", ""),
                                             "Ready": completed, "ContainersReady": completed}, now)
    statuses = []
    for cs in status.get("containerStatuses") or []:
        cs = dict(cs)
        started_at = ((cs.get("state") or {}).get("running") or {}).get("startedAt")
        terminated: dict[str, Any] = {"exitCode": 0, "reason": "Completed", "startedAt": started_at or now,
                                      "finishedAt": now}
        if cs.get("containerID"):
            terminated["containerID"] = cs["containerID"]
        cs.update(state={"terminated": terminated}, ready=False, started=False)
        statuses.append(cs)
    status["containerStatuses"] = statuses
    status["phase"] = "Succeeded"  # every container exited 0 (kubelets give deleted pods a final phase)
    return status


def stage(pod: Obj) -> str:
    """Where the pod stands from the node's point of view: new, pending, running or stopped."""
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    if not statuses:
        return "new"
    states = [next(iter(cs.get("state") or {"waiting": {}})) for cs in statuses]
    if all(s == "terminated" for s in states):
        return "stopped"
    if status.get("phase") == "Running" and all(s == "running" for s in states):
        return "running"
    return "pending"
