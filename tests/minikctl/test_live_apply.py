"""`apply` against a real server: kubectl acts in one namespace, minikctl in its twin; the
lines, errors and exit codes must match, and so must the objects they leave behind."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kubectl_parity import assert_same_effect, guestbook_copy, kubectl, minikctl, rc_settled

RC = """apiVersion: v1
kind: ReplicationController
metadata:
  name: web
  labels: {{app: web}}
spec:
  replicas: {replicas}
  selector: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: c
        image: {image}
        env:{env}
"""
ENV = "\n        - {name: A, value: '1'}\n        - {name: B, value: '2'}"


def write(path: Path, replicas: int = 2, image: str = "nginx", env: str = ENV) -> str:
    path.write_text(RC.format(replicas=replicas, image=image, env=env or " []"))
    return str(path)


def stored(env: dict[str, str], namespace: str, *what: str) -> Any:
    """The live object without the fields that differ between twins."""
    out = kubectl(env, "get", *what, "-n", namespace, "-o", "json")
    assert out.code == 0, out.err
    obj = json.loads(out.out.replace(namespace, "<ns>"))
    for key in ("uid", "resourceVersion", "creationTimestamp"):
        obj["metadata"].pop(key, None)
    obj.pop("status", None)
    return obj


def test_created_unchanged_configured(env: dict[str, str], twins: tuple[str, str],
                                      tmp_path: Path) -> None:
    first, second = write(tmp_path / "a.yaml"), write(tmp_path / "b.yaml", 3, "nginx:2",
                                                      "\n        - {name: A, value: '1'}")
    run = lambda path, *extra: lambda ns: ["apply", "-f", path, "-n", ns, *extra]  # noqa: E731
    assert assert_same_effect(env, run(first), twins).out == "replicationcontroller/web created\n"
    assert assert_same_effect(env, run(first), twins).out == "replicationcontroller/web unchanged\n"
    assert_same_effect(env, run(second, "--dry-run=client"), twins)
    assert_same_effect(env, run(second, "--dry-run=server"), twins)
    assert assert_same_effect(env, run(second), twins).out == (
        "replicationcontroller/web configured\n")
    assert stored(env, twins[0], "rc", "web") == stored(env, twins[1], "rc", "web")
    assert_same_effect(env, run(first, "-o", "name"), twins)
    assert stored(env, twins[0], "rc", "web") == stored(env, twins[1], "rc", "web")


def test_drift_from_other_writers_is_kept_or_corrected(env: dict[str, str], twins: tuple[str, str],
                                                       tmp_path: Path) -> None:
    manifest = write(tmp_path / "a.yaml")
    for namespace in twins:
        assert kubectl(env, "apply", "-f", manifest, "-n", namespace).code == 0
        assert kubectl(env, "label", "rc", "web", "extra=1", "-n", namespace).code == 0
        assert kubectl(env, "scale", "rc", "web", "--replicas=4", "-n", namespace).code == 0
    changed = write(tmp_path / "b.yaml", 2, "nginx:3", "")
    assert_same_effect(env, lambda ns: ["apply", "-f", changed, "-n", ns], twins)
    theirs, ours = stored(env, twins[0], "rc", "web"), stored(env, twins[1], "rc", "web")
    assert theirs == ours and ours["metadata"]["labels"]["extra"] == "1"


def test_missing_annotation_warning_and_guestbook(env: dict[str, str], twins: tuple[str, str],
                                                  tmp_path: Path) -> None:
    guestbook = guestbook_copy(tmp_path / "gb")
    for namespace in twins:
        assert kubectl(env, "create", "-f", str(guestbook / "frontend-service.yaml"),
                       "-n", namespace).code == 0
    outcome = assert_same_effect(env, lambda ns: ["apply", "-f", str(guestbook), "-n", ns], twins)
    assert outcome.err.startswith("Warning: resource services/frontend is missing the "
                                  "kubectl.kubernetes.io/last-applied-configuration annotation")
    assert outcome.out.splitlines()[1] == "service/frontend configured"
    assert stored(env, twins[0], "svc", "frontend")["metadata"] == stored(
        env, twins[1], "svc", "frontend")["metadata"]


def test_server_side_and_errors(env: dict[str, str], twins: tuple[str, str],
                                tmp_path: Path) -> None:
    manifest = write(tmp_path / "a.yaml")
    assert_same_effect(env, lambda ns: ["apply", "--server-side", "-f", manifest, "-n", ns], twins)
    assert_same_effect(env, lambda ns: ["apply", "--server-side", "-f", manifest, "-n", ns,
                                        "--dry-run=client"], twins)
    assert_same_effect(env, lambda ns: ["apply", "-n", ns], twins)
    bad = write(tmp_path / "bad.yaml", replicas=-1)
    failed = assert_same_effect(env, lambda ns: ["apply", "-f", bad, "-n", ns], twins)
    assert failed.code == 1 and 'The ReplicationController "web" is invalid' in failed.err
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n")
    assert minikctl(env, "apply", "-f", str(wrong), "-n", twins[1]).code == 1


def _stable(text: str, namespace: str) -> str:
    """YAML with the values that differ between twins (ids, times, allocated IPs) masked."""
    text = re.sub(r"\d+\.\d+\.\d+\.\d+", "<ip>", text.replace(namespace, "<ns>"))
    return re.sub(r"(uid|resourceVersion|creationTimestamp): .*", r"\1: <x>", text)


def test_yaml_output_of_several_objects(env: dict[str, str], twins: tuple[str, str],
                                        tmp_path: Path) -> None:
    guestbook = guestbook_copy(tmp_path / "gb")
    files = ["-f", str(guestbook / "redis-master-service.yaml"), "-f",
             str(guestbook / "redis-slave-service.yaml")]
    theirs = kubectl(env, "apply", *files, "-n", twins[0], "-o", "yaml")
    ours = minikctl(env, "apply", *files, "-n", twins[1], "-o", "yaml")
    assert ours.code == theirs.code == 0
    assert _stable(ours.out, twins[1]) == _stable(theirs.out, twins[0])
    assert "kind: List\n" in ours.out and ours.out.count("kind: Service\n") == 2


def test_wait_until_ready(env: dict[str, str], twins: tuple[str, str], server: Any,
                          tmp_path: Path) -> None:
    manifest = write(tmp_path / "a.yaml", replicas=2)
    done = minikctl(env, "apply", "-f", manifest, "-n", twins[1], "--wait", "--timeout=60s")
    assert (done.code, done.out) == (0, "replicationcontroller/web created\n")
    assert rc_settled(server, twins[1])
