"""core/v1 Pod: defaults (plus what kube's admission plugins add on create: service account,
priority, the 300 s NoExecute tolerations), the initial status, validation, selectable
fields, graceful deletion and the binding subresource.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from apiserver import errors
from apiserver.machinery import names
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj, ResourceType, metadata_fields
from apiserver.resources.podspec import default_pod_spec, qos_class
from apiserver.resources.podstatus import POD_COLUMNS
from apiserver.resources.podupdate import validate_pod_update
from apiserver.resources.podvalidation import validate_container_images, validate_pod_spec

_DEFAULT_TOLERATIONS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
_DEFAULT_TOLERATION_SECONDS = 300
# The two PriorityClasses every cluster has; any other name must exist (we have none).
_SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}


def _spec(pod: Obj) -> Obj:
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        spec = pod["spec"] = {}
    return spec


def default(pod: Obj) -> None:
    default_pod_spec(_spec(pod), is_pod=True)


def _tolerates(tolerations: list[Any], key: str) -> bool:
    for t in tolerations:
        t = t or {}
        if t.get("effect") not in ("", None, "NoExecute"):
            continue
        if t.get("key") == key or (not t.get("key") and t.get("operator") == "Exists"):
            return True
    return False


def _admit_tolerations(spec: Obj) -> None:
    """DefaultTolerationSeconds: evictions from a not-ready or unreachable node wait 300 s."""
    tolerations = list(spec.get("tolerations") or [])
    for key in _DEFAULT_TOLERATIONS:
        if not _tolerates(tolerations, key):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": _DEFAULT_TOLERATION_SECONDS})
    spec["tolerations"] = tolerations


def _admit_priority(pod: Obj, spec: Obj) -> None:
    name = spec.get("priorityClassName")
    if name and name not in _SYSTEM_PRIORITIES:
        raise errors.forbidden("pods", "", (pod.get("metadata") or {}).get("name") or None,
                               f"no PriorityClass with name {name} was found")
    spec["priority"] = _SYSTEM_PRIORITIES.get(name, 0) if name else 0
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")


def prepare_for_create(pod: Obj) -> None:
    spec = _spec(pod)
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = "default"
    spec["serviceAccount"] = spec["serviceAccountName"]
    _admit_priority(pod, spec)
    _admit_tolerations(spec)
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}


def validate(pod: Obj) -> list[errors.FieldError]:
    spec = pod.get("spec")
    return validate_pod_spec(spec, "spec") + validate_container_images(spec if isinstance(spec, dict) else {}, "spec")


def validate_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return validate_pod_update(new, old)


def fields(pod: Obj) -> dict[str, str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    ips = status.get("podIPs") or []
    node = str(spec.get("nodeName") or "")
    return {
        **metadata_fields(pod),
        "spec.nodeName": node,
        "spec.host": node,  # the deprecated alias kube still converts
        "spec.restartPolicy": str(spec.get("restartPolicy") or ""),
        "spec.schedulerName": str(spec.get("schedulerName") or ""),
        "spec.serviceAccountName": str(spec.get("serviceAccountName") or ""),
        "spec.hostNetwork": "true" if spec.get("hostNetwork") else "false",
        "status.phase": str(status.get("phase") or ""),
        "status.podIP": str((ips[0] or {}).get("ip") or "") if ips else "",
        "status.nominatedNodeName": str(status.get("nominatedNodeName") or ""),
    }


def grace_period(pod: Obj, requested: int | None) -> int:
    """CheckGracefulDelete: the request's period, else the spec's; 0 for unscheduled or
    finished pods. A negative period means 1."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    period = requested if requested is not None else spec.get("terminationGracePeriodSeconds") or 0
    if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
        return 0
    return 1 if period < 0 else int(period)


def _binding_errors(binding: Obj) -> list[str]:
    target = binding.get("target") or {}
    errs = []
    if target.get("kind") and target["kind"] != "Node":
        errs.append(errors.not_supported("target.kind", target["kind"], ["Node", "<empty>"]).message())
    if not target.get("name"):
        errs.append(errors.required("target.name").message())
    return errs


def bind(pod: Obj, binding: Obj) -> None:
    """POST pods/<name>/binding: assign the node once, mark PodScheduled=True."""
    meta, spec = pod.get("metadata") or {}, _spec(pod)
    name = meta.get("name", "")
    problems = _binding_errors(binding if isinstance(binding, dict) else {})
    if problems:  # kube returns this aggregate as a plain (reason-less) 500
        raise errors.plain_error(problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
    if meta.get("deletionTimestamp"):
        raise errors.conflict("pods/binding", "", name, f"pod {name} is being deleted, cannot be assigned to a host")
    if spec.get("nodeName"):
        raise errors.conflict("pods/binding", "", name, f'pod {name} is already assigned to node "{spec["nodeName"]}"')
    if spec.get("schedulingGates"):
        raise errors.conflict("pods/binding", "", name, f"pod {name} has non-empty .spec.schedulingGates")
    spec["nodeName"] = binding["target"]["name"]
    extra = (binding.get("metadata") or {}).get("annotations") or {}
    if extra:
        meta.setdefault("annotations", {}).update(extra)
    _set_scheduled(pod.setdefault("status", {}))


def _set_scheduled(status: Obj) -> None:
    now = format_time(datetime.now(timezone.utc))
    conditions = status.setdefault("conditions", [])
    for c in conditions:
        if c.get("type") == "PodScheduled":
            if c.get("status") != "True":
                c["lastTransitionTime"] = now
            c["status"] = "True"
            return
    conditions.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now})


_SIMULATED = ("minik runs pods on simulated nodes: containers have no processes, so there is "
              "nothing to {what} (see the README)")

RESOURCE = ResourceType(
    group="", version="v1", kind="Pod", plural="pods", singular="pod", namespaced=True,
    short_names=("po",), categories=("all",), subresources=("status", "binding", "log"),
    unserved_subresources={"log": _SIMULATED.format(what="log"), "exec": _SIMULATED.format(what="exec into"),
                           "attach": _SIMULATED.format(what="attach to"),
                           "portforward": _SIMULATED.format(what="forward ports to")},
    columns=POD_COLUMNS, fields=fields, validate_name=names.dns1123_subdomain,
    has_status=True, tracks_generation=True, delete_returns_object=True,
    default=default, prepare_for_create=prepare_for_create, validate=validate,
    validate_update=validate_update, grace_period=grace_period, bind=bind,
    description="Pod is a collection of containers that can run on a host.",
)
