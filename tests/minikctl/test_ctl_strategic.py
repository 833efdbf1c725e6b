"""The client-side strategic merge patch of `apply`, against patches recorded from kubectl 1.37.

data/apply-patches.json holds, per scenario, what the real `kubectl apply -v=8` saw and sent:
the last-applied configuration, the live object, the new manifest and the PATCH body. The patch
metadata comes from the live server's /openapi/v3, as kubectl's did.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from minikctl.applying import modified_configuration
from minikctl.client import Client
from minikctl.kubeconfig import ClientConfig
from minikctl.openapi import OpenAPI
from minikctl.printing.jsonout import to_compact_json
from minikctl.strategic import SchemaLookup, three_way_patch, two_way_patch
from minikctl.strategic.merge import MergeOptions, merge_map
from minikctl.strategic.values import dedupe_scalars, deep_equal

SCENARIOS = json.loads((Path(__file__).parent / "data" / "apply-patches.json").read_text())


@pytest.fixture(scope="module")
def openapi(server: Any, tmp_path_factory: pytest.TempPathFactory) -> OpenAPI:
    client = Client(ClientConfig(server=server.url, namespace="default"))
    return OpenAPI(client, tmp_path_factory.mktemp("openapi"))


def lookup(openapi: OpenAPI, kind: str) -> SchemaLookup:
    schema = openapi.kind_schema("", "v1", kind)
    assert schema is not None and openapi.supports_strategic_merge("", "v1", kind)
    return SchemaLookup(schema, openapi.schemas("", "v1"))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_three_way_patch_is_kubectls(openapi: OpenAPI, name: str) -> None:
    case = SCENARIOS[name]
    from minikctl.manifests import parse_stream

    manifest = next(iter(parse_stream(case["manifest"], "f.yaml"))).obj
    manifest["metadata"]["namespace"] = case["namespace"]
    modified, _ = modified_configuration(manifest)
    patch = three_way_patch(case["original"], modified, case["current"],
                            lookup(openapi, case["current"]["kind"]))
    assert to_compact_json(patch) == case["patch"]


def test_unchanged_manifest_gives_an_empty_patch(openapi: OpenAPI) -> None:
    case = SCENARIOS["rc"]
    modified, text = modified_configuration(case["original"])
    current = json.loads(json.dumps(case["current"]))
    current["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = text
    current["spec"]["replicas"] = case["original"]["spec"]["replicas"]
    live_env = current["spec"]["template"]["spec"]["containers"][0]["env"]
    live_env[:] = case["original"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert three_way_patch(case["original"], modified, current,
                           lookup(openapi, "ReplicationController")) == {}


def test_annotation_is_compact_sorted_go_json() -> None:
    obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"},
           "data": {"b": "<&>", "a": "é", "n": 1.5}}
    modified, text = modified_configuration(obj)
    assert text == ('{"apiVersion":"v1","data":{"a":"é","b":"\\u003c\\u0026\\u003e","n":1.5},'
                    '"kind":"ConfigMap","metadata":{"annotations":{},"name":"c"}}\n')
    assert modified["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/last-applied-configuration": text}
    assert "annotations" not in obj["metadata"]


def test_applying_the_patch_locally_reaches_the_manifest(openapi: OpenAPI) -> None:
    case = SCENARIOS["service"]
    schema = lookup(openapi, "Service")
    patch = json.loads(case["patch"])
    result = merge_map(json.loads(json.dumps(case["current"])), patch, schema,
                       MergeOptions(parallel_lists=True, ignore_unmatched_nulls=True))
    assert [p["port"] for p in result["spec"]["ports"]] == [443, 80]
    assert result["spec"]["ports"][1]["targetPort"] == 8081
    assert result["metadata"]["labels"] == {"app": "s", "tier": "web2"}
    assert result["spec"]["selector"] == {"app": "s", "v": "2"}


def test_two_way_patch_for_edit(openapi: OpenAPI) -> None:
    live = yaml.safe_load(SCENARIOS["service"]["manifest"])
    edited = json.loads(json.dumps(live))
    edited["spec"]["ports"].pop(0)
    edited["metadata"]["labels"]["new"] = "1"
    patch = two_way_patch(live, edited, lookup(openapi, "Service"))
    assert to_compact_json(patch) == (
        '{"metadata":{"labels":{"new":"1"}},"spec":{"$setElementOrder/ports":[{"port":80}],'
        '"ports":[{"$patch":"delete","port":443}]}}')


def test_go_value_semantics() -> None:
    assert not deep_equal(1, 1.0) and not deep_equal(True, 1) and deep_equal({"a": [1]}, {"a": [1]})
    assert dedupe_scalars(["a", "b", "a", "c"]) == ["a", "b", "c"]
    assert dedupe_scalars([1, 2, 1, 3, 2]) == [1, 2, 3]
