"""Protobuf request bodies, as kubectl 1.37's generators sent them (captured on the wire)."""

from __future__ import annotations

import pytest

from apiserver import errors
from apiserver.machinery import protobuf

# kubectl create namespace foo
NAMESPACE = bytes.fromhex(
    "6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800420012001a020a00"
    "1a002200")
# kubectl create configmap c1 --from-literal=a=b --from-literal=c=d -n default
CONFIGMAP = bytes.fromhex(
    "6b3873000a0f0a0276311209436f6e6669674d6170122b0a190a02633112001a0764656661756c7422002a003200380042001206"
    "0a016112016212060a01631201641a002200")
# kubectl create secret generic s1 --from-literal=a=b
SECRET = bytes.fromhex(
    "6b3873000a0c0a0276311206536563726574121e0a120a02733112001a0022002a0032003800420012060a01611201621a00"
    "1a002200")
# kubectl create service clusterip sv --tcp=80:8080 --tcp=443
SERVICE = bytes.fromhex(
    "6b3873000a0d0a0276311207536572766963651280010a1d0a02737612001a0022002a003200380042005a090a036170701202"
    "7376125b0a1b0a0738302d38303830120354435018502207080010903f1a0028000a180a033434331203544350"
    "18bb032207080010bb031a00280012090a03617070120273761a002209436c757374657249503a00420052005a006000"
    "68001a020a001a002200")


def test_generator_bodies_decode_to_their_json() -> None:
    assert protobuf.decode(NAMESPACE) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "foo"}}
    assert protobuf.decode(CONFIGMAP) == {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "c1", "namespace": "default"},
                                          "data": {"a": "b", "c": "d"}}
    assert protobuf.decode(SECRET) == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"},
                                       "data": {"a": "Yg=="}}
    assert protobuf.decode(SERVICE) == {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "sv", "labels": {"app": "sv"}},
        "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080},
                           {"name": "443", "protocol": "TCP", "port": 443, "targetPort": 443}],
                 "selector": {"app": "sv"}, "type": "ClusterIP"}}


def test_other_kinds_get_a_415_that_says_what_to_do() -> None:
    body = protobuf.MAGIC + bytes.fromhex("0a150a07617070732f7631120a4465706c6f796d656e74") + b"\x12\x00"
    with pytest.raises(errors.StatusError) as refused:
        protobuf.decode(body)
    assert refused.value.code == 415 and "not Deployment" in refused.value.message
    assert "--dry-run=client -o yaml | kubectl apply -f -" in refused.value.message


@pytest.mark.parametrize("body", [b"{}", protobuf.MAGIC + b"\x0a\x05\x0a", NAMESPACE[:30], protobuf.MAGIC + b"\x0f"])
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(errors.StatusError) as bad:
        protobuf.decode(body)
    assert bad.value.code == 400
