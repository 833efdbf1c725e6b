"""ConfigMaps, Secrets and Leases: data rules, immutability, stringData, lease spec rules."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from apiserver import errors
from apiserver.resources import configmaps, leases, secrets
from apiserver.resources.base import Obj
from apiserver.tables import row

CM, SECRET, LEASE = configmaps.RESOURCE, secrets.RESOURCE, leases.RESOURCE
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_configmap_rules() -> None:
    cm: Obj = {"metadata": {"name": "c"}, "data": {"a.conf": "x", "bad key": "y"}, "binaryData": {"a.conf": b64("z")}}
    assert [e.message() for e in CM.validate(cm)] == [
        "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, "
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')",
        'data[a.conf]: Invalid value: "a.conf": duplicate of key present in data']
    assert row(CM, cm, NOW)["cells"][1] == 3
    assert [e.message() for e in CM.validate({"data": {"k": "v" * (1024 * 1024 + 1)}})] == [
        "Too long: may not be more than 1048576 bytes"]
    frozen = {"data": {"k": "v"}, "immutable": True}
    assert CM.validate_update(dict(frozen), frozen) == []
    assert [e.message() for e in CM.validate_update({"data": {"k": "w"}}, frozen)] == [
        "immutable: Forbidden: field is immutable when `immutable` is set",
        "data: Forbidden: field is immutable when `immutable` is set"]


def test_secret_defaults() -> None:
    secret: Obj = {"metadata": {"name": "s"}, "data": {"a": b64("old"), "b": b64("keep")}, "stringData": {"a": "new"}}
    SECRET.default(secret)
    assert secret == {"metadata": {"name": "s"}, "data": {"a": b64("new"), "b": b64("keep")}, "type": "Opaque"}
    assert row(SECRET, secret, NOW)["cells"][1:3] == ["Opaque", 2]
    assert SECRET.fields(secret)["type"] == "Opaque"
    with pytest.raises(errors.StatusError) as err:
        SECRET.default({"data": {"a": "abc$"}})
    assert (err.value.code, err.value.message) == (
        400, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3')


def test_secret_validation() -> None:
    tls: Obj = {"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": b64("c")}}
    assert [e.message() for e in SECRET.validate(tls)] == ["data[tls.key]: Required value"]
    token: Obj = {"metadata": {"name": "s"}, "type": "kubernetes.io/service-account-token"}
    assert [e.message() for e in SECRET.validate(token)] == [
        "metadata.annotations[kubernetes.io/service-account.name]: Required value"]
    opaque: Obj = {"type": "Opaque", "data": {"k": b64("v")}}
    assert [e.message() for e in SECRET.validate_update({"type": "x", "data": {"k": b64("v")}}, opaque)] == [
        'type: Invalid value: "x": field is immutable']


def test_lease() -> None:
    lease: Obj = {"metadata": {"name": "node-1", "namespace": "kube-node-lease"},
                  "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40,
                           "renewTime": "2026-01-01T00:00:10+00:00"}}
    LEASE.default(lease)
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:10.000000Z"
    assert LEASE.validate(lease) == []
    assert row(LEASE, lease, NOW)["cells"][:2] == ["node-1", "node-1"]
    lease["spec"].update(leaseDurationSeconds=0, leaseTransitions=-1)
    assert [e.message() for e in LEASE.validate(lease)] == [
        "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
        "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"]
