"""Hostile input: every bad body, path or parameter is a 4xx v1 Status (kube's wording where
kube has one), never a 500, never a traceback, and never a half-written object."""

from __future__ import annotations

import json
import time

import pytest
from reliability_support import assert_status, revision, send

from support import Server

NS = "default"
CM = f"/api/v1/namespaces/{NS}/configmaps"
PODS = f"/api/v1/namespaces/{NS}/pods"
TOO_LARGE = "Request entity too large: limit is 3145728"


def _rejected(server: Server, status: int, body: object, code: int | tuple[int, ...], name: str | None = None,
              before: int | None = None, reason: str | None = None) -> dict:
    """A rejected write: the Status, and nothing stored."""
    out = assert_status(status, body, code, reason)
    if before is not None:
        assert revision(server) == before, "a rejected write changed the store"
    if name is not None:
        assert server.request("GET", f"{CM}/{name}")[0] == 404
    return out


@pytest.mark.parametrize("raw, media", [
    (b'{"metadata": {"name": "x"', "application/json"),
    (b"{'metadata': {}}", "application/json"),
    (b"\x00\x01\x02", "application/json"),
    (b"metadata: [\n  name", "application/yaml"),
    (b"metadata:\n\tname: x", "application/yaml"),
    (b"a: b\n---\nc: d", "application/yaml"),
    (b"[1, 2]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"null", "application/json"),
    (b"   ", "application/json"),
])
def test_malformed_bodies_are_400(quiet_server: Server, raw: bytes, media: str) -> None:
    before = revision(quiet_server)
    status, body = send(quiet_server, "POST", CM, raw, {"Content-Type": media})
    _rejected(quiet_server, status, body, 400, before=before, reason="BadRequest")


@pytest.mark.parametrize("field, value, message", [
    ("name", 5, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"),
    ("labels", "app=web", "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type "
                          "map[string]string"),
    ("labels", {"app": 1}, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
                           "string"),
    ("generation", 1.5, "json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation of "
                        "type int64"),
    ("finalizers", "x", "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type "
                        "[]string"),
    ("ownerReferences", [{"controller": "yes"}], "json: cannot unmarshal string into Go struct field "
                                                 "OwnerReference.metadata.ownerReferences.controller of type bool"),
])
def test_wrong_metadata_types_are_kubes_400(quiet_server: Server, field: str, value: object, message: str) -> None:
    before = revision(quiet_server)
    meta = {"name": "typed"} | {field: value}
    status, body = quiet_server.request("POST", CM, {"metadata": meta})
    out = _rejected(quiet_server, status, body, 400, name="typed", before=before, reason="BadRequest")
    assert out["message"] == f'ConfigMap in version "v1" cannot be handled as a ConfigMap: {message}'


def test_wrong_kind_field_types(quiet_server: Server) -> None:
    status, body = quiet_server.request("POST", PODS, {"metadata": {"name": "p"}, "spec": {"containers": "web"}})
    assert assert_status(status, body, 400)["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
        "PodSpec.spec.containers of type []v1.Container")
    status, body = quiet_server.request("POST", CM, {"metadata": {"name": "cm"}, "data": {"k": 1}})
    assert assert_status(status, body, 400)["message"].endswith(
        "cannot unmarshal number into Go struct field ConfigMap.data of type string")
    status, body = quiet_server.request("POST", CM, {"kind": 7, "metadata": {"name": "cm"}})
    assert assert_status(status, body, 400)["message"] == (
        "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field "
        ".kind of type string")


def test_wrong_types_in_patches_and_options(quiet_server: Server) -> None:
    assert quiet_server.request("POST", CM, {"metadata": {"name": "patched"}, "data": {"a": "1"}})[0] == 201
    before = revision(quiet_server)
    for patch in ({"data": "flat"}, {"metadata": {"labels": [1]}}, {"metadata": 5},
                  {"data": {"deep": json.loads("[" * 150 + "]" * 150)}}):
        status, body = send(quiet_server, "PATCH", f"{CM}/patched", json.dumps(patch).encode(),
                            {"Content-Type": "application/merge-patch+json"})
        _rejected(quiet_server, status, body, (400, 422), before=before)
    status, body = send(quiet_server, "DELETE", f"{CM}/patched", b'{"gracePeriodSeconds": "soon"}')
    assert assert_status(status, body, 400)["message"].endswith(
        "json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64")
    status, body = send(quiet_server, "DELETE", f"{CM}/patched", b'{"preconditions": "x"}')
    _rejected(quiet_server, status, body, 400, before=before)
    assert quiet_server.request("GET", f"{CM}/patched")[1]["data"] == {"a": "1"}


def test_deep_nesting_is_400(quiet_server: Server) -> None:
    before = revision(quiet_server)
    for depth in (150, 5000):
        raw = b'{"metadata": {"name": "deep"}, "data": {}, "x": ' + b"[" * depth + b"]" * depth + b"}"
        status, body = send(quiet_server, "POST", CM, raw)
        _rejected(quiet_server, status, body, 400, name="deep", before=before)
        yaml_raw = b"metadata: {name: deep}\nx: " + b"[" * depth + b"]" * depth
        status, body = send(quiet_server, "POST", CM, yaml_raw, {"Content-Type": "application/yaml"})
        _rejected(quiet_server, status, body, 400, name="deep", before=before)


def test_yaml_alias_bomb_is_refused_quickly(quiet_server: Server) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    raw = ("metadata: {name: bomb}\n" + "\n".join(lines)).encode()
    start = time.monotonic()
    status, body = send(quiet_server, "POST", CM, raw, {"Content-Type": "application/yaml"})
    assert time.monotonic() - start < 5
    out = _rejected(quiet_server, status, body, 400, name="bomb")
    assert "excessive aliasing" in out["message"]


def test_yaml_maps_onto_json(quiet_server: Server) -> None:
    raw = b"metadata: {name: yamlish}\ndata: {1: one, when: 2001-12-14}"
    status, body = send(quiet_server, "POST", CM, raw, {"Content-Type": "application/yaml"})
    assert status == 201, body
    assert body["data"] == {"1": "one", "when": "2001-12-14"}
    raw = b"metadata: {name: big}\nspec: {activeDeadlineSeconds: 123456789012345678901234567890}"
    status, body = send(quiet_server, "POST", PODS, raw, {"Content-Type": "application/yaml"})
    assert "of type int64" in assert_status(status, body, 400)["message"]
    status, body = send(quiet_server, "POST", CM, b"metadata: {name: nan}\nx: .nan", {"Content-Type": "application/yaml"})
    assert assert_status(status, body, 400)["message"].endswith("json: unsupported value: NaN")


def test_invalid_utf8_becomes_replacement_character(quiet_server: Server) -> None:
    status, body = send(quiet_server, "POST", CM, b'{"metadata": {"name": "utf"}, "data": {"k": "a\xffb"}}')
    assert status == 201, body
    assert quiet_server.request("GET", f"{CM}/utf")[1]["data"]["k"] == "a\ufffdb"
    before = revision(quiet_server)
    status, body = send(quiet_server, "POST", CM, b'{"metadata": {"name": "bad\xff"}}')
    out = _rejected(quiet_server, status, body, 422, before=before, reason="Invalid")
    assert out["details"]["causes"][0]["field"] == "metadata.name" and "\ufffd" in out["message"]
    status, body = send(quiet_server, "POST", CM, b'{"metadata": {"name": "lab", "labels": {"k": "v\xfe"}}}')
    _rejected(quiet_server, status, body, 422, name="lab", before=before, reason="Invalid")
    status, body = send(quiet_server, "GET", CM + "/%FF%FE")
    assert_status(status, body, 404, "NotFound")


@pytest.mark.parametrize("chunked", [False, True])
def test_bodies_over_3_mib_are_413(quiet_server: Server, chunked: bool) -> None:
    before = revision(quiet_server)
    value = "x" * (3 * 1024 * 1024)
    raw = json.dumps({"metadata": {"name": "huge"}, "data": {"k": value}}).encode()
    status, body = send(quiet_server, "POST", CM, raw, chunked=chunked)
    out = _rejected(quiet_server, status, body, 413, name="huge", before=before, reason="RequestEntityTooLarge")
    assert out["message"] == TOO_LARGE
    status, body = send(quiet_server, "PUT", f"{CM}/huge", raw, chunked=chunked)
    assert assert_status(status, body, 413)["message"] == TOO_LARGE
    assert quiet_server.request("GET", "/readyz")[0] == 200


def test_a_body_of_exactly_3_mib_is_read(quiet_server: Server) -> None:
    head = b'{"metadata": {"name": "limit"}, "data": {"k": "'
    raw = head + b"y" * (3 * 1024 * 1024 - len(head) - 3) + b'"}}'
    assert len(raw) == 3 * 1024 * 1024
    status, body = send(quiet_server, "POST", CM, raw)
    # Read and judged on its content: a ConfigMap holds at most 1 MiB.
    assert "Too long" in assert_status(status, body, 422, "Invalid")["message"]


def test_huge_labels_names_and_annotations_are_422(quiet_server: Server) -> None:
    before = revision(quiet_server)
    cases = [
        {"name": "a" * 254},
        {"name": "lbl", "labels": {"k": "v" * 100_000}},
        {"name": "lbl", "labels": {"k" * 100_000: "v"}},
        {"name": "ann", "annotations": {"k": "v" * (256 * 1024)}},
        {"generateName": "g" * 300},
    ]
    for meta in cases:
        status, body = quiet_server.request("POST", CM, {"metadata": meta})
        _rejected(quiet_server, status, body, 422, before=before, reason="Invalid")
    status, body = quiet_server.request("POST", CM, {"metadata": {"name": "n" * 253}})
    assert status == 201, body


@pytest.mark.parametrize("query", [
    "labelSelector=%3D%3D%3D", "labelSelector=a%20in%20(", "fieldSelector=spec.nope%3Dx", "limit=abc",
    "continue=%%%", "continue=eyJ2IjoxfQ", "resourceVersion=abc&watch=true", "watch=true&timeoutSeconds=soon",
    "labelSelector=%FF", "limit=-5&continue=x",
])
def test_bad_query_parameters_are_4xx(quiet_server: Server, query: str) -> None:
    status, body = send(quiet_server, "GET", f"{CM}?{query}")
    assert_status(status, body, (400, 410, 422))


@pytest.mark.parametrize("method, path, headers", [
    ("GET", "/api/v1/namespaces/default/configmaps/" + "x" * 10_000, {}),
    ("POST", CM, {"Content-Type": "application/x-unknown"}),
    ("POST", CM, {"Content-Type": "application/vnd.kubernetes.protobuf"}),
    ("PATCH", f"{CM}/none", {"Content-Type": "text/plain"}),
    ("GET", CM, {"Accept": "text/html;q=;;,,"}),
    ("PUT", PODS, {}),
])
def test_odd_requests_never_500(quiet_server: Server, method: str, path: str, headers: dict[str, str]) -> None:
    status, body = send(quiet_server, method, path, b'{"metadata": {"name": "x"}}' if method != "GET" else None,
                        headers)
    assert status < 500, (status, body)
    if status >= 400 and isinstance(body, dict):
        assert_status(status, body, status)
