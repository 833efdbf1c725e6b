"""`logs` and `exec` against a real server, byte for byte with kubectl. minik's pods are
simulated, so the server refuses both with a message that says so; before that, both tools pick
the same pod and container and fail the same way on bad arguments."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from kubectl_parity import assert_same_many, drop_namespace, make_namespace
from support import wait_for


def _create(server: Any, namespace: str, plural: str, body: dict[str, Any]) -> None:
    status, answer = server.request("POST", f"/api/v1/namespaces/{namespace}/{plural}", body)
    assert status == 201, answer


def _rc(name: str, replicas: int, containers: int = 1) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "selector": {"app": name},
        "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
            {"name": f"c{i}", "image": "nginx"} for i in range(containers)]}}}}


@pytest.fixture(scope="module")
def cluster(server: Any) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-logs")
    _create(server, namespace, "pods", {"metadata": {"name": "multi"}, "spec": {
        "initContainers": [{"name": "setup", "image": "busybox"}],
        "containers": [{"name": "web", "image": "nginx"}, {"name": "side", "image": "busybox"}]}})
    _create(server, namespace, "pods", {
        "metadata": {"name": "annotated", "annotations": {
            "kubectl.kubernetes.io/default-container": "side"}},
        "spec": {"containers": [{"name": "web", "image": "nginx"},
                                {"name": "side", "image": "busybox"}]}})
    _create(server, namespace, "replicationcontrollers", _rc("front", 3))
    _create(server, namespace, "replicationcontrollers", _rc("duo", 1, containers=2))
    _create(server, namespace, "replicationcontrollers", _rc("empty", 0))
    _create(server, namespace, "services", {"metadata": {"name": "front"}, "spec": {
        "selector": {"app": "front"}, "ports": [{"port": 80}]}})
    _create(server, namespace, "configmaps", {"metadata": {"name": "cm"}, "data": {"a": "b"}})
    wait_for(lambda: sum(p.get("status", {}).get("phase") == "Running" for p in server.request(
        "GET", f"/api/v1/namespaces/{namespace}/pods")[1]["items"]) == 6, timeout=60,
        message="six pods running")
    yield dict(server.env), namespace
    drop_namespace(server, namespace)


LOGS = [
    ["multi"], ["multi", "-c", "side"], ["multi", "-c", "nope"], ["multi", "side"],
    ["multi", "side", "-c", "web"], ["annotated"], ["rc/front"], ["svc/front"], ["rc/duo"],
    ["rc/empty", "--pod-running-timeout=1s"], ["nope"], ["svc/nope"], ["cm/cm"],
    ["-l", "app=front"], ["-l", "app=none"], ["-l", "app=front", "--prefix"],
    ["-l", "app=front", "--ignore-errors"], ["-l", "app=front", "-f", "--max-log-requests=2"],
    ["multi", "--all-containers"], ["multi", "--all-containers", "--ignore-errors", "--prefix"],
    ["multi", "-p", "--since=1h", "--timestamps", "--tail=3", "--limit-bytes=10", "-c", "web"],
    ["multi", "--since=1h", "--since-time=2024-01-01T00:00:00Z"], [], ["a", "b", "c"],
    ["multi", "-l", "app=front"], ["nodes/none"],
]


def test_logs_match_kubectl(cluster: tuple[dict[str, str], str]) -> None:
    """Pod and container choice, selectors, flags and errors, as kubectl does them."""
    env, namespace = cluster
    assert_same_many(env, [["logs", "-n", namespace, *args] for args in LOGS])


EXECS = [
    ["nope"], [], ["multi", "-c", "nope", "--", "ls"], ["svc/nope", "--", "ls"],
    ["cm/cm", "--", "ls"], ["multi", "ls"], ["nope", "--", "ls"],
    ["rc/empty", "--pod-running-timeout=1s", "--", "ls"], ["multi", "--", "ls", "-l"],
    ["multi", "-c", "side", "-it", "--", "sh"], ["annotated", "-i", "--", "cat"],
    ["rc/front", "--", "date"], ["rc/duo", "-q", "--", "date"],
]


def test_exec_matches_kubectl(cluster: tuple[dict[str, str], str]) -> None:
    """The server refuses every exec on simulated nodes; both print its reason, after the same checks."""
    env, namespace = cluster
    assert_same_many(env, [["exec", "-n", namespace, *args] for args in EXECS])