"""`scale` against a real server: kubectl's lines, preconditions and errors, and the effect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kubectl_parity import assert_same_effect, guestbook_copy, kubectl, minikctl
from support import Server, free_port

RC_NAMES = ("frontend", "redis-master", "redis-slave")


@pytest.fixture
def guestbook(tmp_path: Path) -> Path:
    return guestbook_copy(tmp_path / "guestbook")


def setup_guestbook(env: dict[str, str], manifests: Path) -> Any:
    def setup(namespace: str) -> None:
        made = kubectl(env, "create", "-f", str(manifests), "-n", namespace)
        assert made.code == 0, made.err
    return setup


def replicas(server: Any, namespace: str, name: str) -> int:
    status, body = server.request(
        "GET", f"/api/v1/namespaces/{namespace}/replicationcontrollers/{name}")
    assert status == 200, body
    return int(body["spec"]["replicas"])


def test_scale_forms(server: Any, env: dict[str, str], twins: tuple[str, str],
                     guestbook: Path) -> None:
    out = assert_same_effect(env, lambda ns: ["scale", "rc", "redis-slave", "--replicas=3",
                                              "-n", ns], twins, setup_guestbook(env, guestbook))
    assert out.out == "replicationcontroller/redis-slave scaled\n"
    assert replicas(server, twins[1], "redis-slave") == 3
    assert_same_effect(env, lambda ns: ["scale", "rc/frontend", "rc/redis-master",
                                        "--replicas=2", "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["scale", "-f", str(guestbook / "frontend-controller.yaml"),
                                        "--replicas=1", "-o", "name", "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["scale", "rc", "--all", "--replicas=2", "-n", ns], twins)
    assert [replicas(server, twins[1], n) for n in RC_NAMES] == [2, 2, 2]
    assert_same_effect(env, lambda ns: ["scale", "rc", "--all", "--replicas=5",
                                        "--dry-run=client", "-n", ns], twins)
    assert [replicas(server, twins[1], n) for n in RC_NAMES] == [2, 2, 2]
    assert_same_effect(env, lambda ns: ["scale", "rc", "frontend", "--replicas=5",
                                        "--dry-run=server", "-n", ns], twins)


def test_preconditions(server: Any, env: dict[str, str], twins: tuple[str, str],
                       guestbook: Path) -> None:
    failed = assert_same_effect(env, lambda ns: ["scale", "rc", "frontend", "--replicas=5",
                                                 "--current-replicas=2", "-n", ns], twins,
                                setup_guestbook(env, guestbook))
    assert (failed.code, failed.err) == (1, "error: Expected replicas to be 2, was 3\n")
    assert_same_effect(env, lambda ns: ["scale", "rc", "frontend", "redis-slave",
                                        "--replicas=2", "--current-replicas=3", "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["scale", "rc", "redis-master", "--replicas=4",
                                        "--current-replicas=1", "-n", ns], twins)
    assert replicas(server, twins[1], "redis-master") == 4
    # resource versions differ between the twins, so compare the shape, not the bytes
    theirs = kubectl(env, "scale", "rc", "redis-master", "--replicas=1", "--resource-version=1",
                     "-n", twins[0])
    ours = minikctl(env, "scale", "rc", "redis-master", "--replicas=1", "--resource-version=1",
                    "-n", twins[1])
    pattern = r"error: Expected resource version to be 1, was \d+\n"
    assert ours.code == theirs.code == 1
    assert re.fullmatch(pattern, ours.err) and re.fullmatch(pattern, theirs.err)


def test_errors(env: dict[str, str], twins: tuple[str, str], guestbook: Path) -> None:
    setup = setup_guestbook(env, guestbook)
    assert_same_effect(env, lambda ns: ["scale", "rc", "nosuch", "frontend", "--replicas=1",
                                        "-n", ns], twins, setup)
    assert_same_effect(env, lambda ns: ["scale", "svc", "frontend", "--replicas=2", "-n", ns],
                       twins)
    assert_same_effect(env, lambda ns: ["scale", "rc", "-l", "name=nomatch", "--replicas=2",
                                        "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["scale", "rc", "--replicas=2", "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["scale", "rc", "frontend", "-n", ns], twins)
    relicas = minikctl(env, "scale", "rc", "frontend", "--relicas=3", "-n", twins[1])
    assert (relicas.code, relicas.err) == (1, "error: unknown flag: --relicas\nDid you mean "
                                              "--replicas?\nSee 'minikctl scale --help' for "
                                              "usage.\n")


def test_timeout_waiting_for_replicas(tmp_path: Path) -> None:
    """With no controller to bring status.replicas along, --timeout runs out with kubectl's
    message (after the scale itself has been written). kubectl polls every second: a timeout
    between two polls keeps its last poll clear of the deadline, which would race it."""
    srv = Server(tmp_path / "minik", free_port(), ["--no-controllers"]).start()
    try:
        env = srv.env
        rc = tmp_path / "guestbook" / "redis-slave-controller.yaml"
        guestbook_copy(tmp_path / "guestbook")
        assert kubectl(env, "create", "-f", str(rc)).code == 0
        theirs = kubectl(env, "scale", "rc", "redis-slave", "--replicas=3", "--timeout=1500ms")
        ours = minikctl(env, "scale", "rc", "redis-slave", "--replicas=4", "--timeout=1500ms")
        expected = (1, "", 'error: timed out waiting for "redis-slave" to be synced\n')
        assert (theirs.code, theirs.out, theirs.err) == expected
        assert (ours.code, ours.out, ours.err) == expected
        assert replicas(srv, "default", "redis-slave") == 4
    finally:
        srv.stop()
