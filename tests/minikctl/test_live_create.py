"""`create -f` against a real server: the same lines, errors and exit codes as kubectl, with
kubectl acting in one namespace and minikctl in a twin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubectl_parity import assert_same_effect, guestbook_copy, kubectl, minikctl

RC = """apiVersion: v1
kind: ReplicationController
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: c
        image: busybox
"""


@pytest.fixture
def guestbook(tmp_path: Path) -> Path:
    return guestbook_copy(tmp_path / "guestbook")


def _create(directory: Path, *extra: str) -> Any:
    return lambda ns: ["create", "-f", str(directory), "-n", ns, *extra]


def test_guestbook_then_already_exists(env: dict[str, str], twins: tuple[str, str],
                                       guestbook: Path) -> None:
    first = assert_same_effect(env, _create(guestbook), twins)
    assert first.code == 0 and len(first.out.splitlines()) == 6
    again = assert_same_effect(env, _create(guestbook), twins)
    assert again.code == 1 and again.out == ""
    assert again.err.splitlines()[0] == (
        'Error from server (AlreadyExists): error when creating "'
        f'{guestbook}/frontend-controller.yaml": replicationcontrollers "frontend" already exists')


def test_output_name_and_dry_runs(env: dict[str, str], twins: tuple[str, str],
                                  guestbook: Path) -> None:
    assert_same_effect(env, _create(guestbook, "--dry-run=client"), twins)
    assert_same_effect(env, _create(guestbook, "--dry-run=server"), twins)
    assert_same_effect(env, _create(guestbook, "-o", "name"), twins)
    listed = minikctl(env, "get", "rc", "-n", twins[1], "-o", "name")
    assert listed.out.splitlines() == ["replicationcontroller/frontend",
                                       "replicationcontroller/redis-master",
                                       "replicationcontroller/redis-slave"]


def test_yaml_output_is_the_created_object(env: dict[str, str], twins: tuple[str, str],
                                           tmp_path: Path) -> None:
    path = tmp_path / "rc.yaml"
    path.write_text(RC.format(name="web", replicas=2))
    made = minikctl(env, "create", "-f", str(path), "-n", twins[1], "-o", "yaml")
    assert made.code == 0
    fetched = minikctl(env, "get", "rc", "web", "-n", twins[1], "-o", "yaml")
    created_uid = [line for line in made.out.splitlines() if line.startswith("  uid: ")]
    assert created_uid and created_uid[0] in fetched.out.splitlines()


def test_invalid_object_and_partial_failure(env: dict[str, str], twins: tuple[str, str],
                                            tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(RC.format(name="good", replicas=1) + "---\n" + RC.format(name="bad", replicas=-1)
                    + "---\n" + RC.format(name="late", replicas=1))
    outcome = assert_same_effect(env, lambda ns: ["create", "-f", str(path), "-n", ns], twins)
    assert outcome.code == 1
    assert outcome.out.splitlines() == ["replicationcontroller/good created",
                                        "replicationcontroller/late created"]
    assert outcome.err.startswith('The ReplicationController "bad" is invalid: spec.replicas: ')


def test_stdin_and_namespace_mismatch(env: dict[str, str], twins: tuple[str, str],
                                      tmp_path: Path) -> None:
    manifest = RC.format(name="piped", replicas=1)
    assert_same_effect(env, lambda ns: ["create", "-f", "-", "-n", ns], twins, stdin=manifest)
    other = tmp_path / "other.yaml"
    other.write_text(RC.format(name="x", replicas=1).replace("  name: x\n",
                                                             "  name: x\n  namespace: elsewhere\n"))
    assert_same_effect(env, lambda ns: ["create", "-f", str(other), "-n", ns], twins)


def test_yaml_error_names_the_file_line(env: dict[str, str], twins: tuple[str, str],
                                        tmp_path: Path) -> None:
    """Deliberate improvement: kubectl says `line 5` (0-based, within the document); minikctl
    names the line in the file. Earlier documents are created either way, later ones are not."""
    path = tmp_path / "broken.yaml"
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  labels: [a\n"
    path.write_text(RC.format(name="before", replicas=1) + "---\n" + broken + "---\n"
                    + RC.format(name="after", replicas=1))
    theirs = kubectl(env, "create", "-f", str(path), "-n", twins[0])
    ours = minikctl(env, "create", "-f", str(path), "-n", twins[1])
    assert (ours.code, ours.out) == (theirs.code, theirs.out) == (
        1, "replicationcontroller/before created\n")
    prefix = f"error: error parsing {path}: error converting YAML to JSON: yaml: line "
    assert theirs.err == prefix + "5: did not find expected ',' or ']'\n"
    assert ours.err == prefix + "22: did not find expected ',' or ']'\n"


def test_unknown_kind_and_missing_file(env: dict[str, str], twins: tuple[str, str],
                                       tmp_path: Path) -> None:
    path = tmp_path / "widget.yaml"
    path.write_text("apiVersion: v1\nkind: Widget\nmetadata:\n  name: w\n")
    ours = minikctl(env, "create", "-f", str(path), "-n", twins[1])
    assert ours.code == 1
    assert ours.err == (f'error: resource mapping not found for name: "w" namespace: "" from '
                        f'"{path}": no matches for kind "Widget" in version "v1"\n'
                        f"ensure CRDs are installed first\n")
    assert_same_effect(env, lambda ns: ["create", "-f", str(tmp_path / "nope.yaml"), "-n", ns],
                       twins)
