"""Run the real kubectl and minikctl side by side and compare what they print.

Parity is the golden file (STYLE.md, habit 12): same arguments, same server state, and the
stdout, stderr and exit code must be equal. AGE cells tick every wall-clock second, so the two
processes are started together; if their outputs differ, the comparison is repeated with both
started just after a second boundary (a tick is the only way two honest runs can differ).
kubectl's name in its hint lines is replaced by minikctl's. Runs that share nothing (twin
namespaces, twin kubeconfig files, many read-only commands) are started at once.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from support import wait_for

KUBECTL = str(Path(sys.executable).parent / "kubectl")
MINIKCTL = [sys.executable, "-m", "minikctl"]
REPO = Path(__file__).resolve().parents[2]
GUESTBOOK = REPO / "manifests" / "guestbook"
_PROGRAM = re.compile(r"\bkubectl\b(?!\.kubernetes\.io)")
_KLOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ \S+:\d+\] .*\n", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def _start(command: list[str], env: dict[str, str], stdin: str | None) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=env, cwd=REPO, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)


def _finish(proc: subprocess.Popen[str], stdin: str | None, timeout: float) -> Outcome:
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"{proc.args} did not finish in {timeout}s") from None
    return Outcome(proc.returncode, out, err)


def minikctl(env: dict[str, str], *args: str, stdin: str | None = None,
             timeout: float = 60.0) -> Outcome:
    return _finish(_start([*MINIKCTL, *args], env, stdin), stdin, timeout)


def kubectl(env: dict[str, str], *args: str, stdin: str | None = None,
            timeout: float = 60.0) -> Outcome:
    return _finish(_start([KUBECTL, *args], env, stdin), stdin, timeout)


def _after_second_boundary() -> None:
    time.sleep(1.0 - (time.time() % 1.0) + 0.02)


def _explain(args: list[str], theirs: Outcome, ours: Outcome) -> str:
    return (f"minikctl {' '.join(args)} differs from kubectl\n--- kubectl (exit {theirs.code})\n"
            f"{theirs.out}{theirs.err}--- minikctl (exit {ours.code})\n{ours.out}{ours.err}")


def as_minikctl(outcome: Outcome, replace: dict[str, str] | None = None) -> Outcome:
    """kubectl's output with its program name (and any given strings) replaced, klog lines off."""
    out, err = outcome.out, _PROGRAM.sub("minikctl", _KLOG.sub("", outcome.err))
    for old, new in (replace or {}).items():
        out, err = out.replace(old, new), err.replace(old, new)
    return Outcome(outcome.code, out, err)


def together(env: dict[str, str], args: list[str], stdin: str | None = None,
             timeout: float = 60.0, aligned: bool = True) -> tuple[Outcome, Outcome]:
    """(kubectl, minikctl) started at the same moment, just after a second boundary if asked."""
    if aligned:
        _after_second_boundary()
    procs = [_start([KUBECTL, *args], env, stdin), _start([*MINIKCTL, *args], env, stdin)]
    theirs, ours = (_finish(p, stdin, timeout) for p in procs)
    return as_minikctl(theirs), ours


def assert_same(env: dict[str, str], *args: str, stdin: str | None = None,
                attempts: int = 3) -> Outcome:
    """Read-only commands: equal stdout, stderr and exit code."""
    theirs = ours = Outcome(0, "", "")
    for attempt in range(attempts):
        theirs, ours = together(env, list(args), stdin, aligned=attempt > 0)
        if theirs == ours:
            return ours
    assert ours == theirs, _explain(list(args), theirs, ours)
    return ours


def assert_same_many(env: dict[str, str], cases: list[list[str]],
                     parallel: int = 4) -> None:
    """`assert_same` for many read-only commands, a few pairs at a time; a case that differs
    is run again alone (and aligned) before it counts as a failure."""
    for start in range(0, len(cases), parallel):
        batch = cases[start:start + parallel]
        procs = [(_start([KUBECTL, *args], env, None), _start([*MINIKCTL, *args], env, None))
                 for args in batch]
        for args, (theirs_proc, ours_proc) in zip(batch, procs):
            theirs = as_minikctl(_finish(theirs_proc, None, 60.0))
            ours = _finish(ours_proc, None, 60.0)
            if theirs != ours:
                assert_same(env, *args)


def run_pair(theirs_args: list[str], theirs_env: dict[str, str], ours_args: list[str],
             ours_env: dict[str, str], stdin: str | None = None) -> tuple[Outcome, Outcome]:
    """(kubectl's outcome, minikctl's) of two runs that share nothing, started at once."""
    procs = [_start([KUBECTL, *theirs_args], theirs_env, stdin),
             _start([*MINIKCTL, *ours_args], ours_env, stdin)]
    theirs, ours = (_finish(p, stdin, 60.0) for p in procs)
    return theirs, ours


def assert_same_effect(env: dict[str, str], args: Callable[[str], list[str]],
                       namespaces: tuple[str, str], setup: Callable[[str], Any] | None = None,
                       stdin: str | None = None) -> Outcome:
    """Mutating commands: kubectl acts on namespaces[0], minikctl on the twin namespaces[1],
    after the same setup; outputs must match once namespace names are made equal."""
    theirs_ns, ours_ns = namespaces
    if setup is not None:
        setup(theirs_ns)
        setup(ours_ns)
    theirs, ours = run_pair(args(theirs_ns), env, args(ours_ns), env, stdin)
    expected = as_minikctl(theirs, {theirs_ns: "<ns>"})
    actual = Outcome(ours.code, ours.out.replace(ours_ns, "<ns>"),
                     ours.err.replace(ours_ns, "<ns>"))
    assert actual == expected, _explain(args(ours_ns), expected, actual)
    return ours


# -- server state ----------------------------------------------------------------------------


def guestbook_copy(directory: Path) -> Path:
    """The guestbook manifests without fixed node ports: a nodePort is unique in the cluster,
    and several namespaces (and other test modules) create the guestbook on one server."""
    directory.mkdir(parents=True, exist_ok=True)
    for source in sorted(GUESTBOOK.iterdir()):
        lines = source.read_text().splitlines(keepends=True)
        (directory / source.name).write_text("".join(
            line for line in lines if not line.strip().startswith("nodePort:")))
    return directory


def make_namespace(server: Any, prefix: str = "ctl") -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    status, body = server.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status == 201, body
    return name


def drop_namespace(server: Any, name: str) -> None:
    server.request("DELETE", f"/api/v1/namespaces/{name}")


def rc_settled(server: Any, namespace: str) -> bool:
    status, body = server.request("GET", f"/api/v1/namespaces/{namespace}/replicationcontrollers")
    if status != 200 or not body.get("items"):
        return False
    return all((rc.get("status") or {}).get("readyReplicas") == rc["spec"]["replicas"]
               for rc in body["items"])


def wait_settled(server: Any, namespace: str, timeout: float = 60.0) -> None:
    """Controllers are done: every RC has all its replicas ready."""
    wait_for(lambda: rc_settled(server, namespace), timeout=timeout,
             message=f"replication controllers in {namespace} to be ready")
