"""`wait --for=condition|jsonpath|delete|create` against a real server, byte for byte with
kubectl: conditions already met, timeouts, selectors, missing objects, and waits that end
because the test changes the cluster while both tools are waiting."""

from __future__ import annotations

import subprocess
import time
from typing import Any, Iterator

import pytest

from kubectl_parity import (KUBECTL, MINIKCTL, REPO, Outcome, as_minikctl, assert_same_many,
                            drop_namespace, make_namespace)
from support import wait_for


def _pod(name: str, tier: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"tier": tier}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


@pytest.fixture(scope="module")
def cluster(server: Any) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-wait")
    for index, tier in enumerate(("web", "web", "db")):
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods",
                                      _pod(f"p{index}", tier))
        assert status == 201, body
    wait_for(lambda: all(p.get("status", {}).get("phase") == "Running" for p in server.request(
        "GET", f"/api/v1/namespaces/{namespace}/pods")[1]["items"]), timeout=30,
        message="pods running")
    yield dict(server.env), namespace
    drop_namespace(server, namespace)


CASES = [
    ["--for=condition=Ready", "pod/p0"], ["--for=condition=ready", "pods", "-l", "tier=web"],
    ["--for=condition=Ready", "pods", "--all"], ["--for=condition=Ready=false", "pod/p1",
                                                 "--timeout=300ms"],
    ["--for=condition=Ready", "pod/missing", "--timeout=300ms"],
    ["--for=jsonpath={.status.phase}=Running", "pod", "p2"],
    ["--for=jsonpath={.metadata.labels.tier}", "pod", "p2"],
    ["--for=jsonpath={.status.phase}=Pending", "pod/p2", "--timeout=300ms"],
    ["--for=jsonpath={.spec.containers[*].name}=c", "pod/p2"],
    ["--for=delete", "pod/missing", "--timeout=300ms"], ["--for=create", "pod/p1"],
    ["--for=condition=Ready", "pods", "-l", "tier=none", "--timeout=300ms"],
    ["--for=condition=Ready", "pod/p0", "-o", "name"], ["--for=bogus", "pod/p0"],
    ["--for=jsonpath={.a", "pod/p0"], ["--for=condition=Ready"], ["pod/p0"],
    ["--for=condition=Ready", "pod/p0", "--timeout=0s"],
    ["--for=condition=Ready", "pods", "--all", "--timeout=0"],
    ["--for=jsonpath={.metadata.labels.nope}", "pod/p0", "--timeout=0"],
    ["--for=delete", "pod/p0", "--timeout=0"], ["--for=create", "pod/none", "--timeout=0"],
    ["--for=DELETE", "pods", "--all", "--timeout=300ms"],
    ["--for=jsonpath={.status.conditions[?(@.type==\"Ready\")].status}='True'", "pod/p0"],
    ["--for=jsonpath={.a}=", "pod/p0"], ["--for=jsonpath=", "pod/p0"],
    ["--for=jsonpath={.a}=b=c", "pod/p0"], ["--for=jsonpath={.metadata}=x", "pod/p0"],
    ["--for=jsonpath={.spec.containers[*].name}", "pod/p0"], ["--for=", "pod/p0"],
    ["--for=jsonpath={.metadata.name}= p0 ", "pod/p0"],
    ["--for=condition=ready=TRUE", "--for=jsonpath={.status.phase}=Running", "pods", "--all"],
    ["--for=jsonpath={.status.phase}=Running", "--for=delete", "pods", "--all",
     "--timeout=300ms"],
    ["--for=condition=Ready", "--for=create", "pod/p1", "-o", "name"],
    ["--for=condition=Ready", "--for=create", "pods", "-l", "tier=none", "--timeout=300ms"],
    ["--for=condition=Ready", "pod/p1", "--local"],
]


def test_wait_matches_kubectl(cluster: tuple[dict[str, str], str]) -> None:
    """Conditions met, timeouts, selectors and bad conditions: kubectl's lines and codes."""
    env, namespace = cluster
    assert_same_many(env, [["wait", "-n", namespace, *args] for args in CASES])


def _both(env: dict[str, str], args: list[str]) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen(command + ["wait", *args], env=env, cwd=REPO, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL) for command in ([KUBECTL], MINIKCTL)]


def _outcomes(procs: list[subprocess.Popen[str]]) -> tuple[Outcome, Outcome]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=30)
        results.append(Outcome(proc.returncode, out, err))
    return as_minikctl(results[0]), results[1]


def test_waits_that_end_while_waiting(server: Any, cluster: tuple[dict[str, str], str]) -> None:
    """Both tools wait for a pod that does not exist yet (and for it to be ready), then for
    pods to go away."""
    env, namespace = cluster
    base = f"/api/v1/namespaces/{namespace}/pods"
    created = _both(env, ["-n", namespace, "--for=condition=Ready", "--for=create", "pod/late",
                          "--timeout=20s"])
    made = _both(env, ["-n", namespace, "--for=create", "pod/late", "--timeout=20s"])
    time.sleep(1.5)
    assert server.request("POST", base, _pod("late", "web"))[0] == 201
    theirs, ours = _outcomes(made)
    assert ours == theirs and ours.out == "pod/late condition met\n"
    theirs, ours = _outcomes(created)
    assert ours == theirs and ours.out == "pod/late condition met\n" * 2
    deleted = _both(env, ["-n", namespace, "--for=delete", "pods", "-l", "tier=web",
                          "--timeout=4s"])
    time.sleep(1.5)
    for name in ("p0", "late"):
        assert server.request("DELETE", f"{base}/{name}?gracePeriodSeconds=0")[0] == 200
    theirs, ours = _outcomes(deleted)
    assert ours == theirs, f"--- kubectl\n{theirs}\n--- minikctl\n{ours}"
    assert ours.code == 1 and "p1" in ours.err  # p1 is still there at the timeout
