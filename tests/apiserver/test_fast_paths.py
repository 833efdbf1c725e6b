"""The create path's shortcuts answer as the full checks do: strict decoding without a second
parse when no key can have been repeated, the typed decode's common case, and the plain ASGI
dispatch of resource paths."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import orjson

from apiserver import schemas, strictdecode, typecheck
from apiserver.errors import StatusError
from apiserver.typeclean import clean
from support import Server

POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"generateName": "web-", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "c", "image": "nginx", "args": ["a"],
                             "ports": [{"name": "http", "containerPort": 80}],
                             "resources": {"requests": {"cpu": "10m"}},
                             "readinessProbe": {"httpGet": {"path": "/", "port": 8080}}}]},
}


def _problems(body: bytes) -> list[str]:
    return schemas.field_problems(json.loads(body), "", "v1", "Pod", body)


def test_duplicates_are_found_however_the_body_is_written() -> None:
    compact = orjson.dumps(POD)
    assert _problems(compact) == []
    assert _problems(json.dumps(POD, indent=2).encode()) == []
    assert _problems(json.dumps(POD, separators=(",", " : ")).encode()) == []
    # A repeated key, spaced before its colon, next to a string that holds `":`.
    spaced = compact.replace(b'{"name":"c"', b'{"name" : "c", "name"\n: "d", "image2":"x\\":"')
    assert _problems(spaced) == ['duplicate field "spec.containers[0].name"',
                                 'unknown field "spec.containers[0].image2"']
    escaped = compact.replace(b'"labels":{', b'"labels":{"a\\u0022":"1","a\\"":"2",')
    assert _problems(escaped) == ['duplicate field "metadata.labels.a""']  # the key, as kube prints it


def test_a_dict_in_a_string_field_takes_the_long_way_and_reads_the_same() -> None:
    pod = copy.deepcopy(POD)
    pod["spec"]["containers"][0]["image"] = {"x": 1}
    body = orjson.dumps(pod)
    assert strictdecode._quiet(pod, strictdecode._root("", "v1", "Pod")) < strictdecode._keys(pod)
    assert _problems(body) == []
    assert _problems(body.replace(b'"x":1', b'"x":1,"x":2')) == []  # below a scalar: not walked


def test_clean_bodies_decode_as_they_are_and_the_rest_as_before() -> None:
    root = typecheck._root("", "v1", "Pod")
    assert clean(copy.deepcopy(POD), root)
    for path, value in [(("metadata", "creationTimestamp"), None), (("metadata", "labels"), {"a": None}),
                        (("metadata", "creationTimestamp"), "2024-01-01T02:00:00+02:00"),
                        (("spec", "containers"), [{"name": "c", "ports": [{"containerPort": 2 ** 31}]}]),
                        (("spec", "hostNetwork"), "yes"), (("spec", "containers"), [None])]:
        pod = copy.deepcopy(POD)
        pod[path[0]][path[1]] = value
        assert not clean(pod, root), (path, value)
    pod = copy.deepcopy(POD)
    pod["metadata"].update({"creationTimestamp": "2024-01-01T02:00:00+02:00", "uid": None})
    typecheck.check_object(pod, "", "v1", "Pod")
    assert pod["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z" and "uid" not in pod["metadata"]
    pod["spec"]["containers"][0]["ports"][0]["containerPort"] = 2 ** 31
    try:
        typecheck.check_object(pod, "", "v1", "Pod")
        raise AssertionError("no error")
    except StatusError as e:
        assert "spec.containers.ports.containerPort of type int32" in e.status()["message"]


def test_resource_paths_answer_as_the_router_would(server: Server, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/pods"
    pod = copy.deepcopy(POD)
    pod["metadata"]["namespace"] = namespace
    json_type = {"content-type": "application/json"}
    with httpx.Client(base_url=server.url, timeout=10) as c:
        created = c.post(path, content=orjson.dumps(pod), headers=json_type)
        assert created.status_code == 201, created.text
        assert created.content == orjson.dumps(created.json())  # the stored bytes, sent as they are
        assert created.headers["content-type"] == "application/json"
        dup = c.post(path, content=orjson.dumps(pod)[:-1] + b',"kind":"Pod"}', headers=json_type)
        assert dup.status_code == 201 and dup.headers["warning"] == '299 - "duplicate field \\"kind\\""'
        gone = c.get(f"{path}/nope")
        assert gone.status_code == 404 and gone.json()["reason"] == "NotFound"
        assert c.get("/api/v1/nosuchthing").text == "404 page not found\n"
        other = c.request("OPTIONS", "/api/v1/pods")
        assert other.status_code == 405 and other.json()["kind"] == "Status"
        bad = c.post(path, content=b"{", headers=json_type)
        assert bad.status_code == 400 and bad.json()["kind"] == "Status"
