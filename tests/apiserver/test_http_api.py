"""The REST API over a real socket: Status errors, optimistic concurrency, subresources,
paging and discovery, checked against kube-apiserver's exact answers."""

from __future__ import annotations

import json

import httpx
import pytest

from support import Server

RC = {"apiVersion": "v1", "kind": "ReplicationController",
      "metadata": {"name": "web"},
      "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}},
                                           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def rc_path(ns: str, name: str = "") -> str:
    return f"/api/v1/namespaces/{ns}/replicationcontrollers" + (f"/{name}" if name else "")


def test_not_found_is_a_status(server: Server, namespace: str) -> None:
    status, body = server.request("GET", f"/api/v1/namespaces/{namespace}/pods/nope")
    assert status == 404
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": 'pods "nope" not found', "reason": "NotFound",
                    "details": {"name": "nope", "kind": "pods"}, "code": 404}


def test_unknown_path_is_plain_404(server: Server) -> None:
    status, body = server.request("GET", "/api/v1/nosuchthings")
    assert (status, body) == (404, "404 page not found\n")


def test_create_defaults_and_conflicts(server: Server, namespace: str) -> None:
    status, rc = server.request("POST", rc_path(namespace), RC)
    assert status == 201, rc
    meta = rc["metadata"]
    assert meta["namespace"] == namespace and meta["generation"] == 1 and len(meta["uid"]) == 36
    assert rc["spec"]["selector"] == {"app": "web"} and meta["labels"] == {"app": "web"}
    assert meta["creationTimestamp"].endswith("Z")

    status, body = server.request("POST", rc_path(namespace), RC)
    assert status == 409 and body["reason"] == "AlreadyExists"
    assert body["message"] == 'replicationcontrollers "web" already exists'

    # The RC controller keeps writing the new RC's status while its pods come up: update as a
    # client does, from the latest version, again only if a write really came in between.
    for _ in range(20):
        _, stale = server.request("GET", rc_path(namespace, "web"))
        stale["spec"]["replicas"] = 3
        status, updated = server.request("PUT", rc_path(namespace, "web"), stale)
        if status != 409:
            break
        _, now = server.request("GET", rc_path(namespace, "web"))
        assert now["metadata"]["resourceVersion"] != stale["metadata"]["resourceVersion"], updated
    assert status == 200 and updated["metadata"]["generation"] == 2
    assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    status, body = server.request("PUT", rc_path(namespace, "web"), stale)
    assert status == 409
    assert body["message"] == ('Operation cannot be fulfilled on replicationcontrollers "web": the object '
                               'has been modified; please apply your changes to the latest version and try again')


def test_noop_update_keeps_resource_version(server: Server, namespace: str) -> None:
    _, cm = server.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                           {"metadata": {"name": "c"}, "data": {"a": "1"}})
    status, again = server.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c", cm)
    assert status == 200 and again["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]


def test_invalid_has_causes(server: Server, namespace: str) -> None:
    bad = json.loads(json.dumps(RC))
    bad["spec"]["selector"] = {"app": "other"}
    status, body = server.request("POST", rc_path(namespace), bad)
    assert status == 422 and body["reason"] == "Invalid"
    assert body["details"]["kind"] == "ReplicationController" and body["details"]["name"] == "web"
    fields = [c["field"] for c in body["details"]["causes"]]
    assert "spec.template.metadata.labels" in fields


def test_bad_requests(server: Server, namespace: str) -> None:
    status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", b"{not json")
    assert status == 400 and body["reason"] == "BadRequest"
    with_rv = {"metadata": {"name": "x", "resourceVersion": "5"}}
    status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", with_rv)
    assert status == 500 and body["message"] == "resourceVersion should not be set on objects to be created"
    status, body = server.request("POST", "/api/v1/namespaces/nosuchns/configmaps", {"metadata": {"name": "x"}})
    assert status == 404 and body["message"] == 'namespaces "nosuchns" not found'
    status, body = server.request("GET", f"/api/v1/namespaces/{namespace}/pods?labelSelector=a%20in%20(b")
    assert status == 400


def test_scale_subresource(server: Server, namespace: str) -> None:
    server.request("POST", rc_path(namespace), RC)
    status, scale = server.request("GET", rc_path(namespace, "web") + "/scale")
    assert status == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"]["selector"] == "app=web"
    status, scale = server.request("PATCH", rc_path(namespace, "web") + "/scale", {"spec": {"replicas": 4}},
                                   content_type="application/merge-patch+json")
    assert status == 200 and scale["spec"]["replicas"] == 4
    status, body = server.request("PATCH", rc_path(namespace, "web") + "/scale", {"spec": {"replicas": -1}},
                                  content_type="application/merge-patch+json")
    assert status == 422
    assert body["message"] == ('Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: '
                               'must be greater than or equal to 0')


def test_delete_answers(server: Server, namespace: str) -> None:
    server.request("POST", rc_path(namespace), RC)
    status, body = server.request("DELETE", rc_path(namespace, "web"), {"propagationPolicy": "Background"})
    assert status == 200 and body["kind"] == "Status" and body["status"] == "Success"
    assert body["details"]["name"] == "web" and body["details"]["kind"] == "replicationcontrollers"
    status, _ = server.request("GET", rc_path(namespace, "web"))
    assert status == 404


def test_lease_update_requires_resource_version(server: Server, namespace: str) -> None:
    path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
    lease = {"metadata": {"name": "l"}, "spec": {"holderIdentity": "a", "leaseDurationSeconds": 10}}
    assert server.request("POST", path, lease)[0] == 201
    status, body = server.request("PUT", path + "/l", lease)
    assert status == 422
    assert body["message"] == ('Lease.coordination.k8s.io "l" is invalid: metadata.resourceVersion: '
                               'Invalid value: 0: must be specified for an update')


def test_list_paging(server: Server, namespace: str) -> None:
    for i in range(5):
        server.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": f"c{i}"}})
    names, token, pages = [], "", 0
    while pages < 10:
        path = f"/api/v1/namespaces/{namespace}/configmaps?limit=2" + (f"&continue={token}" if token else "")
        status, body = server.request("GET", path)
        assert status == 200
        names += [i["metadata"]["name"] for i in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert names == ["c0", "c1", "c2", "c3", "c4"] and pages == 3


def test_dry_run_stores_nothing(server: Server, namespace: str) -> None:
    status, _ = server.request("POST", f"/api/v1/namespaces/{namespace}/configmaps?dryRun=All",
                               {"metadata": {"name": "dry"}})
    assert status == 201
    assert server.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/dry")[0] == 404


def test_aggregated_discovery(server: Server) -> None:
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    r = httpx.get(server.url + "/api", headers={"Accept": accept})
    assert r.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    resources = {x["resource"]: x for x in r.json()["items"][0]["versions"][0]["resources"]}
    assert resources["replicationcontrollers"]["shortNames"] == ["rc"]
    assert "all" in resources["pods"]["categories"]
    scale = [s for s in resources["replicationcontrollers"]["subresources"] if s["subresource"] == "scale"]
    assert scale[0]["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    legacy = httpx.get(server.url + "/api").json()
    assert legacy["kind"] == "APIVersions" and legacy["versions"] == ["v1"]


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health(server: Server, path: str) -> None:
    assert server.request("GET", path) == (200, "ok")
