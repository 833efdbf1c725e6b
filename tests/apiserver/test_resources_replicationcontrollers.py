"""ReplicationControllers: defaults from the template, validation messages, table, /scale."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

from apiserver import errors
from apiserver.machinery.duration import format_time
from apiserver.resources import replicationcontrollers
from apiserver.resources.base import Obj
from apiserver.tables import row

RT = replicationcontrollers.RESOURCE
NOW = datetime(2026, 11, 26, 6, 53, 5, tzinfo=timezone.utc)
LABELS = {"app": "redis", "role": "master", "tier": "backend"}


def rc(name: str = "redis-master", **spec: Any) -> Obj:
    template = {"metadata": {"labels": dict(LABELS)},
                "spec": {"containers": [{"name": "master", "image": "registry.k8s.io/redis:e2e",
                                         "ports": [{"containerPort": 6379}]}]}}
    return {"metadata": {"name": name, "namespace": "default"}, "spec": {"template": template, **spec}}


def defaulted(obj: Obj) -> Obj:
    RT.default(obj)
    RT.prepare_for_create(obj)
    return obj


def message(obj: Obj) -> str:
    return errors.invalid("ReplicationController", "", obj["metadata"]["name"], RT.validate(obj)).message


def test_defaults() -> None:
    obj = defaulted(rc())
    assert obj["spec"]["selector"] == LABELS and obj["metadata"]["labels"] == LABELS
    assert obj["spec"]["replicas"] == 1
    template_spec = obj["spec"]["template"]["spec"]
    assert template_spec["restartPolicy"] == "Always" and template_spec["dnsPolicy"] == "ClusterFirst"
    assert "enableServiceLinks" not in template_spec  # a Pod-only default
    assert template_spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert obj["status"] == {"replicas": 0}
    assert RT.validate(obj) == []
    kept = defaulted(rc(selector={"app": "redis"}, replicas=0))
    assert kept["spec"]["selector"] == {"app": "redis"} and kept["spec"]["replicas"] == 0


def test_validation_messages() -> None:
    mismatch = defaulted(rc(selector={"app": "api"}))
    assert message(mismatch) == ('ReplicationController "redis-master" is invalid: spec.template.metadata.labels: '
                                 'Invalid value: {"app":"redis","role":"master","tier":"backend"}: '
                                 "`selector` does not match template `labels`")
    never = defaulted(rc())
    never["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert message(never) == ('ReplicationController "redis-master" is invalid: spec.template.spec.restartPolicy: '
                              'Unsupported value: "Never": supported values: "Always"')
    negative = defaulted(rc(replicas=-1))
    assert message(negative) == ('ReplicationController "redis-master" is invalid: spec.replicas: Invalid value: -1: '
                                 "must be greater than or equal to 0")
    bare: Obj = {"metadata": {"name": "x", "namespace": "default"}, "spec": {}}
    RT.default(bare)
    assert message(bare) == ('ReplicationController "x" is invalid: [spec.selector: Required value, '
                             "spec.template: Required value]")


def test_table_and_scale() -> None:
    obj = defaulted(rc())
    obj["metadata"]["creationTimestamp"] = format_time(NOW - timedelta(minutes=125))
    obj["status"] = {"replicas": 1, "readyReplicas": 1}
    assert row(RT, obj, NOW)["cells"] == ["redis-master", 1, 1, 1, "125m", "master", "registry.k8s.io/redis:e2e",
                                          "app=redis,role=master,tier=backend"]
    fresh = defaulted(rc("frontend"))
    fresh["metadata"]["creationTimestamp"] = format_time(NOW)
    assert row(RT, fresh, NOW)["cells"][1:5] == [1, 0, 0, "0s"]
    assert [c.type for c in RT.columns][1:4] == ["integer", "integer", "integer"]
    scale = RT.scale
    assert scale is not None
    assert (scale.get_replicas(obj), scale.status_replicas(obj)) == (1, 1)
    assert scale.selector(obj) == "app=redis,role=master,tier=backend"
    scaled = copy.deepcopy(obj)
    scale.set_replicas(scaled, 3)
    assert scaled["spec"]["replicas"] == 3


def test_flags_and_fields() -> None:
    assert (RT.default_propagation, RT.has_status, RT.tracks_generation) == ("Orphan", True, True)
    assert RT.fields(defaulted(rc()))["status.replicas"] == "0"
