"""The official Python client (`kubernetes`) against minik: CRUD with the bodies it sends
(no kind/apiVersion, `+00:00` timestamps), selectors, paging, conflicts, DeleteOptions,
dry runs, /scale and /status."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from support import Server, wait_for

CONFLICT = ('Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your '
            "changes to the latest version and try again")


def status_of(err: ApiException) -> dict[str, object]:
    body = json.loads(err.body)
    assert body["kind"] == "Status" and body["code"] == err.status, body
    return body


def rc_body(name: str, replicas: int) -> client.V1ReplicationController:
    return client.V1ReplicationController(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1ReplicationControllerSpec(
            replicas=replicas, selector={"app": name},
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": name}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx:1.27")]))))


def test_crud_with_typed_models(core: client.CoreV1Api, namespace: str) -> None:
    made = core.create_namespaced_config_map(namespace, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="c", labels={"tier": "web"}), data={"k": "v"}))
    assert made.kind == "ConfigMap" and made.api_version == "v1" and made.metadata.uid
    assert made.metadata.creation_timestamp.tzinfo is not None
    read = core.read_namespaced_config_map("c", namespace)
    assert read.metadata.resource_version == made.metadata.resource_version

    # A replace that changes nothing keeps the revision; the client sends +00:00 timestamps.
    same = core.replace_namespaced_config_map("c", namespace, read)
    assert same.metadata.resource_version == read.metadata.resource_version
    read.data = {"k": "v2"}
    changed = core.replace_namespaced_config_map("c", namespace, read)
    assert int(changed.metadata.resource_version) > int(read.metadata.resource_version)
    assert changed.metadata.creation_timestamp == made.metadata.creation_timestamp

    # A stale replace is a 409 with kube's text, checked before validation (never a 422).
    read.metadata.labels = {"bad key!": "x"}
    with pytest.raises(ApiException) as stale:
        core.replace_namespaced_config_map("c", namespace, read)
    assert stale.value.status == 409
    assert status_of(stale.value)["message"] == CONFLICT
    assert status_of(stale.value)["reason"] == "Conflict"

    core.delete_namespaced_config_map("c", namespace)
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("c", namespace)
    assert gone.value.status == 404 and status_of(gone.value)["message"] == 'configmaps "c" not found'


def test_selectors_and_paging(core: client.CoreV1Api, namespace: str) -> None:
    for i in range(7):
        core.create_namespaced_config_map(namespace, {"metadata": {"name": f"c{i}",
                                                                   "labels": {"parity": str(i % 2)}}})
    odd = core.list_namespaced_config_map(namespace, label_selector="parity=1")
    assert [c.metadata.name for c in odd.items] == ["c1", "c3", "c5"]
    assert [c.metadata.name for c in core.list_namespaced_config_map(
        namespace, label_selector="parity in (0),parity!=1").items] == ["c0", "c2", "c4", "c6"]
    assert [c.metadata.name for c in core.list_namespaced_config_map(
        namespace, field_selector="metadata.name=c3").items] == ["c3"]
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_config_map(namespace, field_selector="data.k=v")
    assert bad.value.status == 400 and status_of(bad.value)["message"] == "field label not supported: data.k"

    names, token, snapshot = [], None, None
    for _ in range(10):
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token)
        names += [c.metadata.name for c in page.items]
        snapshot = snapshot or page.metadata.resource_version
        assert page.metadata.resource_version == snapshot
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 7 - len(names)
    assert names == [f"c{i}" for i in range(7)]


def test_timestamps_with_offsets_are_stored_in_z_form(core: client.CoreV1Api, server: Server,
                                                      namespace: str) -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc)
    event = core.create_namespaced_event(namespace, client.CoreV1Event(
        metadata=client.V1ObjectMeta(name="e"), involved_object=client.V1ObjectReference(
            kind="ConfigMap", name="x", namespace=namespace),
        reason="Tested", message="hello", type="Normal", count=1, first_timestamp=when, last_timestamp=when,
        event_time=when, reporting_component="compat", reporting_instance="compat-1", action="Test"))
    assert event.event_time == when and event.first_timestamp == when.replace(microsecond=0)
    raw = server.request("GET", f"/api/v1/namespaces/{namespace}/events/e")[1]
    assert (raw["eventTime"], raw["firstTimestamp"]) == ("2026-01-02T03:04:05.678901Z", "2026-01-02T03:04:05Z")
    # A replace of what was read sends every timestamp back with +00:00: a no-op.
    assert core.replace_namespaced_event("e", namespace, event).metadata.resource_version == \
        event.metadata.resource_version

    status, pod = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
        "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}],
                                            "nodeSelector": {"nowhere": "true"}}})
    assert status == 201, pod
    patched = core.patch_namespaced_pod_status("p", namespace, {"status": {"conditions": [
        {"type": "example.com/Checked", "status": "True",
         "lastTransitionTime": "2026-01-02T05:04:05+02:00"}]}})
    stored = server.request("GET", f"/api/v1/namespaces/{namespace}/pods/p")[1]
    checked = [c for c in stored["status"]["conditions"] if c["type"] == "example.com/Checked"]
    assert checked[0]["lastTransitionTime"] == "2026-01-02T03:04:05Z"
    assert patched.status.conditions


def test_delete_options(core: client.CoreV1Api, server: Server, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}})
    uid = core.read_namespaced_config_map("c", namespace).metadata.uid
    with pytest.raises(ApiException) as wrong_uid:
        core.delete_namespaced_config_map("c", namespace, body=client.V1DeleteOptions(
            preconditions=client.V1Preconditions(uid="0000")))
    assert status_of(wrong_uid.value)["message"] == (
        'Operation cannot be fulfilled on configmaps "c": the UID in the precondition (0000) does not match '
        f"the UID in record ({uid}). The object might have been deleted and then recreated")
    dry = core.delete_namespaced_config_map("c", namespace, dry_run="All")
    assert dry["status"] == "Success" and core.read_namespaced_config_map("c", namespace).metadata.uid == uid
    core.delete_namespaced_config_map("c", namespace, body=client.V1DeleteOptions(
        preconditions=client.V1Preconditions(uid=uid)))

    # The Python client sends no body by default: core/v1 RCs then orphan their pods.
    core.create_namespaced_replication_controller(namespace, rc_body("web", 1))
    pods_path = f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3Dweb"
    wait_for(lambda: len(server.request("GET", pods_path)[1]["items"]) == 1, message="a pod")
    core.delete_namespaced_replication_controller("web", namespace)
    wait_for(lambda: not server.request("GET", pods_path)[1]["items"][0]["metadata"].get("ownerReferences"),
             message="the pod orphaned")
    core.create_namespaced_replication_controller(namespace, rc_body("web2", 1))
    pods2 = f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3Dweb2"
    wait_for(lambda: len(server.request("GET", pods2)[1]["items"]) == 1, message="a pod of web2")
    core.delete_namespaced_replication_controller("web2", namespace, propagation_policy="Foreground")
    wait_for(lambda: server.request("GET", pods2)[1]["items"] == [], message="pods deleted in the foreground")
    wait_for(lambda: server.request("GET", f"/api/v1/namespaces/{namespace}/replicationcontrollers/web2")[0]
             == 404, message="web2 gone after its pods")

    pod = core.read_namespaced_pod(server.request("GET", pods_path)[1]["items"][0]["metadata"]["name"],
                                   namespace)
    core.delete_namespaced_pod(pod.metadata.name, namespace, grace_period_seconds=0)
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_pod(pod.metadata.name, namespace)
    assert gone.value.status == 404


def test_dry_run_writes_nothing(core: client.CoreV1Api, namespace: str) -> None:
    made = core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}}, dry_run="All")
    assert made.metadata.uid and made.metadata.creation_timestamp
    assert core.list_namespaced_config_map(namespace).items == []
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}, "data": {"a": "1"}})
    before = core.read_namespaced_config_map("c", namespace)
    after = core.patch_namespaced_config_map("c", namespace, {"data": {"a": "2"}}, dry_run="All")
    assert after.data == {"a": "2"}
    assert core.read_namespaced_config_map("c", namespace).to_dict() == before.to_dict()
    with pytest.raises(ApiException) as exists:
        core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}}, dry_run="All")
    assert exists.value.status == 409 and status_of(exists.value)["reason"] == "AlreadyExists"


def test_scale_and_status_subresources(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_replication_controller(namespace, rc_body("web", 0))
    scale = core.read_namespaced_replication_controller_scale("web", namespace)
    assert (scale.kind, scale.api_version, scale.spec.replicas, scale.status.selector) == \
        ("Scale", "autoscaling/v1", 0, "app=web")
    patched = core.patch_namespaced_replication_controller_scale("web", namespace, {"spec": {"replicas": 2}})
    assert patched.spec.replicas == 2
    assert core.read_namespaced_replication_controller("web", namespace).spec.replicas == 2

    def put_scale(replicas: int) -> bool:
        current = core.read_namespaced_replication_controller_scale("web", namespace)
        current.spec.replicas = replicas
        try:
            return core.replace_namespaced_replication_controller_scale("web", namespace, current).spec.replicas \
                == replicas
        except ApiException as e:  # the controller's status writes move the version meanwhile
            assert e.status == 409
            return False

    wait_for(lambda: put_scale(1), message="PUT /scale")
    stale = core.read_namespaced_replication_controller_scale("web", namespace)
    stale.metadata.resource_version = "1"
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_replication_controller_scale("web", namespace, stale)
    assert conflict.value.status == 409

    # /status writes only the status; the main endpoint writes only the rest.
    core.patch_namespaced_replication_controller_status(
        "web", namespace, {"spec": {"replicas": 9}, "status": {"conditions": [
            {"type": "ReplicaFailure", "status": "False", "reason": "Tested"}]}})
    rc = core.read_namespaced_replication_controller_status("web", namespace)
    assert rc.spec.replicas == 1
    assert [c.reason for c in rc.status.conditions or [] if c.type == "ReplicaFailure"] in (["Tested"], [])
    core.patch_namespaced_replication_controller("web", namespace, {"status": {"replicas": 42}})
    assert core.read_namespaced_replication_controller("web", namespace).status.replicas != 42
