"""Endpoints, EndpointSlices and Events: validation, defaults and table cells."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from apiserver.machinery.duration import format_time
from apiserver.resources import endpoints, endpointslices, events
from apiserver.resources.base import Obj
from apiserver.tables import row

NOW = datetime(2026, 11, 26, 6, 18, 5, tzinfo=timezone.utc)
EP, EPS, EV = endpoints.RESOURCE, endpointslices.RESOURCE, events.RESOURCE


def cells(rt: Any, obj: Obj) -> list[Any]:
    obj.setdefault("metadata", {"name": "x"})["creationTimestamp"] = format_time(NOW - timedelta(minutes=90))
    return list(row(rt, obj, NOW)["cells"])


def addresses(*ips: str) -> list[Obj]:
    return [{"ip": ip} for ip in ips]


def test_endpoints_cells() -> None:
    frontend = {"subsets": [{"addresses": addresses("10.244.0.13", "10.244.0.14", "10.244.0.15",
                                                    "10.244.0.16", "10.244.0.17"), "ports": [{"port": 80}]}]}
    assert cells(EP, frontend)[1] == "10.244.0.13:80,10.244.0.14:80,10.244.0.15:80 + 2 more..."
    two_ports = {"subsets": [{"addresses": addresses("a", "b"), "ports": [{"port": 80}, {"port": 443}]}]}
    assert cells(EP, two_ports)[1] == "a:80,b:80,a:443 + 1 more..."
    assert cells(EP, {"subsets": [{"addresses": addresses("fd00::1"), "ports": [{"port": 80}]}]})[1] == "[fd00::1]:80"
    assert cells(EP, {"subsets": [{"addresses": addresses("10.0.0.1")}]})[1] == "10.0.0.1"
    assert cells(EP, {})[1] == "<none>"
    assert cells(EP, {"subsets": [{"notReadyAddresses": addresses("10.0.0.1"), "ports": [{"port": 80}]}]})[1] == ""


def test_endpoints_validation() -> None:
    ep: Obj = {"metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "nope"}, {"ip": "127.0.0.1"}], "ports": [{"port": 80}, {"name": "b", "port": 0}]},
        {"ports": [{"port": 1}]}]}
    EP.default(ep)
    assert ep["subsets"][0]["ports"][0]["protocol"] == "TCP"
    assert [e.message() for e in EP.validate(ep)] == [
        'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, '
        "(e.g. 10.9.8.7 or 2001:db8::ffff)",
        "subsets[0].ports[0].name: Required value",
        "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`"]


def test_endpointslice() -> None:
    eps: Obj = {"metadata": {"name": "web-abc12"}, "addressType": "IPv4",
                "ports": [{"port": 80}, {"name": "metrics"}, {}, {"port": 9}],
                "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2", "10.0.0.3"]},
                              {"addresses": ["10.0.0.4"]}]}
    EPS.default(eps)
    assert eps["ports"][0] == {"port": 80, "name": "", "protocol": "TCP"}
    assert cells(EPS, eps) == ["web-abc12", "IPv4", "80,metrics, + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
                               "90m"]
    empty: Obj = {"metadata": {"name": "e"}, "addressType": "IPv4"}
    assert cells(EPS, empty)[2:4] == ["<unset>", "<unset>"]
    assert EPS.validate(eps) == []
    bad: Obj = {"addressType": "IPv4", "endpoints": [{"addresses": []}, {"addresses": ["fd00::1"]}]}
    assert [e.message() for e in EPS.validate(bad)] == [
        "endpoints[0].addresses: Required value: must contain at least 1 address",
        'endpoints[1].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']
    assert [e.message() for e in EPS.validate({"addressType": "IPX"})] == [
        'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']


def event(**fields: Any) -> Obj:
    base: Obj = {"metadata": {"name": "frontend-bnvxh.17a9", "namespace": "default"},
                 "involvedObject": {"kind": "Pod", "name": "frontend-bnvxh", "namespace": "default",
                                    "fieldPath": "spec.containers{php-redis}"},
                 "reason": "Pulled", "message": " pulled \n", "type": "Normal",
                 "source": {"component": "kubelet", "host": "node-1"}}
    base.update(fields)
    return base


def test_event_cells() -> None:
    ev = event(firstTimestamp=format_time(NOW - timedelta(minutes=125)),
               lastTimestamp=format_time(NOW - timedelta(minutes=5)), count=3)
    assert cells(EV, ev) == ["5m", "Normal", "Pulled", "pod/frontend-bnvxh", "spec.containers{php-redis}",
                             "kubelet, node-1", "pulled", "125m", 3, "frontend-bnvxh.17a9"]
    fresh = event(source={}, reportingComponent="default-scheduler", eventTime="2026-11-26T06:17:05.000000Z",
                  involvedObject={"kind": "Node"})
    assert cells(EV, fresh)[:8] == ["60s", "Normal", "Pulled", "node", "", "default-scheduler", "pulled", "60s"]
    assert cells(EV, fresh)[8] == 1
    series = event(eventTime=format_time(NOW), series={"count": 7, "lastObservedTime": format_time(NOW)})
    assert cells(EV, series)[0] == "0s" and cells(EV, series)[8] == 7


def test_event_defaults_and_validation() -> None:
    ev = event(eventTime="2026-11-26T05:19:27Z", firstTimestamp="2026-11-26T05:19:27.5+00:00",
               series={"count": 2, "lastObservedTime": "2026-11-26T05:19:28.000001234Z"})
    EV.default(ev)
    assert ev["eventTime"] == "2026-11-26T05:19:27.000000Z"
    assert ev["firstTimestamp"] == "2026-11-26T05:19:27Z"
    assert ev["series"]["lastObservedTime"] == "2026-11-26T05:19:28.000001Z"
    assert [e.message() for e in EV.validate(ev)] == [
        "reportingController: Required value",
        'reportingController: Invalid value: "": name part must be non-empty',
        'reportingController: Invalid value: "": name part must consist of alphanumeric characters, \'-\', \'_\' '
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        "reportingInstance: Required value", "action: Required value"]
    legacy = event()
    assert EV.validate(legacy) == []
    legacy["involvedObject"]["namespace"] = "other"
    assert [e.message() for e in EV.validate(legacy)] == [
        'involvedObject.namespace: Invalid value: "other": does not match event.namespace']
    fields = EV.fields(legacy)
    assert (fields["involvedObject.kind"], fields["source"], fields["reason"]) == ("Pod", "kubelet", "Pulled")
