"""Namespaces and Nodes: lifecycle hooks, validation, tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from apiserver import errors
from apiserver.machinery.duration import format_time
from apiserver.resources import namespaces, nodes
from apiserver.resources.base import Obj
from apiserver.tables import row

NOW = datetime(2026, 11, 26, 6, 0, 0, tzinfo=timezone.utc)
NS, NODE = namespaces.RESOURCE, nodes.RESOURCE


def cells(rt: Any, obj: Obj) -> list[Any]:
    obj["metadata"]["creationTimestamp"] = format_time(NOW - timedelta(days=30))
    return list(row(rt, obj, NOW)["cells"])


def test_namespace_lifecycle() -> None:
    ns: Obj = {"metadata": {"name": "web", "labels": {"team": "a"}}, "spec": {"finalizers": ["example.com/x"]}}
    NS.default(ns)
    NS.prepare_for_create(ns)
    assert ns["metadata"]["labels"] == {"team": "a", "kubernetes.io/metadata.name": "web"}
    assert ns["spec"]["finalizers"] == ["example.com/x", "kubernetes"]
    assert ns["status"] == {"phase": "Active"}
    assert NS.validate(ns) == []
    assert NS.deletion_blocked is not None and NS.deletion_blocked(ns)
    assert NS.prepare_for_delete is not None
    NS.prepare_for_delete(ns)
    assert cells(NS, ns) == ["web", "Terminating", "30d"]
    assert NS.fields(ns)["status.phase"] == "Terminating"
    ns["spec"]["finalizers"] = []
    assert not NS.deletion_blocked(ns)


def test_namespace_rules() -> None:
    assert NS.validate_delete is not None
    with pytest.raises(errors.StatusError) as err:
        NS.validate_delete({"metadata": {"name": "kube-system"}})
    assert (err.value.code, err.value.message) == (403, 'namespaces "kube-system" is forbidden: this namespace may '
                                                        "not be deleted")
    NS.validate_delete({"metadata": {"name": "web"}})
    bad = {"metadata": {"name": "x"}, "spec": {"finalizers": ["custom"]}}
    assert [e.message() for e in NS.validate(bad)] == [
        'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']


def node(**status: Any) -> Obj:
    labels = {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker",
              "node-role.kubernetes.io/": "x"}
    return {"metadata": {"name": "node-1", "labels": labels},
            "spec": {}, "status": status}


def test_node_table() -> None:
    ready = node(conditions=[{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                 addresses=[{"type": "InternalIP", "address": "192.168.49.2"}, {"type": "Hostname", "address": "n"}],
                 nodeInfo={"kubeletVersion": "v1.37.0", "osImage": "minik", "kernelVersion": "",
                           "containerRuntimeVersion": "minik://1"})
    assert cells(NODE, ready) == ["node-1", "Ready", "control-plane,worker", "30d", "v1.37.0", "192.168.49.2",
                                  "<none>", "minik", "<unknown>", "minik://1"]
    ready["spec"]["unschedulable"] = True
    assert cells(NODE, ready)[1] == "Ready,SchedulingDisabled"
    assert NODE.fields(ready)["spec.unschedulable"] == "true"
    assert cells(NODE, node(conditions=[{"type": "Ready", "status": "Unknown"}]))[1] == "NotReady"
    assert cells(NODE, node())[1:5] == ["Unknown", "control-plane,worker", "30d", ""]


def test_node_defaults_and_validation() -> None:
    obj = node(capacity={"cpu": "4", "pods": "110"})
    NODE.default(obj)
    assert obj["status"]["allocatable"] == {"cpu": "4", "pods": "110"}
    obj["spec"]["taints"] = [{"key": "a", "effect": "Sometimes"}, {"key": "-b", "effect": ""}]
    obj["spec"]["podCIDRs"] = ["10.244.0.0/24", "nope"]
    assert [e.message() for e in NODE.validate(obj)][0] == (
        'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"')
    assert [e.field for e in NODE.validate(obj)] == ["spec.taints[0].effect", "spec.taints[1].key",
                                                     "spec.taints[1].effect", "spec.podCIDRs[1]"]
