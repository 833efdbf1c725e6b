"""The kubectl commands built on watches: `get -w`, `wait` and `delete` (which waits for the
object to be gone through a watch-list with `sendInitialEvents=true`, and needs the
`k8s.io/initial-events-end` bookmark)."""

from __future__ import annotations

import json
import re
from typing import Any

from compat_tools import Kubectl
from support import Server, wait_for

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running resource has "
                 "been terminated. The resource may continue to run on the cluster indefinitely.\n")


def pod_manifest(name: str, **spec: Any) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
                       "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}], **spec}})


def configmap(name: str, **meta: Any) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}})


def status_of(server: Server, path: str) -> int:
    return server.request("GET", path)[0]


def drop_finalizers(server: Server, path: str) -> None:
    status, body = server.request("PATCH", path, {"metadata": {"finalizers": None}},
                                  content_type="application/merge-patch+json")
    assert status == 200, body


def test_get_watch_prints_each_event(kubectl: Kubectl) -> None:
    watch = kubectl.start("get", "configmaps", "-w", "--output-watch-events", "--request-timeout=30s")
    try:
        kubectl.ok("create", "-f", "-", stdin=configmap("a"))
        assert watch.wait_line(lambda line: line.startswith("EVENT")).split() == ["EVENT", "NAME", "DATA", "AGE"]
        assert re.fullmatch(r"ADDED +a +0 +\ds", watch.wait_line(lambda line: True))
        kubectl.ok("label", "configmap", "a", "x=1")
        assert re.fullmatch(r"MODIFIED +a +0 +\ds", watch.wait_line(lambda line: True))
        kubectl.ok("delete", "configmap", "a")
        assert re.fullmatch(r"DELETED +a +0 +\ds", watch.wait_line(lambda line: True))
    finally:
        watch.stop()


def test_get_watch_with_selector_sees_objects_leave(kubectl: Kubectl) -> None:
    kubectl.ok("create", "-f", "-", stdin=configmap("b"))
    watch = kubectl.start("get", "configmaps", "-w", "-l", "x=1", "--output-watch-events",
                          "--request-timeout=30s")
    try:
        kubectl.ok("label", "configmap", "b", "x=1")
        assert watch.wait_line(lambda line: line.startswith("ADDED")).split()[:2] == ["ADDED", "b"]
        kubectl.ok("label", "configmap", "b", "x=2", "--overwrite")
        assert watch.wait_line(lambda line: True).split()[:2] == ["DELETED", "b"]
        kubectl.ok("label", "configmap", "b", "x=1", "--overwrite")
        assert watch.wait_line(lambda line: True).split()[:2] == ["ADDED", "b"]
    finally:
        watch.stop()


def test_get_pod_watch_follows_the_pod_to_running(kubectl: Kubectl) -> None:
    kubectl.ok("create", "-f", "-", stdin=pod_manifest("p"))
    watch = kubectl.start("get", "pod", "p", "-w", "--request-timeout=30s")
    try:
        assert watch.wait_line(lambda line: line.startswith("NAME")).split() == \
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        watch.wait_line(lambda line: line.split()[:4] == ["p", "1/1", "Running", "0"])
    finally:
        watch.stop()


def test_wait_for_conditions(kubectl: Kubectl) -> None:
    kubectl.ok("create", "-f", "-", stdin=pod_manifest("p"))
    assert kubectl("wait", "--for=condition=Ready", "pod/p", "--timeout=30s") == (0, "pod/p condition met\n", "")
    # The condition already holds: kubectl still needs the initial-events-end bookmark.
    assert kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/p", "--timeout=10s") == \
        (0, "pod/p condition met\n", "")
    assert kubectl("wait", "--for=condition=Ready", "pods", "-l", "app=p", "--timeout=10s") == \
        (0, "pod/p condition met\n", "")

    kubectl.ok("create", "-f", "-", stdin=pod_manifest("stuck", nodeSelector={"nowhere": "true"}))
    timed_out = kubectl("wait", "--for=condition=Ready", "pod/stuck", "--timeout=1s")
    assert timed_out.code == 1 and timed_out.out == ""
    assert timed_out.err.endswith("error: timed out waiting for the condition on pods/stuck\n")


def test_wait_for_create_and_delete(kubectl: Kubectl, server: Server, namespace: str) -> None:
    waiting = kubectl.start("wait", "--for=create", "configmap/late", "--timeout=20s")
    try:
        kubectl.ok("create", "-f", "-", stdin=configmap("late"))
        assert waiting.wait_line(lambda line: True) == "configmap/late condition met"
    finally:
        waiting.stop()

    path = f"/api/v1/namespaces/{namespace}/configmaps/held"
    kubectl.ok("create", "-f", "-", stdin=configmap("held", finalizers=["example.com/hold"]))
    assert kubectl("delete", "configmap", "held", "--wait=false") == \
        (0, f'configmap "held" deleted from {namespace} namespace\n', "")
    waiting = kubectl.start("wait", "--for=delete", "configmap/held", "--timeout=20s", "-v=6",
                            merge_stderr=True)
    try:
        # Its log shows the watch-list request answered; only then does the object go.
        waiting.wait_line(lambda line: "sendInitialEvents=true" in line and "200 OK" in line)
        drop_finalizers(server, path)
        waiting.wait_line(lambda line: line == "configmap/held condition met")
        assert waiting.proc.wait(10) == 0
    finally:
        waiting.stop()
    assert kubectl("wait", "--for=delete", "configmap/held", "--timeout=5s") == (0, "", "")


def test_delete_waits_for_finalizers(kubectl: Kubectl, server: Server, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps/held"
    kubectl.ok("create", "-f", "-", stdin=configmap("held", finalizers=["example.com/hold"]))
    gone = f'configmap "held" deleted from {namespace} namespace\n'
    timed_out = kubectl("delete", "configmap", "held", "--timeout=1s")
    assert timed_out.code == 1 and timed_out.out == gone
    assert timed_out.err.endswith("error: timed out waiting for the condition on configmaps/held\n")
    assert status_of(server, path) == 200

    deleting = kubectl.start("delete", "configmap", "held", "--timeout=20s")
    try:
        assert deleting.wait_line(lambda line: True) + "\n" == gone
        drop_finalizers(server, path)
        assert deleting.proc.wait(15) == 0
    finally:
        deleting.stop()
    assert status_of(server, path) == 404


def test_delete_pods_gracefully_and_by_force(kubectl: Kubectl, server: Server, namespace: str) -> None:
    for name in ("p", "q"):
        kubectl.ok("create", "-f", "-", stdin=pod_manifest(name))
    kubectl.ok("wait", "--for=condition=Ready", "pod/p", "pod/q", "--timeout=30s")
    # The node agent ends the grace period with the final DELETE; kubectl waits for it.
    assert kubectl("delete", "pod", "p", "--timeout=30s") == (0, f'pod "p" deleted from {namespace} namespace\n', "")
    assert status_of(server, f"/api/v1/namespaces/{namespace}/pods/p") == 404
    assert kubectl("delete", "pod", "q", "--grace-period=0", "--force") == \
        (0, f'pod "q" force deleted from {namespace} namespace\n', FORCE_WARNING)
    assert status_of(server, f"/api/v1/namespaces/{namespace}/pods/q") == 404
    assert kubectl("delete", "pod", "q") == (1, "", 'Error from server (NotFound): pods "q" not found\n')
    assert kubectl("delete", "pod", "q", "--ignore-not-found") == (0, "", "")


def test_delete_rc_cascades_or_orphans(kubectl: Kubectl, server: Server, namespace: str) -> None:
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
          "spec": {"replicas": 2, "selector": {"app": "web"}, "template": {
              "metadata": {"labels": {"app": "web"}},
              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}
    pods_path = f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3Dweb"

    def pods() -> list[dict[str, Any]]:
        return server.request("GET", pods_path)[1]["items"]

    kubectl.ok("create", "-f", "-", stdin=json.dumps(rc))
    wait_for(lambda: len(pods()) == 2, message="2 pods")
    assert kubectl("delete", "rc", "web", "--cascade=orphan") == \
        (0, f'replicationcontroller "web" deleted from {namespace} namespace\n', "")
    wait_for(lambda: all(not p["metadata"].get("ownerReferences") for p in pods()), message="orphaned pods")
    assert len(pods()) == 2

    kubectl.ok("create", "-f", "-", stdin=json.dumps(rc | {"metadata": {"name": "web2"}}))
    kubectl.ok("delete", "pods", "-l", "app=web", "--timeout=30s")
    wait_for(lambda: len([p for p in pods() if not p["metadata"].get("deletionTimestamp")]) == 2,
             message="web2's pods")
    assert kubectl("delete", "rc", "web2", "--timeout=30s").code == 0
    wait_for(lambda: pods() == [], message="pods garbage-collected")
    assert kubectl("delete", "pods", "-l", "app=web") == (0, "No resources found\n", "")
