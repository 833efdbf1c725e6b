"""PATCH algorithms: RFC 6902 and RFC 7386 examples, strategic merge patch scenarios from
kubectl, kopf and the Python client, kube's error statuses, and a differential check against
the real Go implementation (`kubectl patch --local`, which runs apimachinery's code offline)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiserver.errors import StatusError
from apiserver.machinery.patch import (
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    apply_patch,
    json_patch,
    merge_patch,
    parse_apply_body,
    strategic_merge_patch,
)

KUBECTL = Path(sys.executable).with_name("kubectl")
REJECTED = "the server rejected our request due to an error in our request"


def status_of(fn: Any, *args: Any) -> StatusError:
    with pytest.raises(StatusError) as info:
        fn(*args)
    return info.value


def drop_nulls(value: Any) -> Any:
    """Typed decoding drops null members server-side; compare results without them."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def has_directive(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.startswith("$") or has_directive(v) for k, v in value.items())
    return isinstance(value, list) and any(has_directive(v) for v in value)


def kubectl_patch(tmp_path: Path, doc: dict[str, Any], kind: str, patch: Any) -> tuple[bool, Any]:
    """(True, result) or (False, error text) from the real apimachinery code."""
    if not KUBECTL.exists():
        pytest.skip("kubectl binary not installed next to the interpreter")
    source = tmp_path / f"doc-{len(list(tmp_path.iterdir()))}.json"
    source.write_text(json.dumps(doc))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")}
    done = subprocess.run([str(KUBECTL), "patch", "--local", "-f", str(source), "--type", kind,
                           "-p", json.dumps(patch), "-o", "json"],
                          capture_output=True, text=True, timeout=60, env=env)
    if done.returncode:
        return False, done.stderr.strip().removeprefix("error: ")
    return True, json.loads(done.stdout)


# -- RFC 6902 JSON patch -----------------------------------------------------------------------

RFC6902 = [  # Appendix A: (doc, ops, result or None for an error)
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], None),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], None),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], None),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
]


@pytest.mark.parametrize("doc, ops, result", RFC6902)
def test_rfc6902_examples(doc: dict[str, Any], ops: list[dict[str, Any]], result: Any) -> None:
    before = copy.deepcopy(doc)
    if result is None:
        err = status_of(json_patch, doc, ops)
        assert err.status() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": REJECTED, "reason": "Invalid", "details": {}, "code": 422}
    else:
        assert json_patch(doc, ops) == result
    assert doc == before


def test_label_key_with_slash_uses_tilde_escape() -> None:
    doc = {"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}
    ops = [{"op": "replace", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "api"}]
    assert json_patch(doc, ops) == {"metadata": {"labels": {"app.kubernetes.io/name": "api"}}}


V4_QUIRKS = [  # evanphx/json-patch v4 departures from the RFC that kube-apiserver exposes
    [{"op": "replace", "path": "/x/new", "value": 1}],  # replace of a missing member adds it
    [{"op": "add", "path": "/x/list/-1", "value": "q"}, {"op": "remove", "path": "/x/list/-2"}],
    [{"op": "test", "path": "/x/missing", "value": None}, {"op": "add", "path": "/x/novalue"}],
    [{"op": "copy", "from": "/x/list", "path": "/x/copy"}, {"op": "add", "path": "/x/copy/0", "value": 0}],
    [{"op": "move", "from": "/x/list/0", "path": "/x/first"}],
    [{"op": "copy", "from": "/x/absent", "path": "/x/copied"}],
    [{"op": "move", "from": "/x/absent", "path": "/x/moved"}],
    [{"op": "remove", "path": "/x/list/5"}],
    [{"op": "remove", "path": "/x/absent"}],
    [{"op": "add", "path": "/x/list/3", "value": 1}],
    [{"op": "frob", "path": "/x"}],
    [{"op": "add", "path": "x"}],
]


@pytest.mark.parametrize("ops", V4_QUIRKS)
def test_json_patch_matches_the_go_implementation(tmp_path: Path, ops: list[dict[str, Any]]) -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
           "x": {"list": ["a", "b"], "n": 1, "m": {"k": "v"}}}
    ok, expected = kubectl_patch(tmp_path, doc, "json", ops)
    if ok:
        assert json_patch(doc, ops) == expected
    else:
        assert status_of(json_patch, doc, ops).code == 422, expected


def test_json_patch_test_compares_like_raw_json() -> None:
    # v4 compares compacted bytes: 1 and 1.0 differ, and so do 1 and true. (Not checked
    # through kubectl, whose -p flag re-encodes the patch via YAML first.)
    assert status_of(json_patch, {"n": 1}, [{"op": "test", "path": "/n", "value": 1.0}]).code == 422
    assert status_of(json_patch, {"n": 1}, [{"op": "test", "path": "/n", "value": True}]).code == 422
    assert json_patch({"n": {"a": [1]}}, [{"op": "test", "path": "/n", "value": {"a": [1]}}]) == {"n": {"a": [1]}}


def test_kopf_finalizer_removal_and_its_optimistic_lock() -> None:
    """kopf removes finalizers with a JSON patch it computes by diffing, guarded by a `test`
    of the resourceVersion; it relies on a stale version coming back as 422."""
    from kopf._cogs.structs import finalizers, patches

    marker = "kopf.zalando.org/KopfFinalizerMarker"
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "resourceVersion": "7", "finalizers": ["keep", marker],
                         "deletionTimestamp": "2024-01-01T00:00:00Z"}}
    patch = patches.Patch(fns=[lambda b: finalizers.allow_deletion(b, marker)])
    ops = [{"op": "test", "path": "/metadata/resourceVersion", "value": "7"}, *patch.as_json_patch(body)]
    result = apply_patch(body, JSON_PATCH, json.dumps(ops).encode(), "ConfigMap")
    assert result["metadata"]["finalizers"] == ["keep"]
    stale = {**body, "metadata": {**body["metadata"], "resourceVersion": "8"}}
    assert status_of(apply_patch, stale, JSON_PATCH, json.dumps(ops).encode(), "ConfigMap").code == 422


def test_json_patch_operation_limit() -> None:
    ops = [{"op": "test", "path": "/a", "value": 1}] * 10_000
    assert json_patch({"a": 1}, ops) == {"a": 1}
    err = status_of(json_patch, {"a": 1}, ops + ops[:1])
    assert (err.code, err.reason) == (413, "RequestEntityTooLarge")
    assert err.message == "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                     max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _json, max_size=5), st.text(max_size=6), _json, st.data())
def test_json_patch_add_then_remove_round_trips(doc: dict[str, Any], key: str, value: Any, data: Any) -> None:
    pointer = "/" + key.replace("~", "~0").replace("/", "~1")
    if key not in doc:
        assert json_patch(doc, [{"op": "add", "path": pointer, "value": value},
                                {"op": "remove", "path": pointer}]) == doc
    items = list(doc.values())
    index = data.draw(st.integers(0, len(items)))
    wrapped = {"items": items}
    ops = [{"op": "add", "path": f"/items/{index}", "value": value}, {"op": "remove", "path": f"/items/{index}"}]
    assert json_patch(wrapped, ops) == wrapped


# -- RFC 7386 merge patch ------------------------------------------------------------------------

RFC7386 = [  # Appendix A
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("doc, patch, result", RFC7386)
def test_rfc7386_examples(doc: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy(doc)
    assert merge_patch(doc, patch) == result
    assert doc == before


def test_kubectl_label_and_scale_patches() -> None:
    pod = {"metadata": {"name": "p", "labels": {"app": "web", "tier": "front"}}, "spec": {"replicas": 1}}
    labelled = apply_patch(pod, MERGE_PATCH, b'{"metadata":{"labels":{"tier":null,"env":"prod"}}}', "Pod")
    assert labelled["metadata"]["labels"] == {"app": "web", "env": "prod"}
    assert apply_patch(pod, MERGE_PATCH, b'{"spec":{"replicas":3}}', "Scale")["spec"] == {"replicas": 3}


def test_merge_patch_prunes_nulls_in_new_lists_like_go(tmp_path: Path) -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "x": {"keep": [{"a": None}]}}
    patch = {"x": {"new": [{"a": None, "b": 1}, None], "keep": {"z": None}}, "data": {"k": "v"}}
    ok, expected = kubectl_patch(tmp_path, doc, "merge", patch)
    assert ok and merge_patch(doc, patch) == expected


_patches = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                        lambda inner: st.dictionaries(st.sampled_from("abcd"), inner, max_size=3), max_leaves=10)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from("abcde"), _json, max_size=4), st.dictionaries(st.sampled_from("abcd"), _patches))
def test_merge_patch_properties(doc: dict[str, Any], patch: dict[str, Any]) -> None:
    before = copy.deepcopy(doc)
    assert merge_patch(doc, {}) == doc
    once = merge_patch(doc, patch)
    assert merge_patch(once, patch) == once  # idempotent
    assert all(k not in once for k, v in patch.items() if v is None)
    assert doc == before


# -- strategic merge patch -----------------------------------------------------------------------

def rc(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "redis-master", "labels": {"app": "redis"}, "finalizers": ["a", "b"],
                         "ownerReferences": [{"uid": "u1", "name": "o1", "kind": "X", "apiVersion": "v1"}]},
            "spec": {"replicas": 1, "selector": {"app": "redis"},
                     "template": {"metadata": {"labels": {"app": "redis"}}, "spec": {"containers": list(containers)}}}}


MASTER = {"name": "master", "image": "redis:6", "ports": [{"containerPort": 6379, "protocol": "TCP"}],
          "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
SIDECAR = {"name": "sidecar", "image": "busybox", "command": ["sleep", "1"]}


def containers_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_kubectl_apply_patch_with_set_element_order() -> None:
    """The exact shape kubectl-wire.md §4.5 shows kubectl apply sending."""
    body = {"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}\n"}},
            "spec": {"replicas": 2, "template": {"spec": {"$setElementOrder/containers": [{"name": "master"}],
                                                          "containers": [{"image": "redis:7", "name": "master"}]}}}}
    live = rc(MASTER)
    result = apply_patch(live, STRATEGIC_MERGE_PATCH, json.dumps(body).encode(), "ReplicationController")
    assert result["spec"]["replicas"] == 2
    assert containers_of(result) == [{**MASTER, "image": "redis:7"}]
    assert result["metadata"]["annotations"] == {"kubectl.kubernetes.io/last-applied-configuration": "{}\n"}
    assert not has_directive(result) and live == rc(MASTER)


def test_python_client_dict_patch_changes_one_container() -> None:
    from kubernetes.client import ApiClient, V1Container, V1EnvVar

    body = ApiClient().sanitize_for_serialization({"spec": {"template": {"spec": {"containers": [
        V1Container(name="sidecar", image="busybox:1.36", env=[V1EnvVar(name="MODE", value="fast")])]}}}})
    result = strategic_merge_patch(rc(MASTER, SIDECAR), body, "ReplicationController")
    assert containers_of(result) == [MASTER, {**SIDECAR, "image": "busybox:1.36", "env": [{"name": "MODE", "value": "fast"}]}]


def test_patch_delete_removes_a_container() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}
    assert containers_of(strategic_merge_patch(rc(MASTER, SIDECAR), patch, "ReplicationController")) == [MASTER]


def test_ports_merge_by_container_port_and_env_by_name() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "master",
             "ports": [{"containerPort": 6379, "name": "redis"}, {"containerPort": 16379}],
             "env": [{"name": "B", "value": "3"}]}]}}}}
    (master,) = containers_of(strategic_merge_patch(rc(MASTER), patch, "ReplicationController"))
    # Every port is in the patch, so the patch's order wins.
    assert master["ports"] == [{"containerPort": 6379, "protocol": "TCP", "name": "redis"}, {"containerPort": 16379}]
    assert master["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]


def test_conditions_merge_by_type() -> None:
    pod = {"kind": "Pod", "status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]}}
    patch = {"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
    result = strategic_merge_patch(pod, patch, "Pod")
    assert result["status"] == {"phase": "Running", "conditions": [
        {"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}]}


def test_finalizers_merge_as_a_set_and_delete_from_primitive_list() -> None:
    doc = rc(MASTER)
    added = strategic_merge_patch(doc, {"metadata": {"finalizers": ["b", "c"]}}, "ReplicationController")
    assert added["metadata"]["finalizers"] == ["a", "b", "c"]
    removed = strategic_merge_patch(doc, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, "Whatever")
    assert removed["metadata"]["finalizers"] == ["b"]


def test_unknown_kinds_replace_lists_but_keep_object_meta_rules() -> None:
    doc = {"metadata": {"finalizers": ["a"]}, "spec": {"items": [{"name": "x", "v": 1}]}}
    patch = {"metadata": {"finalizers": ["b"]}, "spec": {"items": [{"name": "x", "v": 2}]}}
    assert strategic_merge_patch(doc, patch, "Widget") == {
        "metadata": {"finalizers": ["b", "a"]}, "spec": {"items": [{"name": "x", "v": 2}]}}


def test_directives_never_reach_the_result_even_in_new_subtrees() -> None:
    doc: dict[str, Any] = {"kind": "ReplicationController", "spec": {}}
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                                            "$retainKeys": ["containers"],
                                            "containers": [{"name": "b", "env": [{"name": "X", "$patch": "delete"}]},
                                                           {"name": "a", "image": None}]}}}}
    result = strategic_merge_patch(doc, patch, "ReplicationController")
    assert result == {"kind": "ReplicationController",
                      "spec": {"template": {"spec": {"containers": [{"name": "b", "env": []}, {"name": "a"}]}}}}


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"selector": {"matchLabels": {"app": "d"}},
                       "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
                       "template": {"metadata": {"labels": {"app": "d"}}, "spec": {
                           "containers": [MASTER, SIDECAR], "tolerations": [{"key": "a"}],
                           "volumes": [{"name": "v", "emptyDir": {}}]}}}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.0.0.0/24"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "n"}],
                   "conditions": [{"type": "Ready", "status": "False"}, {"type": "MemoryPressure", "status": "False"}]}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}], "selector": {"app": "s"}}}
ENDPOINTS = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "s"},
             "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]}
TEMPLATE = ("spec", "template", "spec")


def in_template(**fields: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": fields}}}


DIFFERENTIAL = [  # (doc, patch): compared with kubectl patch --local --type strategic
    (rc(MASTER, SIDECAR), in_template(containers=[{"name": "extra", "image": "x"}])),
    (rc(MASTER, SIDECAR), in_template(containers=[{"name": "master", "$patch": "delete"}, {"name": "z", "image": "z"}])),
    (rc(MASTER, SIDECAR), in_template(containers=[{"$patch": "replace"}, {"name": "only", "image": "o"}])),
    (rc(MASTER, SIDECAR), in_template(**{"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "master"}],
                                         "containers": [{"name": "master", "image": "m2"}]})),
    (rc(MASTER, SIDECAR), in_template(**{"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "new"},
                                                                         {"name": "master"}],
                                         "containers": [{"name": "new", "image": "n"}]})),
    (rc(MASTER), in_template(containers=[{"name": "master", "$setElementOrder/env": [{"name": "B"}, {"name": "A"}],
                                          "env": [{"name": "A", "value": None}]}])),
    (rc(MASTER), {"metadata": {"finalizers": ["c", "a"], "ownerReferences": [{"uid": "u2", "name": "o2"}]}}),
    (rc(MASTER), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "labels": {"app": None, "x": "y"}}}),
    (rc(MASTER), {"metadata": {"labels": {"$patch": "replace", "only": "this"}}, "spec": {"selector": {"$patch": "delete"}}}),
    (rc(MASTER, SIDECAR), in_template(containers=[{"name": "sidecar", "command": ["true"]}], hostAliases=[{"ip": "1.1.1.1"}])),
    (DEPLOYMENT, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    (DEPLOYMENT, in_template(volumes=[{"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}}],
                             tolerations=[{"key": "b"}])),
    (NODE, {"spec": {"podCIDRs": ["10.0.1.0/24", "10.0.0.0/24"]},
            "status": {"addresses": [{"type": "ExternalIP", "address": "1.2.3.4"}],
                       "conditions": [{"type": "Ready", "status": "True"}]}}),
    (SERVICE, {"spec": {"ports": [{"port": 443, "targetPort": 8443}, {"port": 8080}], "selector": {"app": None}}}),
    (ENDPOINTS, {"subsets": [{"addresses": [{"ip": "10.0.0.2"}]}]}),
    (rc(MASTER), in_template(containers=[{"image": "no-name"}])),
    (rc(MASTER), in_template(containers=[{"name": "master", "$patch": "merge"}])),
    (rc(MASTER), {"spec": {"template": {"$patch": "merge"}}}),
    (rc(MASTER), {"spec": {"$retainKeys": "replicas"}}),
    (rc(MASTER), {"spec": {"$retainKeys": ["replicas"], "selector": {"a": "b"}}}),
    (rc(MASTER), {"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}}),
    (rc(MASTER, SIDECAR), in_template(**{"$setElementOrder/containers": [{"name": "master"}, {"name": "sidecar"}],
                                         "containers": [{"name": "sidecar"}, {"name": "master"}]})),
    (NODE, {"spec": {"podCIDRs": [["nested"]]}}),
]


@pytest.mark.parametrize("doc, patch", DIFFERENTIAL)
def test_strategic_merge_matches_the_go_implementation(tmp_path: Path, doc: dict[str, Any], patch: dict[str, Any]) -> None:
    ok, expected = kubectl_patch(tmp_path, doc, "strategic", patch)
    before = copy.deepcopy(doc)
    if ok:
        result = strategic_merge_patch(doc, patch, doc["kind"])
        assert drop_nulls(result) == drop_nulls(expected)
        assert not has_directive(result)
    else:
        err = status_of(strategic_merge_patch, doc, patch, doc["kind"])
        # kubectl prints the error text with its trailing newline stripped.
        assert err.message.rstrip("\n") == (REJECTED if err.code == 422 else expected)
        assert err.code in (400, 422, 500) and (err.code != 500 or err.reason == "")
    assert doc == before


# -- the dispatcher and body decoding --------------------------------------------------------------

@pytest.mark.parametrize("content_type, body, message", [
    (JSON_PATCH, b"{}", "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
    (JSON_PATCH, b"[1]", "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp"),
    (JSON_PATCH, b'[{"op":1}]', "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string"),
    (JSON_PATCH, b"[", "error decoding patch: unexpected end of JSON input"),
    (MERGE_PATCH, b"null", "Invalid JSON Patch"),
    (MERGE_PATCH, b'["a"]', "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (MERGE_PATCH, b'{"a":1,}', "error decoding patch: invalid character '}' looking for beginning of object key string"),
    (STRATEGIC_MERGE_PATCH, b"nope", "invalid character 'o' in literal null (expecting 'u')"),
    (STRATEGIC_MERGE_PATCH, b'"s"', "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    (STRATEGIC_MERGE_PATCH, b"[" * 200 + b"]" * 200, "exceeded max depth"),
])
def test_malformed_bodies_are_400(content_type: str, body: bytes, message: str) -> None:
    err = status_of(apply_patch, {"a": 1}, content_type, body, "Pod")
    assert (err.code, err.reason, err.message) == (400, "BadRequest", message)


def test_content_type_parameters_and_unknown_types() -> None:
    patched = apply_patch({"a": 1}, MERGE_PATCH + "; charset=utf-8", b'{"b":2}', "Pod")
    assert patched == {"a": 1, "b": 2}
    assert apply_patch({"a": 1}, STRATEGIC_MERGE_PATCH, b"null", "Pod") == {"a": 1}
    assert apply_patch({"a": 1}, JSON_PATCH, b"null", "Pod") == {"a": 1}
    err = status_of(apply_patch, {}, "application/json", b"{}", "Pod")
    assert (err.code, err.reason) == (415, "UnsupportedMediaType")
    assert err.message == ("the body of the request was in an unknown format - accepted media types include: "
                           "application/json-patch+json, application/merge-patch+json, "
                           "application/strategic-merge-patch+json, application/apply-patch+yaml")


def test_parse_apply_body() -> None:
    assert parse_apply_body(b'{"kind": "Pod", "metadata": {"name": "p"}}') == {"kind": "Pod", "metadata": {"name": "p"}}
    assert parse_apply_body(b"kind: Pod\nmetadata:\n  name: p\n  annotations: {when: 2024-01-01}\n") == {
        "kind": "Pod", "metadata": {"name": "p", "annotations": {"when": "2024-01-01"}}}
    assert parse_apply_body(b"") == {}
    assert status_of(parse_apply_body, b"a: b: c").message == (
        "error decoding YAML: error converting YAML to JSON: yaml: line 1: mapping values are not allowed in this context")
    assert status_of(parse_apply_body, b"- 1\n").message == (
        "error decoding YAML: error unmarshaling JSON: while decoding JSON: "
        "json: cannot unmarshal array into Go value of type map[string]interface {}")
