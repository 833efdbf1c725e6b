"""`get` against a real server: minikctl's output equals the real kubectl's, byte for byte.

One guestbook per module (created with minikctl itself), settled before the comparisons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from kubectl_parity import (assert_same, drop_namespace, guestbook_copy, make_namespace, minikctl,
                            wait_settled)


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return guestbook_copy(tmp_path_factory.mktemp("guestbook"))


@pytest.fixture(scope="module")
def gb(server: Any, manifests: Path) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-gb")
    env = dict(server.env)
    created = minikctl(env, "create", "-f", str(manifests), "-n", namespace)
    assert created.code == 0, created.err
    assert created.out.splitlines() == [
        "replicationcontroller/frontend created", "service/frontend created",
        "replicationcontroller/redis-master created", "service/redis-master created",
        "replicationcontroller/redis-slave created", "service/redis-slave created"]
    wait_settled(server, namespace)
    yield env, namespace
    drop_namespace(server, namespace)


@pytest.mark.parametrize("args", [
    ["get", "pods"], ["get", "rc"], ["get", "svc"], ["get", "all"], ["get", "endpoints"],
    ["get", "rc", "-o", "wide"], ["get", "pods", "-o", "wide"], ["get", "svc", "-o", "wide"],
    ["get", "rc,svc"], ["get", "svc,rc", "--no-headers"], ["get", "rc/frontend", "svc/frontend"],
    ["get", "rc", "frontend", "redis-slave"], ["get", "pods", "--show-labels"],
    ["get", "pods", "-L", "name", "-L", "app,tier"], ["get", "rc", "--show-kind"],
    ["get", "pods", "-l", "name=frontend"], ["get", "all", "-l", "name=redis-master"],
    ["get", "pods", "--field-selector", "status.phase=Running"],
    ["get", "pods", "--chunk-size=2"], ["get", "ReplicationController", "frontend"],
    ["get", "replicationcontrollers.v1.", "frontend"],
])
def test_tables(gb: tuple[dict[str, str], str], args: list[str]) -> None:
    env, namespace = gb
    assert_same(env, *args, "-n", namespace)


@pytest.mark.parametrize("args", [
    ["get", "rc", "frontend", "-o", "yaml"], ["get", "rc", "-o", "yaml"],
    ["get", "svc", "frontend", "-o", "json"], ["get", "svc", "-o", "json"],
    ["get", "rc/frontend", "svc/frontend", "-o", "yaml"], ["get", "all", "-o", "name"],
    ["get", "pods", "-l", "name=nomatch", "-o", "yaml"], ["get", "endpoints", "-o", "json"],
    ["get", "rc", "nosuch", "frontend", "-o", "name"], ["get", "rc", "nosuch", "-o", "yaml"],
])
def test_objects(gb: tuple[dict[str, str], str], args: list[str]) -> None:
    env, namespace = gb
    assert_same(env, *args, "-n", namespace)


@pytest.mark.parametrize("args", [
    ["get", "rc", "nosuch"], ["get", "rc", "frontend", "nosuch", "redis-slave"],
    ["get", "rc/nosuch", "svc/nosuch"], ["get", "rc", "nosuch", "--ignore-not-found"],
    ["get", "pods", "-l", "name=nomatch"], ["get", "pods", "-l", "name=nomatch", "--no-headers"],
    ["get", "pods", "-l", "name=nomatch", "--ignore-not-found"], ["get", "widgets"],
    ["get", "pod.nogroup"], ["get", "rc/frontend", "svc"], ["get", "rc", "x", "-l", "a=b"],
    ["get", "svc", "-o", "yaml", "--show-labels"], ["get"], ["get", ","], ["get", "rc,,svc"],
    ["get", "pods", "-l", "!!"], ["get", "pods", "--field-selector", "foo=bar", "-o", "name"],
])
def test_errors_and_empty_results(gb: tuple[dict[str, str], str], args: list[str]) -> None:
    env, namespace = gb
    assert_same(env, *args, "-n", namespace)


def test_namespace_from_context_and_all_namespaces(gb: tuple[dict[str, str], str]) -> None:
    env, namespace = gb
    assert_same(env, "get", "pods", "-A", "-l", "name=frontend")
    assert_same(env, "get", "rc", "--all-namespaces", "--show-kind", "-l", "name=redis-slave")
    assert_same(env, "get", "svc", "--no-headers", "-n", "default")
    assert_same(env, "get", "pods", "-l", "name=nomatch", "-A")


def test_cluster_scoped(gb: tuple[dict[str, str], str]) -> None:
    env, namespace = gb
    assert_same(env, "get", "nodes")
    assert_same(env, "get", "nodes", "-o", "wide")
    assert_same(env, "get", "namespace", namespace, "default")
    assert_same(env, "get", "ns", "-l", "nomatch=1")


def test_manifest_arguments(gb: tuple[dict[str, str], str], manifests: Path) -> None:
    env, namespace = gb
    assert_same(env, "get", "-f", str(manifests), "-n", namespace)
    assert_same(env, "get", "-f", str(manifests / "redis-master-service.yaml"), "-o", "name",
                "-n", namespace)
