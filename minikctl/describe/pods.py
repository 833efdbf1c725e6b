"""`describe pod` and `describe rc`: kubectl's field order for pods, pod templates and the
replication controllers that own them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from minikctl.describe.containers import describe_containers, resources
from minikctl.describe.events import describe_events, events_of
from minikctl.describe.volumes import describe_volumes
from minikctl.describe.writer import (PrefixWriter, annotations_multiline, format_labels,
                                      labels_multiline, rfc1123z, since, tolerations_multiline)

if TYPE_CHECKING:
    from minikctl.session import Session

_MAP_FIELD = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def _field_value(pod: dict[str, Any]) -> Any:
    """fieldpath.ExtractFieldPathAsString for the downward API paths kubectl resolves."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    simple = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
              "metadata.uid": meta.get("uid"), "spec.nodeName": spec.get("nodeName"),
              "spec.serviceAccountName": spec.get("serviceAccountName"),
              "status.hostIP": status.get("hostIP"), "status.podIP": status.get("podIP")}

    def value(path: str) -> str:
        match = _MAP_FIELD.match(path)
        if match:
            return str((meta.get(match.group(1)) or {}).get(match.group(2)) or "")
        return str(simple.get(path) or "")

    return value


def qos_class(pod: dict[str, Any]) -> str:
    """The status' QoS class, else computed from requests and limits as the kubelet does."""
    given = (pod.get("status") or {}).get("qosClass")
    if given:
        return str(given)
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    seen, guaranteed = False, True
    for container in containers:
        res = container.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        if any(k in requests or k in limits for k in ("cpu", "memory")):
            seen = True
        for kind in ("cpu", "memory"):
            if kind not in limits or requests.get(kind, limits[kind]) != limits[kind]:
                guaranteed = False
    if not seen:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _header(w: PrefixWriter, pod: dict[str, Any]) -> None:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node + '/' + str(status.get('hostIP') or '') if node else '<none>'}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase") or ""
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'])})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds') or 0}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    for title, key in (("Reason", "reason"), ("Message", "message")):
        if status.get(key):
            w.write(0, f"{title}:\t{status[key]}\n")


def _middle(w: PrefixWriter, pod: dict[str, Any]) -> None:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    profile = (spec.get("securityContext") or {}).get("seccompProfile")
    if profile:
        w.write(0, f"SeccompProfile:\t{profile.get('type') or ''}\n")
        if profile.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{profile.get('localhostProfile') or ''}\n")
    w.write(0, f"IP:\t{status.get('podIP') or ''}\n")
    ips = status.get("podIPs") or []
    w.write(0, "IPs:\t<none>\n" if not ips else "IPs:\n")
    for ip in ips:
        w.write(1, f"IP:\t{ip.get('ip') or ''}\n")
    owner = controller_of(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        resources(w, spec["resources"], 1)


def _conditions(w: PrefixWriter, pod: dict[str, Any]) -> None:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            found = next((c.get("status") for c in conditions
                          if c.get("type") == gate.get("conditionType")), "<none>")
            w.write(1, f"{gate.get('conditionType')} \t{found} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in conditions:
            w.write(1, f"{condition.get('type')} \t{condition.get('status')} \n")


def describe_pod(session: Session, pod: dict[str, Any], show_events: bool) -> str:
    events = events_of(session, pod, with_kind=False) if show_events else None
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    _header(w, pod)
    _middle(w, pod)
    resolve = _field_value(pod)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses") or [], "", resolve)
    describe_containers(w, "Containers", spec.get("containers") or [],
                        status.get("containerStatuses") or [], "", resolve)
    _conditions(w, pod)
    describe_volumes(w, spec.get("volumes"), "")
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    if events is not None:
        describe_events(events, w)
    return w.text()


def describe_pod_template(w: PrefixWriter, template: dict[str, Any] | None) -> None:
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def _pod_counts(session: Session, rc: dict[str, Any]) -> tuple[int, int, int, int]:
    from minikctl.fetch import list_items
    from minikctl.targets import Target

    meta = rc.get("metadata") or {}
    pods = Target(session.discovery.resolve("pods"), None, meta.get("namespace"))
    selector = ",".join(f"{k}={v}" for k, v in sorted(((rc.get("spec") or {}).get("selector")
                                                        or {}).items()))
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in list_items(session.client, pods, {"labelSelector": selector} if selector else {},
                          500):
        owner = controller_of(pod)
        phase = (pod.get("status") or {}).get("phase")
        if owner is not None and owner.get("uid") == meta.get("uid") and phase in counts:
            counts[str(phase)] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def describe_replication_controller(session: Session, rc: dict[str, Any],
                                    show_events: bool) -> str:
    running, waiting, succeeded, failed = _pod_counts(session, rc)
    events = events_of(session, rc) if show_events else None
    meta, spec, status = rc.get("metadata") or {}, rc.get("spec") or {}, rc.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{status.get('replicas') or 0} current / {spec.get('replicas') or 0} "
               f"desired\n")
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / "
               f"{failed} Failed\n")
    describe_pod_template(w, spec.get("template"))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type')} \t{condition.get('status')}\t"
                       f"{condition.get('reason') or ''}\n")
    if events is not None:
        describe_events(events, w)
    return w.text()
