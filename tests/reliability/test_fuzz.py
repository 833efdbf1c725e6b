"""Property-based fuzzing of the write path, on a server of its own without controllers.

- Every field of every served kind (from the published 1.37 schemas), given a value of a JSON
  type it does not accept: a 400 Status, as kube's typed decoder answers, and nothing stored.
- Random JSON documents, random bytes and random merge patches (hypothesis, bounded budget):
  never a 5xx, always a v1 Status for a 4xx, and a rejected write leaves the store unchanged.
"""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
from fuzz_schemas import BASES, body_with, fields, kind_schema, wrong_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import assert_status, revision, send

from support import Server

NS = "fuzz"
RV_ON_CREATE = "resourceVersion should not be set on objects to be created"
_names = (f"fz-{i}" for i in itertools.count())
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)


def served_kinds(server: Server) -> list[dict[str, Any]]:
    """(group, version, kind, path) of every creatable kind in discovery."""
    out = []
    groups = [("", "v1")] + [(g["name"], g["preferredVersion"]["version"])
                             for g in server.request("GET", "/apis")[1]["groups"]]
    for group, version in groups:
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        for res in server.request("GET", base)[1]["resources"]:
            if "/" in res["name"] or "create" not in res["verbs"]:
                continue
            path = f"{base}/namespaces/{NS}/{res['name']}" if res["namespaced"] else f"{base}/{res['name']}"
            out.append({"group": group, "version": version, "kind": res["kind"], "path": path})
    return out


@pytest.fixture(scope="module")
def kinds(quiet_server: Server) -> Iterator[list[dict[str, Any]]]:
    status, body = quiet_server.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    assert status in (201, 409), body
    yield served_kinds(quiet_server)


def _create(server: Server, kind: dict[str, Any], body: Any) -> tuple[int, Any]:
    if isinstance(body, dict):
        body = dict(body, apiVersion=f"{kind['group']}/{kind['version']}".lstrip("/"), kind=kind["kind"])
    return send(server, "POST", kind["path"], json.dumps(body).encode())


def test_every_field_rejects_a_wrong_type(quiet_server: Server, kinds: list[dict[str, Any]]) -> None:
    cases = []
    for kind in kinds:
        schema = kind_schema(kind["group"], kind["version"], kind["kind"])
        assert schema is not None, f"no published schema for {kind['kind']}"
        base = {"metadata": {"name": "wrong-type"}} | BASES.get(kind["kind"], {})
        for field in fields(schema):
            if field.path in (("apiVersion",), ("kind",)):
                continue  # TypeMeta: covered in test_hostile_input, and _create overwrites it
            wrong = wrong_values(field)  # one per field, rotating through the JSON types
            cases.append((kind, field.path, body_with(base, field.path, wrong[len(cases) % len(wrong)])))
    assert len(cases) > 2500, len(cases)  # the sweep reaches deep into every kind
    before = revision(quiet_server)

    def attempt(case: tuple[dict[str, Any], tuple[str, ...], Any]) -> str | None:
        kind, path, body = case
        status, answer = _create(quiet_server, kind, body)
        ok = status == 400 and isinstance(answer, dict) and answer.get("reason") == "BadRequest" and \
            "cannot be handled as a" in answer.get("message", "")
        return None if ok else f"{kind['kind']} {'.'.join(path)}={body_value(body, path)!r}: {status} {answer}"

    with ThreadPoolExecutor(4) as pool:
        failures = [f for f in pool.map(attempt, cases) if f]
    assert not failures, f"{len(failures)} of {len(cases)} wrong-typed fields not refused:\n" + \
        "\n".join(failures[:20])
    assert revision(quiet_server) == before


def body_value(body: Any, path: tuple[str, ...]) -> Any:
    node = body
    for step in path:
        node = node[0] if step == "[]" else node["k" if step == "*" else step]
    return node


@FUZZ
@given(data=st.data())
def test_random_documents_never_break_the_server(quiet_server: Server, kinds: list[dict[str, Any]],
                                                 data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(kinds))
    base = {"metadata": {"name": next(_names)}} | BASES.get(kind["kind"], {})
    # Replace a random top-level part, or graft random JSON at a random schema path.
    schema = kind_schema(kind["group"], kind["version"], kind["kind"]) or {}
    paths = [f.path for f in fields(schema) if f.path[0] not in ("apiVersion", "kind")]
    path = data.draw(st.sampled_from(paths))
    body = body_with(base, path, data.draw(json_values))
    _check_write(quiet_server, *(_create(quiet_server, kind, body)), kind=kind, body=body)


@FUZZ
@given(kind_index=st.integers(0, 100), raw=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
       media=st.sampled_from(["application/json", "application/yaml", "text/plain", ""]))
def test_random_bytes_never_break_the_server(quiet_server: Server, kinds: list[dict[str, Any]], kind_index: int,
                                             raw: bytes, media: str) -> None:
    kind = kinds[kind_index % len(kinds)]
    before = revision(quiet_server)
    status, body = send(quiet_server, "POST", kind["path"], raw, {"Content-Type": media})
    assert status < 500, (status, body, raw)
    if status >= 400:
        assert_status(status, body, status)
        assert revision(quiet_server) == before


@FUZZ
@given(patch=json_values, media=st.sampled_from(["application/merge-patch+json",
                                                 "application/strategic-merge-patch+json",
                                                 "application/json-patch+json"]))
def test_random_patches_never_break_the_server(quiet_server: Server, patch: Any, media: str) -> None:
    path = f"/api/v1/namespaces/{NS}/pods/patch-target"
    if quiet_server.request("GET", path)[0] == 404:
        pod = {"metadata": {"name": "patch-target", "labels": {"a": "b"}}} | BASES["Pod"]
        assert quiet_server.request("POST", f"/api/v1/namespaces/{NS}/pods", pod)[0] == 201
    before = quiet_server.request("GET", path)[1]
    status, body = send(quiet_server, "PATCH", path, json.dumps(patch).encode(), {"Content-Type": media})
    assert status < 500, (status, body, patch)
    if status >= 400:
        assert_status(status, body, status)
        assert quiet_server.request("GET", path)[1] == before


def _check_write(server: Server, status: int, answer: Any, *, kind: dict[str, Any], body: Any) -> None:
    """Never a 5xx; a 4xx is a Status and stores nothing; a 2xx object can be read back and deleted."""
    if status == 500 and answer.get("message") == RV_ON_CREATE:
        return  # kube answers this one with a reason-less 500 too
    assert status < 500, (status, answer, body)
    meta = body.get("metadata") if isinstance(body, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if status >= 400:
        assert_status(status, answer, status)
        if isinstance(name, str) and name:
            assert server.request("GET", f"{kind['path']}/{name}")[0] in (404, 405), f"{name} was stored"
        return
    stored = answer["metadata"]["name"]
    got_status, got = server.request("GET", f"{kind['path']}/{stored}")
    assert got_status == 200 and got["metadata"]["uid"] == answer["metadata"]["uid"], got
    server.request("DELETE", f"{kind['path']}/{stored}?gracePeriodSeconds=0")
