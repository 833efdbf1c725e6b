"""`patch` against a real server: strategic, merge and JSON patches, the scale subresource,
dry runs and errors, run in twin namespaces with kubectl; same lines, errors, exit codes and
resulting objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubectl_parity import assert_same_effect
from support import wait_for

STEPS = [
    ["pod", "one", "-p", '{"metadata":{"labels":{"x":"1"}}}'],
    ["pod", "one", "-p", '{"metadata":{"labels":{"x":"1"}}}'],
    ["pod/one", "--type", "merge", "-p", '{"metadata":{"annotations":{"a":"b"}}}'],
    ["pod", "one", "--type=json", "-p",
     '[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:2"}]'],
    ["pod", "one", "--type=json", "-p", '[{"op":"remove","path":"/metadata/nope"}]'],
    ["pod", "one", "--type=json", "-p", '{"op":"add"}'],
    ["pod", "one", "-p", "metadata:\n  labels:\n    y: '2'"],
    ["pod", "one", "-p", '{"spec":{"containers":[{"name":"c","image":"busybox:3"}]}}'],
    ["pod", "one", "-p", '{"spec":{"containers":[{"name":"c","image":""}]}}'],
    ["pod", "one", "-p", '{"metadata":{"labels":{"z":"1"}}}', "--dry-run=client", "-o",
     "jsonpath={.metadata.labels}"],
    ["pod", "one", "-p", '{"metadata":{"labels":{"z":"1"}}}', "--dry-run=server", "-o", "name"],
    ["pod", "one", "-p", '{"metadata":{"labels":{"z":"1"}}}', "--dry-run=server"],
    ["pod", "one", "-p", '{"metadata":{"labels":{"x":null}}}', "-o",
     "custom-columns=NAME:.metadata.name,LABELS:.metadata.labels"],
    ["rc", "web", "--subresource=scale", "--type=merge", "-p", '{"spec":{"replicas":0}}'],
    ["rc", "web", "--subresource=scale", "--type=merge", "-p", '{"spec":{"replicas":0}}',
     "-o", "jsonpath={.kind} {.spec.replicas}"],
    ["rc", "web", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":0}}',
     "-o", "name"],
    ["pod", "nosuch", "-p", "{}"], ["pod", "one"], ["pod", "one", "-p", "{"],
    ["pod", "one", "--type=bogus", "-p", "{}"], ["pod"], ["pod", "one", "two", "-p", "{}"],
    ["pod", "one", "-p", "{}", "--local"], ["pod", "one", "-p", "[]"],
    ["pod", "one", "-p", "{}", "--subresource=nope"],
]


def _setup(server: Any, namespace: str) -> None:
    status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
        "metadata": {"name": "one", "labels": {"app": "shop"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    assert status == 201, body
    status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/replicationcontrollers",
                                  {"metadata": {"name": "web"}, "spec": {
                                      "replicas": 0, "selector": {"app": "web"},
                                      "template": {"metadata": {"labels": {"app": "web"}},
                                                   "spec": {"containers": [
                                                       {"name": "c", "image": "nginx"}]}}}})
    assert status == 201, body

    def settled() -> bool:  # the RC controller's first status write must not land mid-test
        _, rc = server.request("GET", f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")
        return rc.get("status", {}).get("observedGeneration") == rc["metadata"]["generation"]
    wait_for(settled, 15, message="the RC's first status write")


def test_patch_sequence_matches_kubectl(env: dict[str, str], twins: tuple[str, str],
                                        server: Any, tmp_path: Path) -> None:
    patch_file = tmp_path / "patch.yaml"
    patch_file.write_text("metadata:\n  annotations:\n    from: file\n")
    steps = [*STEPS, ["pod", "one", "--patch-file", str(patch_file)],
             ["pod", "one", "--patch-file", str(tmp_path / "missing")],
             ["pod", "one", "--patch-file", str(patch_file), "-p", "{}"]]
    for namespace in twins:
        _setup(server, namespace)
    for step in steps:
        assert_same_effect(env, lambda ns, s=step: ["patch", *s, "-n", ns],  # type: ignore[misc]
                           twins)
    theirs, ours = (server.request("GET", f"/api/v1/namespaces/{ns}/pods/one")[1]
                    for ns in twins)
    assert ours["metadata"].get("labels") == theirs["metadata"].get("labels")
    assert ours["metadata"].get("annotations") == theirs["metadata"].get("annotations")
    assert ours["spec"]["containers"] == theirs["spec"]["containers"]
