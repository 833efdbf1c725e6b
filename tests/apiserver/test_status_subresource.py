"""PUT /status decodes the whole body, as kube-apiserver does, although it keeps only the
status: a wrongly typed field anywhere is a 400, and the rest of the body is ignored."""

from __future__ import annotations

import copy
from typing import Any

from support import Server


def _pod(server: Server, namespace: str) -> tuple[str, dict[str, Any]]:
    path = f"/api/v1/namespaces/{namespace}/pods/lonely"
    status, pod = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
        "metadata": {"name": "lonely"},
        "spec": {"schedulerName": "nobody", "containers": [{"name": "app", "image": "nginx:1.27"}]}})
    assert status == 201, pod
    return path, pod


_CANNOT = 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
WRONG_TYPES = [
    (("spec", "containers"), "app",
     "string into Go struct field PodSpec.spec.containers of type []v1.Container"),
    # Equal in Python (30.0 == 30) but not to Go: an integer field given a float.
    (("spec", "terminationGracePeriodSeconds"), 30.0,
     "number 30.0 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64"),
    (("status", "phase"), 1, "number into Go struct field PodStatus.status.phase of type string"),
]


def test_status_put_rejects_wrong_types_anywhere_in_the_body(server: Server, namespace: str) -> None:
    path, pod = _pod(server, namespace)
    for (part, field), value, message in WRONG_TYPES:
        wrong = copy.deepcopy(pod)
        wrong[part][field] = value
        status, body = server.request("PUT", path + "/status", wrong)
        assert (status, body["message"]) == (400, _CANNOT + message)


def test_status_put_keeps_the_stored_spec_and_takes_the_status(server: Server, namespace: str) -> None:
    path, pod = _pod(server, namespace)
    changed = copy.deepcopy(pod)
    changed["spec"]["activeDeadlineSeconds"] = 5
    changed["status"]["message"] = "waiting for a scheduler"
    changed["status"]["nominatedNodeName"] = None  # decodes as unset
    status, body = server.request("PUT", path + "/status", changed)
    assert status == 200, body
    assert body["spec"] == pod["spec"]
    assert body["status"] == {**pod["status"], "message": "waiting for a scheduler"}
