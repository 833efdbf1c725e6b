"""`edit` against a real server, in twin namespaces with kubectl, driven by a scripted editor:
the same edits give the same messages, exit codes and objects, and the editor is shown the same
text each time (the first buffer and every reopened one, with its reasons), once the values that
differ between two pods (uid, times, addresses) are masked."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from kubectl_parity import Outcome, as_minikctl, kubectl, minikctl
from support import wait_for

EDITOR = '''import json, os, sys
state = os.environ["EDIT_STATE"]
count = int(open(state).read()) if os.path.exists(state) else 0
open(state, "w").write(str(count + 1))
path = sys.argv[-1]
text = open(path, newline="").read()
open(f"{state}.seen{count}", "w", newline="").write(text)
steps = json.loads(os.environ["EDIT_STEPS"])
step = steps[min(count, len(steps) - 1)]
if isinstance(step, str):
    text = step
else:
    for old, new in step:
        text = text.replace(old, new)
open(path, "w", newline="").write(text)
'''
VOLATILE = re.compile(r'^(\s*(?:- )?"?(uid|resourceVersion|creationTimestamp|lastTransitionTime|'
                      r'startTime|startedAt|podIP|ip|nodeName|containerID|hostIP|'
                      r'lastProbeTime)"?: ).*$', re.MULTILINE)
TEMP_FILE = re.compile(r"/\S*(kubectl|minikctl)-edit-\S*?\.(yaml|json)")

# (steps for the editor, extra arguments); run in order on the twin pods
CASES: list[tuple[list[Any], list[str]]] = [
    ([[]], ["pod/web"]),
    ([[["image: nginx\n", "image: nginx:2\n"]]], ["pod/web", "--output-patch"]),
    ([[["image: nginx:2\n", 'image: ""\n']], [['image: ""\n', "image: nginx:3\n"]]],
     ["pod", "web"]),
    ([[["image: nginx:3\n", 'image: ""\n']]], ["pod/web"]),
    ([""], ["pod/web"]), (["# only a comment\n"], ["pod/web"]),
    ([[["restartPolicy: Always\n", "restartPolicy: [Always\n"]]], ["pod/web"]),
    ([[["  name: web\n", "  name: web2\n"]]], ["pod/web"]),
    ([[["namespace: ", "namespace: x"]]], ["pod/web"]),
    ([[['"image": "nginx:3"', '"image": "nginx:4"']]], ["pod/web", "-o", "json"]),
    ([[["image: nginx:4\n", "image: nginx:5\n"]]], ["pod/web", "-o", "yaml"]),
    ([[["image: nginx:5\n", "image: nginx:6\n"]]], ["pod/web", "--windows-line-endings"]),
    ([[["restartPolicy: Always\n", "restartPolicy: Always\n  bogus: 1\n"]]], ["pod/web"]),
    ([[["phase: Running\n", "phase: Failed\n"]]], ["pod/web", "--subresource=status"]),
    ([[]], ["pod/web", "-o", "wide"]), ([[]], ["pod/nope"]), ([[]], []),
    ([[]], ["pod/web", "--subresource=scale"]), ([[]], ["rc/none"]),
]


def _mask(text: str, namespace: str) -> str:
    return VOLATILE.sub(r"\1X", text.replace(namespace, "<ns>"))


def _run(tool: Any, env: dict[str, str], namespace: str, state: Path, steps: list[Any],
         args: list[str]) -> Outcome:
    env = dict(env, EDIT_STATE=str(state), EDIT_STEPS=json.dumps(steps))
    outcome = tool(env, "edit", "-n", namespace, *args)
    return Outcome(outcome.code, TEMP_FILE.sub("<file>", _mask(outcome.out, namespace)),
                   TEMP_FILE.sub("<file>", _mask(outcome.err, namespace)))


def _seen(state: Path, namespace: str) -> list[str]:
    found = sorted(state.parent.glob(f"{state.name}.seen*"), key=lambda p: int(p.name[len(
        state.name) + 5:]))
    return [_mask(p.read_bytes().decode(), namespace) for p in found]


@pytest.fixture
def editing(env: dict[str, str], twins: tuple[str, str], server: Any,
            tmp_path: Path) -> tuple[dict[str, str], tuple[str, str], Path]:
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    for namespace in twins:
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web",
                                                                  "image": "nginx"}]}})
        assert status == 201, body
    for namespace in twins:
        wait_for(lambda ns=namespace: server.request(  # type: ignore[misc]
            "GET", f"/api/v1/namespaces/{ns}/pods/web")[1].get("status", {}).get(
            "phase") == "Running", timeout=30, message="pod running")
    (tmp_path / "tmp").mkdir()
    return (dict(env, EDITOR=f"{sys.executable} {editor}", TMPDIR=str(tmp_path / "tmp")), twins,
            tmp_path)


def test_edit_matches_kubectl(editing: tuple[dict[str, str], tuple[str, str], Path]) -> None:
    env, (theirs_ns, ours_ns), root = editing
    for index, (steps, args) in enumerate(CASES):
        theirs_state, ours_state = root / f"k{index}", root / f"m{index}"
        theirs = as_minikctl(_run(kubectl, env, theirs_ns, theirs_state, steps, args))
        ours = _run(minikctl, env, ours_ns, ours_state, steps, args)
        assert ours == theirs, f"edit {args} {steps}\n--- kubectl\n{theirs}\n--- minikctl\n{ours}"
        their_seen, our_seen = _seen(theirs_state, theirs_ns), _seen(ours_state, ours_ns)
        # go-yaml counts a syntax error's line differently (README: deliberate differences)
        our_seen = [re.sub(r"yaml: line \d+", "yaml: line N", s) for s in our_seen]
        their_seen = [re.sub(r"yaml: line \d+", "yaml: line N", s) for s in their_seen]
        assert our_seen == their_seen, f"edit {args} {steps}: the editor saw different text"


def test_edit_several_objects_and_editors(editing: tuple[dict[str, str], tuple[str, str], Path],
                                          server: Any) -> None:
    """kubectl cannot edit a list of objects on minik (its client-side check of a List needs
    OpenAPI v2, which minik does not serve); minikctl patches each changed object."""
    env, (_, namespace), root = editing
    status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
        "metadata": {"name": "db"}, "spec": {"containers": [{"name": "db", "image": "redis"}]}})
    assert status == 201, body
    steps = [[["image: redis\n", "image: redis:7\n"]]]
    ours = _run(minikctl, env, namespace, root / "list", steps, ["pods"])
    assert ours == Outcome(0, "pod/db edited\npod/web skipped\n", "")
    assert _seen(root / "list", namespace)[0].startswith(
        "# Please edit the object below.")
    assert "\nitems:\n- apiVersion: v1\n" in _seen(root / "list", namespace)[0]
    for variables in ({"KUBE_EDITOR": "/nonexistent/editor"}, {"EDITOR": "false"},
                      {"EDITOR": "no-such-editor-here"}):
        env_now = {k: v for k, v in env.items() if k != "EDITOR"} | variables
        theirs = as_minikctl(kubectl(env_now, "edit", "-n", namespace, "pod/web"))
        ours_now = minikctl(env_now, "edit", "-n", namespace, "pod/web")
        assert ours_now == theirs
    kept = sorted(p.name.split("-")[0] for p in (root / "tmp").iterdir())
    assert kept.count("minikctl") == kept.count("kubectl")  # the same files are left behind
