"""`delete` against a real server: kubectl's lines and errors, waiting, selectors, cascading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubectl_parity import (assert_same_effect, guestbook_copy, kubectl, make_namespace,
                            minikctl, wait_settled)
from support import wait_for


@pytest.fixture
def guestbook(tmp_path: Path) -> Path:
    return guestbook_copy(tmp_path / "guestbook")


def setup_guestbook(env: dict[str, str], manifests: Path) -> Any:
    def setup(namespace: str) -> None:
        made = kubectl(env, "create", "-f", str(manifests), "-n", namespace)
        assert made.code == 0, made.err
    return setup


def names(server: Any, namespace: str, plural: str) -> list[str]:
    status, body = server.request("GET", f"/api/v1/namespaces/{namespace}/{plural}")
    assert status == 200, body
    return sorted(item["metadata"]["name"] for item in body["items"])


def test_by_name_type_slash_name_and_file(server: Any, env: dict[str, str],
                                          twins: tuple[str, str], guestbook: Path) -> None:
    out = assert_same_effect(env, lambda ns: ["delete", "rc", "redis-master", "-n", ns,
                                              "--timeout=60s"], twins,
                             setup_guestbook(env, guestbook))
    assert out.out == f'replicationcontroller "redis-master" deleted from {twins[1]} namespace\n'
    assert "redis-master" not in names(server, twins[1], "replicationcontrollers")
    assert_same_effect(env, lambda ns: ["delete", "svc/redis-master", "rc/redis-slave", "-n", ns,
                                        "--timeout=60s"], twins)
    assert_same_effect(env, lambda ns: ["delete", "-f", str(guestbook / "frontend-service.yaml"),
                                        "-o", "name", "-n", ns, "--timeout=60s"], twins)
    assert names(server, twins[1], "services") == ["redis-slave"]


def test_missing_objects_and_ignore_not_found(env: dict[str, str], twins: tuple[str, str],
                                              guestbook: Path) -> None:
    setup = setup_guestbook(env, guestbook)
    partial = assert_same_effect(env, lambda ns: ["delete", "rc", "nosuch", "frontend", "-n", ns,
                                                  "--timeout=60s"], twins, setup)
    assert partial.code == 1
    assert partial.err == 'Error from server (NotFound): replicationcontrollers "nosuch" not found\n'
    assert_same_effect(env, lambda ns: ["delete", "rc", "nosuch", "--ignore-not-found", "-n", ns],
                       twins)
    assert_same_effect(env, lambda ns: ["delete", "-f", str(guestbook), "-n", ns,
                                        "--timeout=60s"], twins)


def test_selectors_and_all(server: Any, env: dict[str, str], twins: tuple[str, str],
                           guestbook: Path) -> None:
    setup = setup_guestbook(env, guestbook)
    nothing = assert_same_effect(env, lambda ns: ["delete", "rc", "-l", "name=nomatch", "-n", ns],
                                 twins, setup)
    assert (nothing.code, nothing.out) == (0, "No resources found\n")
    assert_same_effect(env, lambda ns: ["delete", "rc,svc", "-l", "name=redis-slave", "-n", ns,
                                        "--timeout=60s"], twins)
    assert_same_effect(env, lambda ns: ["delete", "rc", "--all", "-n", ns, "--timeout=60s",
                                        "--cascade=orphan"], twins)
    assert names(server, twins[1], "replicationcontrollers") == []
    assert len(names(server, twins[1], "pods")) == 4  # orphaned pods stay
    assert_same_effect(env, lambda ns: ["delete", "pods", "-l", "!!", "-n", ns], twins)


def test_dry_runs_and_usage_errors(server: Any, env: dict[str, str], twins: tuple[str, str],
                                   guestbook: Path) -> None:
    setup = setup_guestbook(env, guestbook)
    assert_same_effect(env, lambda ns: ["delete", "rc", "frontend", "nosuch", "--dry-run=client",
                                        "-n", ns], twins, setup)
    assert_same_effect(env, lambda ns: ["delete", "rc", "frontend", "--dry-run=server", "-n", ns],
                       twins)
    assert "frontend" in names(server, twins[1], "replicationcontrollers")
    for args in (["delete", "rc"], ["delete", "rc/x", "--all"], ["delete", "rc", "x", "-l", "a=b"],
                 ["delete", "rc", "--all", "-l", "a=b"], ["delete", "rc", "x", "-o", "yaml"],
                 ["delete", "rc", "x", "--grace-period=5", "--force"]):
        assert_same_effect(env, lambda ns: [*args, "-n", ns], twins)


def test_force_and_cluster_scoped(server: Any, env: dict[str, str], twins: tuple[str, str],
                                  guestbook: Path) -> None:
    for namespace in twins:
        setup_guestbook(env, guestbook)(namespace)
        wait_settled(server, namespace)
    pod = {ns: names(server, ns, "pods")[0] for ns in twins}
    theirs = kubectl(env, "delete", "pod", pod[twins[0]], "--grace-period=0", "--force",
                     "-n", twins[0], "--timeout=60s")
    ours = minikctl(env, "delete", "pod", pod[twins[1]], "--grace-period=0", "--force",
                    "-n", twins[1], "--timeout=60s")
    assert (ours.code, ours.err) == (theirs.code, theirs.err)
    assert ours.out == f'pod "{pod[twins[1]]}" force deleted from {twins[1]} namespace\n'
    extra = [make_namespace(server, "ctl-del") for _ in range(2)]
    assert_same_effect(env, lambda ns: ["delete", "namespace", ns, "--timeout=60s"],
                       (extra[0], extra[1]))
    wait_for(lambda: server.request("GET", f"/api/v1/namespaces/{extra[1]}")[0] == 404,
             timeout=30, message="namespace to be gone")
    assert_same_effect(env, lambda ns: ["delete", "ns", "nosuch-ns", "-n", ns], twins)
