"""Beyond kubectl, for people only: colour and progress bars when stdout and stderr are a
terminal (a real pseudo-terminal here), and not a byte of either otherwise or with NO_COLOR;
`rich` is not even imported when output goes to a pipe."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
import time
from typing import Any, Iterator

import pytest

from kubectl_parity import MINIKCTL, REPO, drop_namespace, kubectl, make_namespace
from support import wait_for

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_terminal(args: list[str], env: dict[str, str], timeout: float = 30.0) -> str:
    """What minikctl writes to a pseudo-terminal (stdout and stderr both)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*MINIKCTL, *args], stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower, env=env, cwd=REPO)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    proc.wait(timeout=10)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def cluster(server: Any) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-tty")
    for name in ("ok-1", "ok-2"):
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "x"}]}})
        assert status == 201, body
    wait_for(lambda: all(p.get("status", {}).get("phase") == "Running" for p in server.request(
        "GET", f"/api/v1/namespaces/{namespace}/pods")[1]["items"]), timeout=30,
        message="pods running")
    env = {k: v for k, v in server.env.items() if k != "NO_COLOR"}
    yield dict(env, TERM="xterm-256color"), namespace
    drop_namespace(server, namespace)


def test_tables_are_coloured_for_people_only(cluster: tuple[dict[str, str], str]) -> None:
    env, namespace = cluster
    for _ in range(3):  # AGE may tick between the two runs
        shown = _in_terminal(["get", "pods", "-n", namespace], env)
        plain = kubectl(env, "get", "pods", "-n", namespace).out
        if ANSI.sub("", shown) == plain:
            break
    assert ANSI.sub("", shown) == plain
    assert "\x1b[1mNAME" in shown and "\x1b[32mRunning\x1b[0m" in shown
    assert "\x1b[32m1/1\x1b[0m" in shown
    uncoloured = _in_terminal(["get", "pods", "-n", namespace], dict(env, NO_COLOR="1"))
    assert "\x1b" not in uncoloured
    dumb = _in_terminal(["get", "pods", "-n", namespace], dict(env, TERM="dumb"))
    assert "\x1b" not in dumb


def test_progress_bar_while_waiting(server: Any, cluster: tuple[dict[str, str], str]) -> None:
    env, namespace = cluster
    path = f"/api/v1/namespaces/{namespace}/pods/ok-2?gracePeriodSeconds=0"
    later = threading.Timer(2.0, lambda: server.request("DELETE", path))
    later.start()
    try:
        shown = _in_terminal(["wait", "--for=delete", "pod/ok-2", "-n", namespace,
                              "--timeout=20s"], env)
    finally:
        later.join()
    assert "waiting for delete" in shown  # the bar, drawn on stderr while waiting
    assert "pod/ok-2 condition met\n" in ANSI.sub("", shown)  # printed above the bar
    assert shown.endswith("\x1b[2K")  # and the bar is gone when the command ends


def test_rich_is_not_imported_for_scripts(cluster: tuple[dict[str, str], str]) -> None:
    env, namespace = cluster
    code = ("import sys; from minikctl.cli import main; "
            f"main(['wait', '--for=condition=Ready', 'pod/ok-1', '-n', '{namespace}']); "
            "main(['get', 'pods', '-n', '" + namespace + "']); "
            "print('rich' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "False"
    assert "\x1b" not in done.stdout


def test_scale_wait_and_delete_show_progress(server: Any,
                                             cluster: tuple[dict[str, str], str]) -> None:
    env, namespace = cluster
    base = f"/api/v1/namespaces/{namespace}/replicationcontrollers"
    status, body = server.request("POST", base, {"metadata": {"name": "web"}, "spec": {
        "replicas": 1, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    assert status == 201, body
    shown = _in_terminal(["scale", "rc/web", "--replicas=4", "--wait", "--timeout=30s", "-n",
                          namespace], env)
    assert "replicationcontroller/web scaled\n" in ANSI.sub("", shown)
    assert "waiting for readiness" in shown
    assert server.request("GET", f"{base}/web")[1]["status"].get("readyReplicas") == 4
    plain = subprocess.run([*MINIKCTL, "scale", "rc/web", "--replicas=2", "--wait", "-n",
                            namespace], env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=60)
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        0, "replicationcontroller/web scaled\n", "")
    shown = _in_terminal(["delete", "pods", "--all", "-n", namespace], env)
    assert "waiting for deletion" in shown
    assert server.request("GET", f"/api/v1/namespaces/{namespace}/pods/ok-1")[0] == 404
