"""`describe service`, `describe endpoints` and `describe endpointslice`.

As in kubectl 1.37, a service's endpoints come from the EndpointSlices labelled
`kubernetes.io/service-name=<service>`: ready endpoints only, at most three, then `+ N more...`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minikctl.describe.events import describe_events, events_of
from minikctl.describe.writer import (PrefixWriter, annotations_multiline, format_labels,
                                      labels_multiline)
from minikctl.errors import ApiError, MinikctlError

if TYPE_CHECKING:
    from minikctl.session import Session

SHOWN = 3


def _slices(session: Session, service: dict[str, Any]) -> list[dict[str, Any]]:
    from minikctl.fetch import list_items
    from minikctl.targets import Target

    meta = service.get("metadata") or {}
    try:
        resource = session.discovery.resolve("endpointslices.discovery.k8s.io")
        target = Target(resource, None, meta.get("namespace"))
        return list_items(session.client, target,
                          {"labelSelector": f"kubernetes.io/service-name={meta.get('name')}"}, 0)
    except (ApiError, MinikctlError):
        return []


def _host_port(address: str, port: Any) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def format_endpoint_slices(slices: list[dict[str, Any]], port_name: str) -> str:
    """formatEndpointSlices for one service port (matched by name)."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    more, count = False, 0
    for piece in slices:
        endpoints = piece.get("endpoints") or []
        ports = piece.get("ports") or []
        pairs = ([(None, e) for e in endpoints] if not ports else
                 [(p, e) for p in ports if (p.get("name") or "") == port_name for e in endpoints])
        for port, endpoint in pairs:
            if len(shown) == SHOWN:
                more = True
            ready = (endpoint.get("conditions") or {}).get("ready")
            if ready is not None and not ready:
                continue
            if not more:
                address = str((endpoint.get("addresses") or [""])[0])
                shown.append(address if port is None else _host_port(address, port.get("port")))
            count += 1
    text = ",".join(shown)
    return f"{text} + {count - SHOWN} more..." if more else text


def _ports(w: PrefixWriter, spec: dict[str, Any], slices: list[dict[str, Any]]) -> None:
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol") or ""
        w.write(0, f"Port:\t{name}\t{port.get('port')}/{protocol}\n")
        target = port.get("targetPort")
        w.write(0, f"TargetPort:\t{0 if target is None else target}/{protocol}\n")
        if port.get("appProtocol") is not None:
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, str(port.get('name') or ''))}\n")


def _ingress(ingress: list[dict[str, Any]]) -> str:
    parts = []
    for item in ingress:
        if item.get("ip"):
            parts.append(item["ip"] + (f" ({item['ipMode']})" if item.get("ipMode") else ""))
        else:
            parts.append(str(item.get("hostname") or ""))
    return ", ".join(parts)


def describe_service(session: Session, service: dict[str, Any], show_events: bool) -> str:
    slices = _slices(session, service)
    events = events_of(session, service) if show_events else None
    meta, spec = service.get("metadata") or {}, service.get("spec") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type') or ''}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP') or ''}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    for title, key in (("External IPs", "externalIPs"),):
        if spec.get(key):
            w.write(0, f"{title}:\t{','.join(spec[key])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress(ingress)}\n")
    _ports(w, spec, slices)
    _tail(w, spec)
    if events is not None:
        describe_events(events, w)
    return w.text()


def _tail(w: PrefixWriter, spec: dict[str, Any]) -> None:
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or ''}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution") is not None:
        w.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")


def _header(w: PrefixWriter, obj: dict[str, Any]) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


def describe_endpoints(session: Session, ep: dict[str, Any], show_events: bool) -> str:
    events = events_of(session, ep) if show_events else None
    w = PrefixWriter()
    _header(w, ep)
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        for title, key in (("Addresses", "addresses"), ("NotReadyAddresses", "notReadyAddresses")):
            ips = ",".join(str(a.get("ip") or "") for a in subset.get(key) or [])
            w.write(1, f"{title}:\t{ips or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port')}\t"
                           f"{port.get('protocol') or ''}\n")
        w.write(0, "\n")
    if events is not None:
        describe_events(events, w)
    return w.text()


def _or_unset(value: Any) -> str:
    return "<unset>" if value is None else str(value)


def describe_endpoint_slice(session: Session, eps: dict[str, Any], show_events: bool) -> str:
    events = events_of(session, eps) if show_events else None
    w = PrefixWriter()
    _header(w, eps)
    w.write(0, f"AddressType:\t{eps.get('addressType') or ''}\n")
    ports = eps.get("ports") or []
    w.write(0, "Ports: <unset>\n" if not ports else "Ports:\n")
    if ports:
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in ports:
            number = port.get("port")
            w.write(1, f"{port.get('name') or '<unset>'}\t"
                       f"{'<unset>' if number is None else number}\t{port.get('protocol')}\n")
    endpoints = eps.get("endpoints") or []
    w.write(0, "Endpoints: <none>\n" if not endpoints else "Endpoints:\n")
    for endpoint in endpoints:
        w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
        w.write(2, "Conditions:\n")
        ready = (endpoint.get("conditions") or {}).get("ready")
        w.write(3, f"Ready:\t{'<unset>' if ready is None else str(bool(ready)).lower()}\n")
        w.write(2, f"Hostname:\t{_or_unset(endpoint.get('hostname'))}\n")
        if endpoint.get("targetRef"):
            ref = endpoint["targetRef"]
            w.write(2, f"TargetRef:\t{ref.get('kind')}/{ref.get('name')}\n")
        w.write(2, f"NodeName:\t{_or_unset(endpoint.get('nodeName'))}\n")
        w.write(2, f"Zone:\t{_or_unset(endpoint.get('zone'))}\n")
    if events is not None:
        describe_events(events, w)
    return w.text()
