"""Pods: defaults and admission defaults, QoS, validation messages, the update rules, the
table cells (kubectl-printing.md §2.1 and the guestbook of §5), deletion grace, binding."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from apiserver import errors
from apiserver.machinery.duration import format_time
from apiserver.resources import pods
from apiserver.resources.base import Obj
from apiserver.tables import row

RT = pods.RESOURCE
NOW = datetime(2026, 11, 26, 6, 18, 5, tzinfo=timezone.utc)


def created(spec: Obj, name: str = "p") -> Obj:
    """The hooks in the registry's create order: default, prepare, then validation must pass."""
    pod: Obj = {"metadata": {"name": name, "namespace": "default"}, "spec": copy.deepcopy(spec)}
    RT.default(pod)
    RT.prepare_for_create(pod)
    assert RT.validate(pod) == []
    return pod


def running(name: str, *, restarts: int = 0, ago: int = 0, ready: bool = True) -> Obj:
    status: Obj = {"name": name, "ready": ready, "restartCount": restarts, "state": {"running": {}}}
    if ago:
        status["lastState"] = {"terminated": {"exitCode": 2, "finishedAt": format_time(NOW - timedelta(seconds=ago))}}
    return status


def cells(pod: Obj) -> list[Any]:
    pod.setdefault("metadata", {}).setdefault("name", "p")
    pod["metadata"].setdefault("creationTimestamp", format_time(NOW - timedelta(minutes=90)))
    return list(row(RT, pod, NOW)["cells"])


def invalid_message(errs: list[errors.FieldError], name: str = "p") -> str:
    return errors.invalid("Pod", "", name, errs).message


def test_defaults_and_admission_defaults() -> None:
    pod = created({"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]})
    assert pod["spec"] == {
        "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "imagePullPolicy": "Always", "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File", "resources": {}}],
        "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "securityContext": {},
        "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler", "enableServiceLinks": True,
        "serviceAccountName": "default", "serviceAccount": "default", "priority": 0,
        "preemptionPolicy": "PreemptLowerPriority",
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
        ],
    }
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


@pytest.mark.parametrize("image, policy", [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
    ("localhost:5000/app", "Always"), ("localhost:5000/app:v1", "IfNotPresent"),
    ("app@sha256:" + "a" * 64, "IfNotPresent"), ("Nginx", "IfNotPresent"),
])
def test_image_pull_policy(image: str, policy: str) -> None:
    pod = created({"containers": [{"name": "c", "image": image}]})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_existing_toleration_is_not_duplicated() -> None:
    mine = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 5}
    pod = created({"containers": [{"name": "c", "image": "x"}], "tolerations": [mine]})
    assert [t["key"] for t in pod["spec"]["tolerations"]] == ["node.kubernetes.io/unreachable",
                                                             "node.kubernetes.io/not-ready"]


@pytest.mark.parametrize("resources, qos", [
    ({}, "BestEffort"),
    ({"requests": {"cpu": "100m", "memory": "100Mi"}}, "Burstable"),
    ({"limits": {"cpu": "100m", "memory": "100Mi"}}, "Guaranteed"),  # requests default to limits
    ({"limits": {"cpu": "100m", "memory": "100Mi"}, "requests": {"cpu": "0.1"}}, "Guaranteed"),
    ({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}, "Burstable"),
    ({"limits": {"cpu": "1"}}, "Burstable"),
])
def test_qos_class(resources: Obj, qos: str) -> None:
    pod = created({"containers": [{"name": "c", "image": "x", "resources": resources}]})
    assert pod["status"]["qosClass"] == qos


def test_validation_messages() -> None:
    empty: Obj = {"metadata": {"name": "p", "namespace": "default"}, "spec": {}}
    RT.default(empty)
    assert invalid_message(RT.validate(empty)) == 'Pod "p" is invalid: spec.containers: Required value'
    pod: Obj = {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c"}, {"name": "c", "image": "x", "ports": [{"containerPort": 70000}]},
        {"name": "Bad_Name", "image": "x"}], "restartPolicy": "Sometimes"}}
    RT.default(pod)
    assert invalid_message(RT.validate(pod)) == (
        'Pod "p" is invalid: [spec.containers[0].image: Required value, '
        "spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, "
        'spec.containers[1].name: Duplicate value: "c", '
        'spec.containers[2].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case '
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
        "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), "
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]')


def test_more_validation() -> None:
    pod: Obj = {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "image": " x", "imagePullPolicy": "Sometimes",
         "ports": [{"containerPort": 80, "protocol": "HTTP"}],
         "volumeMounts": [{"name": "data", "mountPath": "/d"}],
         "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}}]}}
    RT.default(pod)
    assert [e.message() for e in RT.validate(pod)] == [
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"IfNotPresent", "Never"',
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
        'spec.containers[0].image: Invalid value: " x": must not have leading or trailing whitespace']


def test_update_rules() -> None:
    old = created({"containers": [{"name": "c", "image": "redis:7"}]})
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "redis:8"
    new["spec"]["activeDeadlineSeconds"] = 60
    new["spec"]["tolerations"].append({"key": "k", "operator": "Exists"})
    assert RT.validate_update(new, old) == []
    changed = copy.deepcopy(old)
    changed["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "protocol": "TCP"}]
    [err] = RT.validate_update(changed, old)
    assert err.message().startswith(
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
        "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n")
    assert "spec.containers[0].ports" in err.message()
    more = copy.deepcopy(old)
    more["spec"]["containers"].append({"name": "d", "image": "x"})
    assert [e.message() for e in RT.validate_update(more, old)] == [
        "spec.containers: Forbidden: pod updates may not add or remove containers"]
    fewer = copy.deepcopy(old)
    fewer["spec"]["tolerations"] = fewer["spec"]["tolerations"][:1]
    assert [e.message() for e in RT.validate_update(fewer, old)] == [
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]


def test_guestbook_rows() -> None:
    pod = created({"containers": [{"name": "php-redis", "image": "gcr.io/google_samples/gb-frontend:v4"}]},
                  "frontend-bnvxh")
    pod["spec"]["nodeName"] = "node-1"
    pod["status"].update(phase="Running", podIPs=[{"ip": "10.244.0.14"}],
                         containerStatuses=[running("php-redis", restarts=2, ago=5 * 60 + 9)])
    assert cells(pod) == ["frontend-bnvxh", "1/1", "Running", "2 (5m9s ago)", "90m",
                          "10.244.0.14", "node-1", "<none>", "<none>"]
    pending = created({"containers": [{"name": "c", "image": "x"}]})
    assert cells(pending)[1:5] == ["0/1", "Pending", "0", "90m"]
    assert cells(pending)[5:] == ["<none>", "<none>", "<none>", "<none>"]


def _with(containers: list[Obj], **status: Any) -> Obj:
    return {"spec": {"containers": [{"name": c["name"]} for c in containers]},
            "status": {"phase": "Running", "containerStatuses": containers, **status}}


def _waiting(name: str, reason: str) -> Obj:
    return {"name": name, "ready": False, "restartCount": 0, "state": {"waiting": {"reason": reason}}}


def _terminated(name: str, **term: Any) -> Obj:
    return {"name": name, "ready": False, "restartCount": 0, "state": {"terminated": term}}


@pytest.mark.parametrize("pod, ready, status", [
    (_with([_waiting("c", "ContainerCreating")], phase="Pending"), "0/1", "ContainerCreating"),
    (_with([running("c", ready=False)]), "0/1", "Running"),
    (_with([_waiting("c", "CrashLoopBackOff")]), "0/1", "CrashLoopBackOff"),
    (_with([_terminated("c", exitCode=0, reason="Completed")], phase="Succeeded"), "0/1", "Completed"),
    (_with([_terminated("c", exitCode=1, reason="Error")], phase="Failed"), "0/1", "Error"),
    (_with([_terminated("c", exitCode=0, signal=9)]), "0/1", "Signal:9"),
    (_with([_terminated("c", exitCode=2)]), "0/1", "ExitCode:2"),
    # the first container in the list decides, because the walk goes from last to first
    (_with([_waiting("a", "ErrImagePull"), _waiting("b", "ImagePullBackOff")]), "0/2", "ErrImagePull"),
    (_with([_terminated("a", exitCode=0, reason="Completed"), running("b")],
           conditions=[{"type": "Ready", "status": "True"}]), "1/2", "Running"),
    (_with([_terminated("a", exitCode=0, reason="Completed"), running("b")]), "1/2", "NotReady"),
    ({"status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "reason": "SchedulingGated"}]}},
     "0/0", "SchedulingGated"),
    ({"status": {"phase": "Failed", "reason": "Evicted"}}, "0/0", "Evicted"),
])
def test_status_algorithm(pod: Obj, ready: str, status: str) -> None:
    assert cells(pod)[1:3] == [ready, status]


def _init_pod(*statuses: Obj, sidecar: bool = False) -> Obj:
    init = [{"name": "i0"}, {"name": "i1"}]
    if sidecar:
        init[0]["restartPolicy"] = "Always"
    return {"spec": {"initContainers": init, "containers": [{"name": "c"}]},
            "status": {"phase": "Pending", "initContainerStatuses": list(statuses),
                       "containerStatuses": [_waiting("c", "PodInitializing")]}}


@pytest.mark.parametrize("pod, ready, status", [
    (_init_pod(running("i0", ready=False), _waiting("i1", "PodInitializing")), "0/1", "Init:0/2"),
    (_init_pod(_terminated("i0", exitCode=0), _waiting("i1", "CrashLoopBackOff")), "0/1", "Init:CrashLoopBackOff"),
    (_init_pod(_terminated("i0", exitCode=3)), "0/1", "Init:ExitCode:3"),
    (_init_pod(_terminated("i0", exitCode=1, signal=15)), "0/1", "Init:Signal:15"),
    (_init_pod(_terminated("i0", exitCode=1, reason="OOMKilled")), "0/1", "Init:OOMKilled"),
    (_init_pod(dict(running("i0"), started=True), _terminated("i1", exitCode=0), sidecar=True), "1/2",
     "PodInitializing"),
])
def test_init_containers(pod: Obj, ready: str, status: str) -> None:
    assert cells(pod)[1:3] == [ready, status]


def test_terminating_and_unknown() -> None:
    pod = _with([running("c")], )
    pod["metadata"] = {"deletionTimestamp": format_time(NOW)}
    assert cells(pod)[2] == "Terminating"
    pod["status"]["reason"] = "NodeLost"
    assert cells(pod)[2] == "Unknown"
    done = _with([_terminated("c", exitCode=0, reason="Completed")], phase="Succeeded")
    done["metadata"] = {"deletionTimestamp": format_time(NOW)}
    assert cells(done)[2] == "Completed"


def test_readiness_gates_cell() -> None:
    pod = _with([running("c")], conditions=[{"type": "a", "status": "True"}, {"type": "b", "status": "False"}])
    pod["spec"]["readinessGates"] = [{"conditionType": "a"}, {"conditionType": "b"}]
    assert cells(pod)[8] == "1/2"


def test_fields() -> None:
    pod = created({"containers": [{"name": "c", "image": "x"}]})
    fields = RT.fields(pod)
    assert fields["spec.nodeName"] == "" and fields["status.phase"] == "Pending"
    assert fields["spec.hostNetwork"] == "false" and fields["spec.restartPolicy"] == "Always"
    assert fields["metadata.name"] == "p" and fields["metadata.namespace"] == "default"
    assert RT.fields({"metadata": {"name": "", "namespace": ""}})["status.podIP"] == ""


def test_grace_period() -> None:
    assert RT.grace_period is not None
    pod = created({"containers": [{"name": "c", "image": "x"}]})
    assert RT.grace_period(pod, None) == 0  # never scheduled: goes at once
    pod["spec"]["nodeName"] = "n0"
    assert RT.grace_period(pod, None) == 30
    assert RT.grace_period(pod, 5) == 5
    assert RT.grace_period(pod, -3) == 1
    pod["status"]["phase"] = "Succeeded"
    assert RT.grace_period(pod, 5) == 0


def test_bind() -> None:
    assert RT.bind is not None
    pod = created({"containers": [{"name": "c", "image": "x"}]})
    RT.bind(pod, {"kind": "Binding", "metadata": {"name": "p", "annotations": {"a": "b"}},
                  "target": {"kind": "Node", "name": "n0"}})
    assert pod["spec"]["nodeName"] == "n0"
    assert pod["metadata"]["annotations"] == {"a": "b"}
    [scheduled] = pod["status"]["conditions"]
    assert scheduled["type"] == "PodScheduled" and scheduled["status"] == "True"
    with pytest.raises(errors.StatusError) as again:
        RT.bind(pod, {"metadata": {"name": "p"}, "target": {"kind": "Node", "name": "n1"}})
    assert again.value.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n0"',
        "reason": "Conflict", "details": {"name": "p", "kind": "pods/binding"}, "code": 409}
    with pytest.raises(errors.StatusError) as bad:
        RT.bind(created({"containers": [{"name": "c", "image": "x"}]}), {"target": {"kind": "Pod"}})
    assert (bad.value.code, bad.value.message) == (
        500, '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", '
             "target.name: Required value]")


def test_unknown_priority_class_is_forbidden() -> None:
    pod: Obj = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}],
                                                   "priorityClassName": "gold"}}
    with pytest.raises(errors.StatusError) as err:
        RT.prepare_for_create(pod)
    assert err.value.message == 'pods "p" is forbidden: no PriorityClass with name gold was found'


def test_container_names_and_host_ports() -> None:
    pod: Obj = {"metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80, "hostPort": 8080}]},
                       {"name": "b", "image": "x", "ports": [{"containerPort": 81, "hostPort": 8080}]}],
        "initContainers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}}
    RT.default(pod)
    assert [e.message() for e in RT.validate(pod)] == [
        'spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"',
        'spec.initContainers[0].name: Duplicate value: "a"']
