"""`describe node`: conditions, addresses, capacity, the node's lease, its non-terminated pods
with their requests and limits, and the totals against what the node can allocate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minikctl.describe.events import describe_events, search_events
from minikctl.describe.writer import (PrefixWriter, annotations_multiline, labels_multiline,
                                      rfc1123z, since)
from minikctl.errors import ApiError
from minikctl.quantity import Quantity, parse, total

if TYPE_CHECKING:
    from minikctl.session import Session

ROLE_PREFIX = "node-role.kubernetes.io/"
STANDARD = {"cpu", "memory", "ephemeral-storage", "pods"}
SYSTEM_INFO = (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
               ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
               ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
               ("Container Runtime Version", "containerRuntimeVersion"),
               ("Kubelet Version", "kubeletVersion"))


def _roles(labels: dict[str, Any]) -> list[str]:
    roles = {k[len(ROLE_PREFIX):] for k in labels if k.startswith(ROLE_PREFIX) and
             k[len(ROLE_PREFIX):]}
    if labels.get("kubernetes.io/role"):
        roles.add(str(labels["kubernetes.io/role"]))
    return sorted(roles)


def pod_resources(pod: dict[str, Any], key: str) -> dict[str, Quantity]:
    """resourcehelper.PodRequests/PodLimits: containers summed, the largest init container
    taken if bigger, the pod overhead added."""
    spec = pod.get("spec") or {}
    sums: dict[str, Quantity] = {}
    for container in spec.get("containers") or []:
        for name, value in ((container.get("resources") or {}).get(key) or {}).items():
            sums[name] = total([sums[name], parse(value)]) if name in sums else parse(value)
    for container in spec.get("initContainers") or []:
        for name, value in ((container.get("resources") or {}).get(key) or {}).items():
            amount = parse(value)
            if name not in sums or amount.value > sums[name].value:
                sums[name] = amount
    for name, value in (spec.get("overhead") or {}).items():
        sums[name] = total([sums[name], parse(value)]) if name in sums else parse(value)
    return sums


def _percent(part: Quantity, whole: Quantity | None, milli: bool) -> int:
    if whole is None:
        return 0
    top, bottom = ((part.milli_value(), whole.milli_value()) if milli
                   else (part.int_value(), whole.int_value()))
    return int(top / bottom * 100) if bottom else 0


def _pods(session: Session, node: str) -> list[dict[str, Any]]:
    from minikctl.fetch import list_items
    from minikctl.targets import Target

    target = Target(session.discovery.resolve("pods"), None, None)
    selector = f"spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed"
    return list_items(session.client, target, {"fieldSelector": selector}, 500)


def _pod_table(w: PrefixWriter, pods: list[dict[str, Any]], allocatable: dict[str, Quantity]) -> None:
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    for pod in pods:
        meta = pod.get("metadata") or {}
        req, lim = pod_resources(pod, "requests"), pod_resources(pod, "limits")
        cells = []
        for source, name in ((req, "cpu"), (lim, "cpu"), (req, "memory"), (lim, "memory")):
            amount = source.get(name, Quantity(format=""))
            cells.append(f"{amount} ({_percent(amount, allocatable.get(name), name == 'cpu')}%)")
        w.write(1, f"{meta.get('namespace')}\t{meta.get('name')}\t\t{chr(9).join(cells)}\t"
                   f"{since(meta.get('creationTimestamp'))}\n")


def _allocated(w: PrefixWriter, pods: list[dict[str, Any]], allocatable: dict[str, Quantity]) -> None:
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    reqs: dict[str, list[Quantity]] = {}
    lims: dict[str, list[Quantity]] = {}
    for pod in pods:
        for into, key in ((reqs, "requests"), (lims, "limits")):
            for name, amount in pod_resources(pod, key).items():
                into.setdefault(name, []).append(amount)
    huge = sorted(n for n in allocatable if n.startswith("hugepages-"))
    for name in ["cpu", "memory", "ephemeral-storage"] + huge:
        req, lim = total(reqs.get(name, [])), total(lims.get(name, []))
        milli = name == "cpu"
        w.write(1, f"{name}\t{req} ({_percent(req, allocatable.get(name), milli)}%)\t"
                   f"{lim} ({_percent(lim, allocatable.get(name), milli)}%)\n")
    for name in sorted(n for n in allocatable
                       if n not in STANDARD and not n.startswith("hugepages-")):
        w.write(1, f"{name}\t{total(reqs.get(name, []))}\t{total(lims.get(name, []))}\n")


def _lease(session: Session, w: PrefixWriter, name: str) -> None:
    try:
        lease = session.client.get(f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/"
                                   f"leases/{name}") or {}
    except ApiError as err:
        w.write(0, f"Lease:\tFailed to get lease: {err.message}\n")
        return
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    for title, key in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
        w.write(1, f"{title}:\t{rfc1123z(spec[key]) if spec.get(key) else '<unset>'}\n")


def _status(w: PrefixWriter, status: dict[str, Any]) -> None:
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\t"
                   "Message\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t{rfc1123z(c.get('lastHeartbeatTime'))}"
                       f" \t{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason') or ''} \t"
                       f"{c.get('message') or ''}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type')}:\t{address.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if status.get(key):
            w.write(0, f"{title}:\n")
            for name in sorted(status[key]):
                w.write(0, f"  {name}:\t{parse(status[key][name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(key) or ''}\n")


def describe_node(session: Session, node: dict[str, Any], show_events: bool) -> str:
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = str(meta.get("name") or "")
    pods = _pods(session, name)
    events = None
    if show_events:
        events = search_events(session, "", name, "Node", str(meta.get("uid") or ""))
        events += search_events(session, "", name, "Node", name)
    w = PrefixWriter()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{','.join(_roles(meta.get('labels') or {})) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    _lease(session, w, name)
    _status(w, status)
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    source = status.get("allocatable") or status.get("capacity") or {}
    allocatable = {k: parse(v) for k, v in source.items()}
    _pod_table(w, pods, allocatable)
    _allocated(w, pods, allocatable)
    if events is not None:
        describe_events(events, w)
    return w.text()


def _taints(w: PrefixWriter, taints: list[dict[str, Any]]) -> None:
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect') or ''},{t.get('key') or ''}")
    for index, taint in enumerate(ordered):
        if index:
            w.write(0, "\t")
        value = f"={taint['value']}" if taint.get("value") else ""
        w.write(0, f"{taint.get('key')}{value}:{taint.get('effect') or ''}\n")

