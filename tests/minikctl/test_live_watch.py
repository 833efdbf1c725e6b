"""`get -w`, `--watch-only` and `--output-watch-events` against a real server, byte for byte with
kubectl: both watch the same namespace while the test creates, labels and deletes a pod, then
both are stopped and what they printed is compared."""

from __future__ import annotations

import signal
import subprocess
import time
from typing import Any

import pytest

from kubectl_parity import (KUBECTL, MINIKCTL, REPO, assert_same, drop_namespace,
                             make_namespace)
from support import wait_for


def _pod(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"app": "w"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def _running(server: Any, namespace: str, name: str) -> bool:
    status, body = server.request("GET", f"/api/v1/namespaces/{namespace}/pods/{name}")
    return status == 200 and body.get("status", {}).get("phase") == "Running"


def _changes(server: Any, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    assert server.request("POST", base, _pod("second"))[0] == 201
    wait_for(lambda: _running(server, namespace, "second"), timeout=20, message="second running")
    status, _ = server.request("PATCH", f"{base}/first",
                               {"metadata": {"labels": {"tier": "x"}}},
                               content_type="application/merge-patch+json")
    assert status == 200
    assert server.request("DELETE", f"{base}/second?gracePeriodSeconds=0")[0] == 200


def _reset(server: Any, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    server.request("DELETE", f"{base}/first?gracePeriodSeconds=0")
    wait_for(lambda: server.request("GET", f"{base}/first")[0] == 404, timeout=10,
             message="old pod gone")
    assert server.request("POST", base, _pod("first"))[0] == 201
    wait_for(lambda: _running(server, namespace, "first"), timeout=20, message="first running")


def _watch_all(server: Any, namespace: str,
               variants: list[list[str]]) -> list[tuple[str, str]]:
    """(kubectl's output, minikctl's output) of each watch, all watching the same changes."""
    _reset(server, namespace)
    # tables of existing objects (AGE cells; "-w" at the end) start first, in a fresh second,
    # and print their list before the others compete for the processor
    order = sorted(range(len(variants)), key=lambda i: "-w" not in variants[i][-2:])
    time.sleep(1.0 - (time.time() % 1.0) + 0.05)
    procs: dict[int, list[subprocess.Popen[str]]] = {}
    for index in order:
        if "-w" not in variants[index][-2:] and all("-w" in variants[i][-2:] for i in procs):
            time.sleep(1.0 if procs else 0.0)
        procs[index] = [subprocess.Popen(
            command + ["get", "pods", "-n", namespace, *variants[index]], env=server.env,
            cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL) for command in ([KUBECTL], MINIKCTL)]
    time.sleep(1.0 + 0.4 * len(variants))  # every process has listed and started watching
    _changes(server, namespace)
    time.sleep(1.0)
    outputs = []
    for index in range(len(variants)):
        pair = procs[index]
        for proc in pair:
            proc.send_signal(signal.SIGTERM)
        texts = [proc.communicate(timeout=10)[0] for proc in pair]
        outputs.append((texts[0], texts[1]))
    return outputs


@pytest.fixture(scope="module")
def namespace(server: Any) -> Any:
    name = make_namespace(server, "ctl-watch")
    yield name
    drop_namespace(server, name)


VARIANTS = [
    ["--watch-only", "-o", "wide"], ["--output-watch-events", "-w"], ["-w"],
    ["-w", "-o", "name"], ["--watch-only", "-o", "custom-columns=N:.metadata.name,"
                           "L:.metadata.labels.tier"],
    ["-w", "-o", "jsonpath={.metadata.name} {.status.phase}{\"\\n\"}"],
    ["-w", "--output-watch-events", "-o", "json"], ["--watch-only", "-o", "yaml"],
    ["-w", "--output-watch-events", "-o", "yaml"], ["first", "-w"],
]


def test_watch_matches_kubectl(server: Any, namespace: str) -> None:
    """All variants at once; one that differs (an AGE cell ticked between a slow start and a
    fast one) is run again alone."""
    for args, (theirs, ours) in zip(VARIANTS, _watch_all(server, namespace, VARIANTS)):
        if theirs != ours:
            theirs, ours = _watch_all(server, namespace, [args])[0]
        assert "first" in theirs
        assert ours == theirs, f"{args}\n--- kubectl\n{theirs}--- minikctl\n{ours}"


def test_watch_errors(server: Any, namespace: str) -> None:
    assert_same(server.env, "get", "pods,rc", "-n", namespace, "-w")
    assert_same(server.env, "get", "pods", "missing", "-n", namespace, "-w")
    assert_same(server.env, "get", "pods", "-n", namespace, "-w", "-o", "jsonpath={.a")
