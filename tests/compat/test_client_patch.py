"""PATCH as the official Python client sends it: a list body is a JSON patch, a dict body a
strategic merge patch, `_content_type` picks merge patch or server-side apply."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from support import Server

MERGE = "application/merge-patch+json"
APPLY = "application/apply-patch+yaml"


def failure(err: ApiException) -> dict[str, Any]:
    body = json.loads(err.body)
    assert body["kind"] == "Status" and body["code"] == err.status, body
    return body


def sanitize(api: client.ApiClient, obj: Any) -> Any:
    return api.sanitize_for_serialization(obj)


@pytest.fixture
def rc(core: client.CoreV1Api, namespace: str) -> Iterator[str]:
    core.create_namespaced_replication_controller(namespace, {
        "metadata": {"name": "web", "finalizers": ["example.com/a", "example.com/b"]},
        "spec": {"replicas": 0, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [
                {"name": "app", "image": "nginx:1.27",
                 "ports": [{"containerPort": 80}, {"containerPort": 81}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "1d"]}],
                "volumes": [{"name": "data", "emptyDir": {}}]}}}})
    yield "web"
    core.patch_namespaced_replication_controller("web", namespace, {"metadata": {"finalizers": None}},
                                                 _content_type=MERGE)


def test_json_patch(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}, "data": {"k": "v"}})
    patched = core.patch_namespaced_config_map("c", namespace, [
        {"op": "test", "path": "/data/k", "value": "v"},
        {"op": "add", "path": "/metadata/labels", "value": {"app.kubernetes.io/name": "x"}},
        {"op": "copy", "from": "/data/k", "path": "/data/k2"},
        {"op": "move", "from": "/data/k", "path": "/data/k3"},
        {"op": "replace", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "y"}])
    assert patched.data == {"k2": "v", "k3": "v"}
    assert patched.metadata.labels == {"app.kubernetes.io/name": "y"}
    with pytest.raises(ApiException) as failed:
        core.patch_namespaced_config_map("c", namespace, [{"op": "test", "path": "/data/k2", "value": "nope"},
                                                          {"op": "remove", "path": "/data/k2"}])
    assert failed.value.status == 422
    assert failure(failed.value)["message"] == "the server rejected our request due to an error in our request"
    assert core.read_namespaced_config_map("c", namespace).data == {"k2": "v", "k3": "v"}


def test_merge_patch_and_resource_version_precondition(core: client.CoreV1Api, namespace: str) -> None:
    made = core.create_namespaced_config_map(namespace, {"metadata": {"name": "c", "labels": {"a": "1"}},
                                                         "data": {"k": "v", "gone": "x"}})
    patched = core.patch_namespaced_config_map("c", namespace, {"data": {"gone": None, "new": "n"}},
                                               _content_type=MERGE)
    assert patched.data == {"k": "v", "new": "n"}
    with pytest.raises(ApiException) as stale:
        core.patch_namespaced_config_map("c", namespace, {"metadata": {
            "resourceVersion": made.metadata.resource_version, "labels": {"b": "2"}}}, _content_type=MERGE)
    assert stale.value.status == 409 and failure(stale.value)["reason"] == "Conflict"
    with pytest.raises(ApiException) as missing:
        core.patch_namespaced_config_map("nosuch", namespace, {"data": {}}, _content_type=MERGE)
    assert missing.value.status == 404


def test_strategic_merge_patch_keys_and_directives(api: client.ApiClient, core: client.CoreV1Api,
                                                  namespace: str, rc: str) -> None:
    patched = core.patch_namespaced_replication_controller(rc, namespace, {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}],
        "containers": [{"name": "app", "image": "nginx:1.28",
                        "$setElementOrder/env": [{"name": "B"}, {"name": "C"}],
                        "env": [{"name": "A", "$patch": "delete"}, {"name": "C", "value": "3"}],
                        "ports": [{"containerPort": 81, "name": "alt"}]}],
        "volumes": [{"name": "cache", "emptyDir": {}}]}}}})
    spec = sanitize(api, patched.spec.template.spec)
    assert [c["name"] for c in spec["containers"]] == ["sidecar", "app"]
    app = spec["containers"][1]
    assert app["image"] == "nginx:1.28"
    assert app["env"] == [{"name": "B", "value": "2"}, {"name": "C", "value": "3"}]
    assert [(p["containerPort"], p.get("name")) for p in app["ports"]] == [(80, None), (81, "alt")]
    assert app["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert [v["name"] for v in spec["volumes"]] == ["cache", "data"]

    removed = core.patch_namespaced_replication_controller(rc, namespace, {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]},
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}],
                                       "volumes": [{"$patch": "replace"}, {"name": "data", "hostPath": {"path": "/d"}}]}}}})
    assert removed.metadata.finalizers == ["example.com/b"]
    assert [c.name for c in removed.spec.template.spec.containers] == ["app"]
    assert sanitize(api, removed.spec.template.spec.volumes) == [
        {"name": "data", "hostPath": {"path": "/d", "type": ""}}]

    # A list without a merge key (args) is replaced whole; generation counts spec changes.
    args = core.patch_namespaced_replication_controller(rc, namespace, {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "args": ["--one"]}]}}}})
    args = core.patch_namespaced_replication_controller(rc, namespace, {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "args": ["--two"]}]}}}})
    assert args.spec.template.spec.containers[0].args == ["--two"]
    assert args.metadata.generation == 5


def test_server_side_apply(core: client.CoreV1Api, namespace: str) -> None:
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"team": "a"}},
               "data": {"x": "1", "y": "2"}}
    made = core.patch_namespaced_config_map("c", namespace, applied, field_manager="alice", _content_type=APPLY)
    assert made.data == {"x": "1", "y": "2"}
    entries = [(m.manager, m.operation, m.fields_type, m.fields_v1) for m in made.metadata.managed_fields]
    assert entries == [("alice", "Apply", "FieldsV1", {
        "f:data": {"f:x": {}, "f:y": {}}, "f:metadata": {"f:labels": {"f:team": {}}}})]
    assert made.metadata.managed_fields[0].time.tzinfo is not None

    # bob may state the same value (shared ownership), not a different one...
    core.patch_namespaced_config_map("c", namespace, {**applied, "data": {"y": "2"}}, field_manager="bob",
                                     _content_type=APPLY)
    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_config_map("c", namespace, {**applied, "data": {"x": "9", "y": "3"}},
                                         field_manager="bob", _content_type=APPLY)
    status = failure(refused.value)
    assert (refused.value.status, status["reason"]) == (409, "Conflict")
    assert status["message"] == ('Apply failed with 2 conflicts: conflicts with "alice":\n- .data.x\n- .data.y')
    assert status["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.x"},
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.y"}]
    # ...unless forced, which moves the field to bob.
    forced = core.patch_namespaced_config_map("c", namespace, {**applied, "data": {"x": "9"}},
                                              field_manager="bob", force=True, _content_type=APPLY)
    assert forced.data == {"x": "9", "y": "2"}
    owners = {m.manager: m.fields_v1 for m in forced.metadata.managed_fields}
    assert owners["alice"] == {"f:data": {"f:y": {}}, "f:metadata": {"f:labels": {"f:team": {}}}}
    assert owners["bob"] == {"f:data": {"f:x": {}}, "f:metadata": {"f:labels": {"f:team": {}}}}

    # alice stops applying y, which she alone owns: it goes; team stays, bob applies it too.
    left = core.patch_namespaced_config_map("c", namespace, {**applied, "data": {}}, field_manager="alice",
                                            _content_type=APPLY)
    assert left.data == {"x": "9"} and left.metadata.labels == {"team": "a"}
    stale = {**applied, "metadata": {**applied["metadata"], "resourceVersion": made.metadata.resource_version}}
    with pytest.raises(ApiException) as conflict:
        core.patch_namespaced_config_map("c", namespace, stale, field_manager="alice", _content_type=APPLY)
    assert conflict.value.status == 409 and failure(conflict.value)["reason"] == "Conflict"
    with pytest.raises(ApiException) as no_manager:
        core.patch_namespaced_config_map("c", namespace, applied, _content_type=APPLY)
    assert no_manager.value.status == 422
    assert failure(no_manager.value)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')


def test_unsupported_patch_type(core: client.CoreV1Api, server: Server, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}})
    status, body = server.request("PATCH", f"/api/v1/namespaces/{namespace}/configmaps/c", {"data": {}},
                                  content_type="text/plain")
    assert (status, body["reason"]) == (415, "UnsupportedMediaType")
