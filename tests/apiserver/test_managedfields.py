"""Server-side apply's field ownership (machinery/managedfields.py) on plain dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apiserver import errors
from apiserver.machinery import managedfields as mf

T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z"


def rc(image: str = "nginx", sidecar: bool = True) -> dict[str, Any]:
    containers = [{"name": "app", "image": image, "ports": [{"containerPort": 80}]}]
    if sidecar:
        containers.append({"name": "log", "image": "busybox", "args": ["tail"]})
    return {"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a/b"]},
            "spec": {"replicas": 2, "template": {"spec": {"containers": containers}}},
            "status": {"replicas": 1}}


def test_field_set_follows_list_kinds_and_skips_identity() -> None:
    paths = mf.field_set(rc(), "ReplicationController")
    fields = mf.to_fields_v1(paths)
    assert fields == {
        "f:metadata": {"f:labels": {"f:app": {}}, "f:finalizers": {'v:"a/b"': {}}},
        "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
            'k:{"name":"app"}': {".": {}, "f:name": {}, "f:image": {},
                                 "f:ports": {'k:{"containerPort":80}': {".": {}, "f:containerPort": {}}}},
            'k:{"name":"log"}': {".": {}, "f:name": {}, "f:image": {}, "f:args": {}}}}}}}
    assert mf.from_fields_v1(fields) == paths
    assert mf.path_string((("f", "spec"), ("f", "containers"), ("k", '{"name":"app"}'), ("f", "image"))) == \
        '.spec.containers[name="app"].image'


def test_apply_records_merges_and_is_idempotent() -> None:
    live = copy.deepcopy(rc())
    live["metadata"]["labels"]["extra"] = "kept"
    first = mf.apply(live, rc(), "ReplicationController", "alice", "v1", T1)
    assert first["metadata"]["labels"] == {"app": "web", "extra": "kept"}
    [entry] = first["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["time"], entry["fieldsType"]) == \
        ("alice", "Apply", T1, "FieldsV1")
    again = mf.apply(first, rc(), "ReplicationController", "alice", "v1", T2)
    assert again == first  # same configuration: same entry, same time


def test_conflicts_force_and_removal() -> None:
    live = mf.apply(rc(), rc(), "ReplicationController", "alice", "v1", T1)
    with pytest.raises(errors.StatusError) as refused:
        mf.apply(live, rc(image="nginx:2"), "ReplicationController", "bob", "v1", T2)
    assert refused.value.code == 409
    assert refused.value.message == ('Apply failed with 1 conflict: conflict with "alice": '
                                     '.spec.template.spec.containers[name="app"].image')
    forced = mf.apply(live, rc(image="nginx:2", sidecar=False), "ReplicationController", "bob", "v1", T2,
                      force=True)
    app = forced["spec"]["template"]["spec"]["containers"][0]
    assert app["image"] == "nginx:2"
    owners = {e["manager"]: mf.from_fields_v1(e["fieldsV1"]) for e in forced["metadata"]["managedFields"]}
    image = (("f", "spec"), ("f", "template"), ("f", "spec"), ("f", "containers"), ("k", '{"name":"app"}'),
             ("f", "image"))
    assert image in owners["bob"] and image not in owners["alice"]

    # alice drops the sidecar, which only she applied: it goes; the co-owned app stays.
    dropped = mf.apply(forced, rc(image="nginx:2", sidecar=False), "ReplicationController", "alice", "v1", T2)
    assert [c["name"] for c in dropped["spec"]["template"]["spec"]["containers"]] == ["app"]
    assert dropped["status"] == {"replicas": 1}  # an apply to the main resource never owns status
