"""OpenAPI v3/v2 documents built from the kubernetes-validate schemas, kube's strict-decoding
field validation, and the real kubectl reading the documents: explain, create, apply."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

import httpx
import pytest

from apiserver import schemas
from apiserver.api import openapi
from apiserver.api.discovery import VERSION_INFO
from apiserver.errors import StatusError
from apiserver.resources import CATALOG
from support import Server, run, wait_for

POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "labels": {"any-key": "v"}, "annotations": {"a/b": "c"},
                 "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {"f:anything": {}}}}]},
    "spec": {"foo": 1, "containers": [{"name": "c", "imagee": "x", "resources": {"limits": {"cpu": "1"}},
                                       "ports": [{"containerPort": 80, "bad": True}]}]},
}


def gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def served_gvs() -> list[tuple[str, str]]:
    return sorted({(rt.group, rt.version) for rt in CATALOG})


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def kubectl(server: Server, *args: str, input: str | None = None) -> Any:
    return run(["kubectl", "--request-timeout=20s", *args], server, input=input, timeout=60)


# -- schemas: loading and strict decoding ----------------------------------------------------

def test_schema_release_is_the_served_release() -> None:
    assert schemas.KUBE_VERSION == (int(VERSION_INFO["major"]), int(VERSION_INFO["minor"]))


def test_every_served_kind_has_a_schema() -> None:
    for rt in CATALOG:
        for kind in (rt.kind, rt.list_kind):
            name = schemas.definition_name(rt.group, rt.version, kind)
            assert name is not None, (rt.group, rt.version, kind)
            gvks = schemas.definitions()[name]["x-kubernetes-group-version-kind"]
            assert {"group": rt.group, "version": rt.version, "kind": kind} in gvks


def test_unknown_fields_are_dotted_paths_and_maps_are_open() -> None:
    assert schemas.unknown_fields(POD, "", "v1", "Pod") == [
        "spec.foo", "spec.containers[0].imagee", "spec.containers[0].ports[0].bad"]
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
          "spec": {"template": {"spec": {"containers": [{"name": "c", "imagee": "x"}]}}}, "statuz": {}}
    assert schemas.unknown_fields(rc, "", "v1", "ReplicationController") == [
        "spec.template.spec.containers[0].imagee", "statuz"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}, "binaryData": {}, "metadata": {}}
    assert schemas.unknown_fields(cm, "", "v1", "ConfigMap") == []
    lease = {"spec": {"holderIdentity": "me", "holder": "x"}}
    assert schemas.unknown_fields(lease, "coordination.k8s.io", "v1", "Lease") == ["spec.holder"]


def test_patches_skip_directives_and_deletions() -> None:
    patch = {"metadata": {"labels": {"gone": None}, "$retainKeys": ["labels"]},
             "spec": {"$setElementOrder/containers": [{"name": "c"}], "nodeName": None, "bogus": None,
                      "containers": [{"name": "c", "$patch": "delete"}, {"name": "d", "imagee": "x"}]}}
    assert schemas.unknown_fields(patch, "", "v1", "Pod", patch=True) == ["spec.containers[1].imagee"]
    assert schemas.unknown_fields(patch, "", "v1", "Pod") == [
        "metadata.$retainKeys", "spec.$setElementOrder/containers", "spec.bogus", "spec.containers[0].$patch",
        "spec.containers[1].imagee"]


def test_field_problems_report_duplicates_in_document_order() -> None:
    body = (b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"x":"1","x":"2"},"name":"b"},'
            b'"spec":{"foo":1,"containers":[{"name":"c","name":"d"}],"foo":2}}')
    problems = schemas.field_problems(json.loads(body), "", "v1", "Pod", body)
    assert problems == ['duplicate field "metadata.labels.x"', 'duplicate field "metadata.name"',
                        'unknown field "spec.foo"', 'duplicate field "spec.containers[0].name"']
    # Without the raw body (YAML), only unknown fields can be seen.
    assert schemas.field_problems(json.loads(body), "", "v1", "Pod") == ['unknown field "spec.foo"']
    assert schemas.field_problems({"spec": {}}, "", "v1", "NoSuchKind") == []


def test_strict_messages_are_kubes() -> None:
    err = schemas.strict_decoding_error("Pod", "v1", ['unknown field "spec.foo"', 'unknown field "spec.bar"'])
    assert err.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "BadRequest",
        "code": 400, "message": 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
                                'unknown field "spec.foo", unknown field "spec.bar"'}
    err = schemas.strict_patch_error({"spec": {"foo": 1, "a": [1, "x"]}}, ['unknown field "spec.foo"'])
    assert err.code == 422 and err.reason == "Invalid"
    assert err.message == (' "" is invalid: patch: Invalid value: "map[spec:map[a:[1 x] foo:1]]": '
                           'strict decoding error: unknown field "spec.foo"')


def test_field_validation_directive() -> None:
    assert schemas.validation_directive(None, "CreateOptions") == "Warn"
    assert schemas.validation_directive("", "CreateOptions") == "Warn"
    assert [schemas.validation_directive(v, "PatchOptions") for v in schemas.DIRECTIVES] == list(schemas.DIRECTIVES)
    with pytest.raises(StatusError) as info:
        schemas.validation_directive("strict", "UpdateOptions")
    assert info.value.code == 422
    assert info.value.message == ('UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: '
                                  '"strict": supported values: "", "Ignore", "Strict", "Warn"')


# -- the documents -------------------------------------------------------------------------------

def test_v3_index_addresses_each_document_by_its_hash(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        index = client.get("/openapi/v3").json()
        assert set(index) == {"paths"}
        assert sorted(index["paths"]) == sorted(gv_path(g, v) for g, v in served_gvs())
        for path, entry in index["paths"].items():
            url = entry["serverRelativeURL"]
            assert url.startswith(f"/openapi/v3/{path}?hash=")
            raw = client.get(url).content
            assert url.endswith(hashlib.sha512(raw).hexdigest().upper())


@pytest.mark.parametrize("group,version", served_gvs())
def test_v3_documents_cover_the_catalog(server: Server, group: str, version: str) -> None:
    status, doc = server.request("GET", f"/openapi/v3/{gv_path(group, version)}")
    assert status == 200 and doc["openapi"].startswith("3.")
    components = doc["components"]["schemas"]
    for ref in refs(doc):
        assert ref.removeprefix("#/components/schemas/") in components, ref
    for rt in (rt for rt in CATALOG if (rt.group, rt.version) == (group, version)):
        gvk = {"group": group, "version": version, "kind": rt.kind}
        assert any(gvk in s.get("x-kubernetes-group-version-kind", []) for s in components.values()), gvk
        base = f"/{gv_path(group, version)}/" + ("namespaces/{namespace}/" if rt.namespaced else "") + rt.plural
        patch = doc["paths"][base + "/{name}"]["patch"]
        assert patch["x-kubernetes-group-version-kind"] == gvk and patch["x-kubernetes-action"] == "patch"
        assert {"fieldValidation", "dryRun", "fieldManager", "force"} <= {p["name"] for p in patch["parameters"]}
        assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
        post = doc["paths"][base]["post"]
        assert post["x-kubernetes-action"] == "post" and post["x-kubernetes-group-version-kind"] == gvk
        assert "fieldValidation" in {p["name"] for p in post["parameters"]}
        assert {"get", "put", "delete"} <= set(doc["paths"][base + "/{name}"])


def test_v3_schemas_are_openapi_not_json_schema(server: Server) -> None:
    _, doc = server.request("GET", "/openapi/v3/api/v1")
    pod = doc["components"]["schemas"]["io.k8s.api.core.v1.Pod"]
    assert pod["properties"]["apiVersion"] == {"description": pod["properties"]["apiVersion"]["description"],
                                               "type": "string"}
    containers = doc["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name" and containers["type"] == "array"
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert '"null"' not in json.dumps(doc)


def test_v2_is_one_swagger_document_of_everything_served() -> None:
    doc = json.loads(openapi.v2())
    assert doc["swagger"] == "2.0"
    for ref in refs(doc):
        assert ref.removeprefix("#/definitions/") in doc["definitions"], ref
    assert "oneOf" not in json.dumps(doc) and '"null"' not in json.dumps(doc)
    int_or_string = doc["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert (int_or_string["type"], int_or_string["format"]) == ("string", "int-or-string")
    for rt in CATALOG:
        base = f"/{gv_path(rt.group, rt.version)}/" + ("namespaces/{namespace}/" if rt.namespaced else "")
        patch = doc["paths"][base + rt.plural + "/{name}"]["patch"]
        assert "application/strategic-merge-patch+json" in patch["consumes"]
        assert patch["x-kubernetes-group-version-kind"]["kind"] == rt.kind
        assert patch["parameters"][0]["in"] == "body"


# -- the real kubectl ----------------------------------------------------------------------------

def first_words(text: str, n: int = 8) -> str:
    return " ".join(text.split()[:n])


def test_kubectl_explain_prints_the_schema_descriptions(server: Server) -> None:
    defs = schemas.definitions()
    done = kubectl(server, "explain", "pod.spec")
    assert done.returncode == 0, done.stderr
    assert first_words(defs["io.k8s.api.core.v1.PodSpec"]["description"]) in " ".join(done.stdout.split())
    assert "containers\t<[]Container> -required-" in done.stdout
    done = kubectl(server, "explain", "pod.spec.containers.ports")
    assert done.returncode == 0, done.stderr
    assert "containerPort\t<integer> -required-" in done.stdout and "protocol\t<string>" in done.stdout
    done = kubectl(server, "explain", "svc.spec.ports.targetPort")
    assert done.returncode == 0 and "<IntOrString>" in done.stdout, done.stderr
    done = kubectl(server, "explain", "pod.spec.nosuchfield")
    assert done.stderr.strip() == 'error: field "nosuchfield" does not exist'


@pytest.mark.parametrize("rt", CATALOG, ids=lambda rt: rt.plural)
def test_kubectl_explain_every_kind(server: Server, rt: Any) -> None:
    done = kubectl(server, "explain", f"{rt.plural}.{rt.group}" if rt.group else rt.plural)
    assert done.returncode == 0, done.stderr
    assert f"KIND:       {rt.kind}\nVERSION:    {rt.version}\n" in done.stdout
    description = schemas.definitions()[schemas.definition_name(rt.group, rt.version, rt.kind) or ""]["description"]
    assert first_words(description) in " ".join(done.stdout.split())


RC_YAML = """apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  replicas: 0
  selector: {app: web}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: a, image: "nginx:1", ports: [{containerPort: 80}]}
"""


def test_kubectl_create_and_apply_use_the_v3_schemas(server: Server, namespace: str) -> None:
    done = kubectl(server, "create", "-n", namespace, "-f", "-", input=RC_YAML.replace("web", "made"))
    assert (done.returncode, done.stdout) == (0, "replicationcontroller/made created\n"), done.stderr
    two = RC_YAML + '      - {name: b, image: "redis:1"}\n'
    done = kubectl(server, "apply", "-n", namespace, "-f", "-", "-v=6", input=two)
    assert done.returncode == 0 and "replicationcontroller/web created" in done.stdout, done.stderr
    assert "fieldValidation=Strict" in done.stderr  # the PATCH operation advertised it
    # Dropping container b needs the merge key `name`, which kubectl reads from /openapi/v3;
    # had it failed there, kubectl would have fallen back to /openapi/v2 (not served) or warned.
    one = RC_YAML.replace("nginx:1", "nginx:2")
    done = kubectl(server, "apply", "-n", namespace, "-f", "-", "-v=6", input=one)
    assert done.returncode == 0 and "replicationcontroller/web configured" in done.stdout, done.stderr
    assert "/openapi/v2" not in done.stderr and "warning" not in done.stderr.lower()
    assert "strategic merge patch" not in done.stderr
    _, rc = server.request("GET", f"/api/v1/namespaces/{namespace}/replicationcontrollers/web")
    containers = rc["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("a", "nginx:2")]


def test_everything_the_server_stores_fits_the_schemas(server: Server, namespace: str) -> None:
    """Strict patches check the patched object, stored fields included: what the server and its
    controllers write (status, defaults, events, endpoints, leases) must be schema-clean."""
    kubectl(server, "apply", "-n", namespace, "-f", "-", input=RC_YAML.replace("replicas: 0", "replicas: 1") + (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n"))

    def running() -> bool:
        _, pods = server.request("GET", f"/api/v1/namespaces/{namespace}/pods")
        return any(p.get("status", {}).get("phase") == "Running" for p in pods["items"])

    wait_for(running, 30, message="a running pod")
    seen = set()
    for rt in CATALOG:
        path = ("/api/" if not rt.group else f"/apis/{rt.group}/") + f"{rt.version}/{rt.plural}"
        status, listed = server.request("GET", path)
        assert status == 200, (path, listed)
        for item in listed["items"]:
            seen.add(rt.kind)
            item = {"apiVersion": rt.api_version, "kind": rt.kind, **item}
            assert schemas.unknown_fields(item, rt.group, rt.version, rt.kind) == [], item
    assert {"Pod", "ReplicationController", "Service", "Secret", "Node", "Namespace", "Event"} <= seen
