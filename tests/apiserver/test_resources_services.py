"""Services: defaults, validation, the table cells, and ClusterIP/NodePort allocation through
the admission hook. The hook's input is a small in-memory admission context written here:
a dict of "stored" Services plus the per-server state the registry keeps."""

from __future__ import annotations

import asyncio
import copy
import ipaddress
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from apiserver import errors
from apiserver.config import ServerConfig
from apiserver.machinery import objectmeta
from apiserver.machinery.duration import format_time
from apiserver.resources import services
from apiserver.resources.base import Obj
from apiserver.tables import row

RT = services.RESOURCE
NOW = datetime(2026, 11, 26, 6, 18, 5, tzinfo=timezone.utc)


class Context:
    """An AdmissionContext over in-memory objects: what the registry hands the hooks."""

    def __init__(self, config: ServerConfig, stored: dict[str, Obj] | None = None) -> None:
        self.config = config
        self.stored: dict[str, Obj] = stored if stored is not None else {}
        self._state: dict[str, Any] = {}

    def state(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._state:
            self._state[key] = factory()
        return self._state[key]

    async def list_objects(self, plural: str, group: str = "", namespace: str | None = None) -> list[Obj]:
        assert plural == "services"
        return [copy.deepcopy(o) for o in self.stored.values()]

    async def create(self, svc: Obj) -> Obj:
        """The registry's order: default, admit, prepare, validate, then the name check."""
        obj = copy.deepcopy(svc)
        obj.setdefault("metadata", {}).setdefault("namespace", "default")
        RT.default(obj)
        await RT.admit(obj, None, self)
        try:
            RT.prepare_for_create(obj)
            errs = objectmeta.validate_object_meta(obj, RT, True) + RT.validate(obj)
            if errs:
                raise errors.invalid("Service", "", obj["metadata"]["name"], errs)
            if obj["metadata"]["name"] in self.stored:
                raise errors.already_exists("services", "", obj["metadata"]["name"])
        except errors.StatusError:
            await RT.release(obj, self)
            raise
        self.stored[obj["metadata"]["name"]] = obj
        return obj

    async def update(self, new: Obj) -> Obj:
        old = self.stored[new["metadata"]["name"]]
        new = copy.deepcopy(new)
        RT.default(new)
        await RT.admit(new, old, self)
        RT.prepare_for_update(new, old)
        errs = RT.validate(new) + RT.validate_update(new, old)
        if errs:
            await RT.release(new, self)
            raise errors.invalid("Service", "", new["metadata"]["name"], errs)
        self.stored[new["metadata"]["name"]] = new
        await RT.release(old, self)
        return new

    async def delete(self, name: str) -> None:
        await RT.release(self.stored.pop(name), self)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def svc(name: str, **spec: Any) -> Obj:
    spec.setdefault("ports", [{"port": 80}])
    return {"metadata": {"name": name}, "spec": spec}


def ctx(cidr: str = "10.96.0.0/12", ports: tuple[int, int] = (30000, 32767)) -> Context:
    return Context(ServerConfig(service_cluster_ip_range=cidr, service_node_port_range=ports))


def status_of(coro: Any) -> errors.StatusError:
    with pytest.raises(errors.StatusError) as err:
        run(coro)
    return err.value


def test_defaults_and_allocation() -> None:
    c = ctx()
    made = run(c.create(svc("frontend", type="NodePort", selector={"app": "guestbook"})))
    spec = made["spec"]
    ip = spec["clusterIP"]
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") and spec["clusterIPs"] == [ip]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec == {
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": spec["ports"][0]["nodePort"]}],
        "type": "NodePort", "selector": {"app": "guestbook"}, "sessionAffinity": "None",
        "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster", "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"], "clusterIP": ip, "clusterIPs": [ip]}
    assert made["status"] == {"loadBalancer": {}}


def test_dynamic_ips_avoid_network_broadcast_and_static_band() -> None:
    c = ctx("10.0.0.0/24")
    ips = {run(c.create(svc(f"s{i}")))["spec"]["clusterIP"] for i in range(40)}
    assert len(ips) == 40
    assert all(16 < int(ipaddress.ip_address(ip)) - int(ipaddress.ip_address("10.0.0.0")) < 255 for ip in ips)


def test_pinned_cluster_ip_errors() -> None:
    c = ctx("10.96.0.0/28")
    assert run(c.create(svc("kubernetes", clusterIP="10.96.0.1")))["spec"]["clusterIPs"] == ["10.96.0.1"]
    err = status_of(c.create(svc("web", clusterIP="1.1.1.1")))
    assert (err.code, err.message) == (422, 'Service "web" is invalid: spec.clusterIPs: Invalid value: ["1.1.1.1"]: '
                                            "failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the "
                                            "valid range. The range of valid IPs is 10.96.0.0/28")
    taken = status_of(c.create(svc("web", clusterIP="10.96.0.1")))
    assert taken.message == ('Service "web" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: '
                             "failed to allocate IP 10.96.0.1: provided IP is already allocated")
    broadcast = status_of(c.create(svc("web", clusterIP="10.96.0.15")))
    assert "the provided IP (10.96.0.15) is not in the valid range" in broadcast.message
    garbage = status_of(c.create(svc("web", clusterIP="not-an-ip")))
    assert garbage.message == ('Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "not-an-ip": '
                               "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")


def test_cluster_ip_exhaustion() -> None:
    c = ctx("10.96.0.0/29")  # six usable addresses
    for i in range(6):
        run(c.create(svc(f"s{i}")))
    err = status_of(c.create(svc("s6")))
    assert (err.code, err.message) == (500, "Internal error occurred: failed to allocate a serviceIP: range is full")
    run(c.delete("s0"))
    assert run(c.create(svc("s6")))["spec"]["clusterIP"]


def test_headless_services() -> None:
    c = ctx()
    selected = run(c.create(svc("db", clusterIP="None", selector={"app": "db"})))["spec"]
    assert (selected["clusterIPs"], selected["ipFamilyPolicy"], selected["ipFamilies"]) == (
        ["None"], "SingleStack", ["IPv4"])
    bare = run(c.create(svc("bare", clusterIP="None", ports=[])))["spec"]
    assert (bare["ipFamilyPolicy"], bare["ipFamilies"]) == ("RequireDualStack", ["IPv4", "IPv6"])


def test_node_port_errors_and_reuse() -> None:
    c = ctx()
    out = status_of(c.create(svc("web", type="NodePort", ports=[{"port": 80, "nodePort": 8080}])))
    assert (out.code, out.message) == (422, 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 8080: '
                                            "provided port is not in the valid range. The range of valid ports is "
                                            "30000-32767")
    assert out.details is not None and out.details["kind"] == "Service"
    pinned = svc("web", type="NodePort", ports=[{"port": 80, "nodePort": 30080}])
    run(c.create(pinned))
    again = status_of(c.create(pinned))  # allocation runs before the name check: 422, not 409
    assert (again.code, again.message) == (422, 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: '
                                                "30080: provided port is already allocated")
    unpinned = status_of(c.create(svc("web", type="NodePort")))
    assert unpinned.code == 409
    run(c.delete("web"))
    assert run(c.create(pinned))["spec"]["ports"][0]["nodePort"] == 30080


def test_failed_create_gives_allocations_back() -> None:
    c = ctx()
    bad = svc("Bad_Name", type="NodePort", clusterIP="10.96.0.50", ports=[{"port": 80, "nodePort": 30500}])
    assert status_of(c.create(bad)).code == 422
    made = run(c.create(svc("good", type="NodePort", clusterIP="10.96.0.50", ports=[{"port": 80, "nodePort": 30500}])))
    assert made["spec"]["clusterIP"] == "10.96.0.50"


def test_node_port_exhaustion_and_shared_numbers() -> None:
    c = ctx(ports=(30000, 30003))
    dns = run(c.create(svc("dns", type="NodePort", ports=[{"name": "dns", "port": 53, "protocol": "UDP"},
                                                          {"name": "dns-tcp", "port": 53, "protocol": "TCP"}])))
    assert dns["spec"]["ports"][0]["nodePort"] == dns["spec"]["ports"][1]["nodePort"]
    run(c.create(svc("a", type="NodePort", ports=[{"name": "x", "port": 1}, {"name": "y", "port": 2}])))
    run(c.create(svc("b", type="NodePort")))
    err = status_of(c.create(svc("c", type="NodePort")))
    assert (err.code, err.message) == (500, "Internal error occurred: failed to allocate a nodePort: range is full")


def test_allocator_is_rebuilt_from_stored_services() -> None:
    first = ctx()
    run(first.create(svc("web", type="NodePort", clusterIP="10.96.0.9", ports=[{"port": 80, "nodePort": 30009}])))
    restarted = Context(first.config, first.stored)  # same objects, fresh server state
    err = status_of(restarted.create(svc("other", type="NodePort", ports=[{"port": 80, "nodePort": 30009}])))
    assert err.message.endswith("provided port is already allocated")
    err = status_of(restarted.create(svc("other", clusterIP="10.96.0.9")))
    assert err.message.endswith("provided IP is already allocated")


def test_updates_keep_and_release_allocations() -> None:
    c = ctx()
    made = run(c.create(svc("web", type="NodePort", ports=[{"name": "http", "port": 80}])))
    port, ip = made["spec"]["ports"][0]["nodePort"], made["spec"]["clusterIP"]
    replaced = run(c.update(svc("web", type="NodePort", ports=[{"name": "http", "port": 80}])))
    assert (replaced["spec"]["ports"][0]["nodePort"], replaced["spec"]["clusterIP"]) == (port, ip)
    as_cluster_ip = copy.deepcopy(replaced)
    as_cluster_ip["spec"]["type"] = "ClusterIP"
    stored = run(c.update(as_cluster_ip))
    assert "nodePort" not in stored["spec"]["ports"][0] and "externalTrafficPolicy" not in stored["spec"]
    taken = run(c.create(svc("other", type="NodePort", ports=[{"port": 80, "nodePort": port}])))
    assert taken["spec"]["ports"][0]["nodePort"] == port  # released after the update
    moved = copy.deepcopy(stored)
    moved["spec"]["clusterIP"] = moved["spec"]["clusterIPs"][0] = "10.96.0.77"
    err = status_of(c.update(moved))
    assert err.message == ('Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.77"]: '
                           "may not change once set")


def messages(spec: Obj) -> list[str]:
    obj = {"metadata": {"name": "web", "namespace": "default"}, "spec": spec}
    RT.default(obj)
    return [e.message() for e in RT.validate(obj)]


def test_validation_messages() -> None:
    assert messages({"ports": [{"port": 80}, {"port": 81}]}) == [
        "spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]
    assert messages({"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]}) == [
        'spec.ports[1].name: Duplicate value: "http"']
    assert messages({"ports": [{"port": 80, "nodePort": 30001}]}) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
    assert messages({"ports": []}) == ["spec.ports: Required value"]
    assert messages({"type": "Magic", "ports": [{"port": 0, "protocol": "HTTP"}]}) == [
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
        '"NodePort"']
    assert messages({"type": "ExternalName", "ports": []}) == ["spec.externalName: Required value"]
    name_errors = objectmeta.validate_object_meta({"metadata": {"name": "1web", "namespace": "default"}}, RT, True)
    assert [e.message() for e in name_errors] == [
        'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters '
        "or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]


def cells(obj: Obj) -> list[Any]:
    obj["metadata"].setdefault("creationTimestamp", format_time(NOW - timedelta(minutes=90)))
    return list(row(RT, obj, NOW)["cells"])


def test_table_cells() -> None:
    c = ctx()
    frontend = run(c.create(svc("frontend", type="NodePort", selector={"tier": "frontend", "app": "guestbook"},
                                clusterIP="10.96.200.17", ports=[{"port": 80, "nodePort": 30001}])))
    assert cells(frontend) == ["frontend", "NodePort", "10.96.200.17", "<none>", "80:30001/TCP", "90m",
                               "app=guestbook,tier=frontend"]
    kube = run(c.create(svc("kubernetes", clusterIP="10.96.0.1", ports=[{"name": "https", "port": 443,
                                                                           "targetPort": 6443}])))
    assert cells(kube)[1:] == ["ClusterIP", "10.96.0.1", "<none>", "443/TCP", "90m", "<none>"]
    multi = run(c.create(svc("lb", type="LoadBalancer", ports=[{"name": "a", "port": 80, "nodePort": 31080},
                                                               {"name": "b", "port": 443, "nodePort": 31443}])))
    assert cells(multi)[3:5] == ["<pending>", "80:31080/TCP,443:31443/TCP"]
    multi["status"] = {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "a.example"}, {"ip": "5.6.7.8"}]}}
    multi["spec"]["externalIPs"] = ["1.2.3.4"]
    assert cells(multi)[3] == "5.6.7.8,a.example,1.2.3.4"
    external = run(c.create(svc("ext", type="ExternalName", externalName="db.example.com", ports=[])))
    assert cells(external)[1:5] == ["ExternalName", "<none>", "db.example.com", "<none>"]


def test_fields() -> None:
    obj = {"metadata": {"name": "a", "namespace": "n"}, "spec": {"clusterIP": "10.0.0.1", "type": "ClusterIP"}}
    assert RT.fields(obj) == {
        "metadata.name": "a", "metadata.namespace": "n", "spec.clusterIP": "10.0.0.1", "spec.type": "ClusterIP"}
