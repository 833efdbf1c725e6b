"""Name and label rules (apimachinery's wording) and the ObjectMeta checks built on them."""

from __future__ import annotations

import pytest

from apiserver import errors
from apiserver.machinery import names, objectmeta
from apiserver.resources import by_plural

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
KEY_NAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.mark.parametrize("value", ["a", "web-1", "example.com", "a" * 253, "1-2.3"])
def test_subdomain_accepts(value: str) -> None:
    assert names.dns1123_subdomain(value) == []


def test_subdomain_messages() -> None:
    assert names.dns1123_subdomain("Web_1") == [SUBDOMAIN_MSG]
    assert names.dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]
    assert names.dns1123_subdomain("-" * 254) == ["must be no more than 253 characters", SUBDOMAIN_MSG]


def test_label_messages() -> None:
    assert names.dns1123_label("my-ns") == []
    assert names.dns1123_label("My_ns") == [LABEL_MSG]
    assert names.dns1123_label("a.b") == ["must not contain dots"]
    assert names.dns1123_label("a" * 64) == ["must be no more than 63 characters"]


def test_dns1035_messages() -> None:
    assert names.dns1035_label("frontend") == []
    assert names.dns1035_label("1web") == [DNS1035_MSG]


def test_path_segment() -> None:
    assert names.path_segment_name("node-1.17a9f3c") == []
    assert names.path_segment_name("..") == ["may not be '..'"]
    assert names.path_segment_name("a/b%c") == ["may not contain '/'", "may not contain '%'"]


def test_qualified_name() -> None:
    assert names.qualified_name("app.kubernetes.io/name") == []
    assert names.qualified_name("-x") == [KEY_NAME_MSG]
    assert names.qualified_name("/x") == ["prefix part must be non-empty"]
    assert names.qualified_name("a/") == ["name part must be non-empty", KEY_NAME_MSG]
    assert names.qualified_name("x" * 64) == ["name part must be no more than 63 bytes"]
    assert names.qualified_name("a/b/c")[0].startswith("a valid label key must consist of")
    assert names.qualified_name("Bad_Prefix/x") == ["prefix part " + SUBDOMAIN_MSG]


def test_label_value() -> None:
    assert names.label_value("") == []
    assert names.label_value("-x") == [LABEL_VALUE_MSG]
    assert names.label_value("v" * 64) == ["must be no more than 63 bytes"]


def test_port_name_and_number() -> None:
    assert names.port_name("http") == []
    assert names.port_name("HTTP") == ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                                       "must contain at least one letter (a-z)"]
    assert names.port_name("-a--b") == ["must not contain consecutive hyphens", "must not begin or end with a hyphen"]
    assert names.port_number(0) == ["must be between 1 and 65535, inclusive"]


def test_generate_name() -> None:
    name = objectmeta.generate_name("x" * 70)
    assert len(name) == 63 and name.startswith("x" * 58)
    assert set(name[58:]) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert objectmeta.generate_name("redis-master-")[:13] == "redis-master-"


def _messages(errs: list[errors.FieldError]) -> list[str]:
    return [e.message() for e in errs]


def _pod(**meta: object) -> dict[str, object]:
    return {"metadata": {"namespace": "default", **meta}}


def test_object_meta_name_rules() -> None:
    pods = by_plural("", "pods")
    assert pods is not None
    assert _messages(objectmeta.validate_object_meta(_pod(), pods, True)) == [
        "metadata.name: Required value: name or generateName is required"]
    assert _messages(objectmeta.validate_object_meta(_pod(name="Web_1"), pods, True)) == [
        'metadata.name: Invalid value: "Web_1": ' + SUBDOMAIN_MSG]
    bad_prefix = objectmeta.validate_object_meta(_pod(generateName="Web-", name="Web-x7k2p"), pods, True)
    assert [e.field for e in bad_prefix] == ["metadata.generateName", "metadata.name"]


def test_event_names_only_need_path_segments() -> None:
    events = by_plural("", "events")
    assert events is not None
    assert objectmeta.validate_object_meta(_pod(name="Web.17a9F3"), events, True) == []
    assert _messages(objectmeta.validate_object_meta(_pod(name="a/b"), events, True)) == [
        "metadata.name: Invalid value: \"a/b\": may not contain '/'"]


def test_namespace_rules() -> None:
    pods, nodes = by_plural("", "pods"), by_plural("", "nodes")
    assert pods is not None and nodes is not None
    assert _messages(objectmeta.validate_object_meta({"metadata": {"name": "p"}}, pods, True)) == [
        "metadata.namespace: Required value"]
    assert _messages(objectmeta.validate_object_meta(_pod(name="p", namespace="Bad"), pods, True)) == [
        'metadata.namespace: Invalid value: "Bad": ' + LABEL_MSG]
    assert _messages(objectmeta.validate_object_meta(_pod(name="n"), nodes, True)) == [
        "metadata.namespace: Forbidden: not allowed on this type"]


def test_labels_annotations_finalizers() -> None:
    pods = by_plural("", "pods")
    assert pods is not None
    obj = _pod(name="p", labels={"-x": "ok", "app": "-bad"}, annotations={"Example.COM/Key": "v"},
               finalizers=["orphan", "foregroundDeletion", "bad/x/y"])
    msgs = _messages(objectmeta.validate_object_meta(obj, pods, True))
    assert msgs[0] == 'metadata.labels: Invalid value: "-x": ' + KEY_NAME_MSG
    assert msgs[1] == 'metadata.labels: Invalid value: "-bad": ' + LABEL_VALUE_MSG
    assert msgs[2].startswith('metadata.finalizers: Invalid value: "bad/x/y": a valid label key')
    assert msgs[3] == ('metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","bad/x/y"]: '
                       "finalizer orphan and foregroundDeletion cannot be both set")
    big = _pod(name="p", annotations={"k": "v" * (256 * 1024)})
    assert _messages(objectmeta.validate_object_meta(big, pods, True)) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"]


def test_owner_references() -> None:
    pods = by_plural("", "pods")
    assert pods is not None
    refs = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a", "uid": "1", "controller": True},
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "2", "controller": True},
            {"apiVersion": "", "kind": "", "name": "", "uid": ""}]
    msgs = _messages(objectmeta.validate_object_meta(_pod(name="p", ownerReferences=refs), pods, True))
    assert msgs[0].startswith("metadata.ownerReferences: Invalid value: [{")
    assert msgs[0].endswith('Only one reference can have Controller set to true. Found "true" in references '
                            "for ReplicaSet/a and ReplicaSet/b")
    assert msgs[1:] == ['metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
                        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
                        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
                        'metadata.ownerReferences.uid: Invalid value: "": must not be empty']


def test_update_immutables() -> None:
    old = {"metadata": {"name": "p", "namespace": "default", "uid": "u1", "creationTimestamp": "2026-01-05T10:00:00Z",
                        "generation": 3}}
    new = {"metadata": {"name": "q", "namespace": "default", "uid": "u1", "creationTimestamp": "2026-01-05T10:00:00Z",
                        "generation": 2}}
    assert _messages(objectmeta.validate_object_meta_update(new, old)) == [
        "metadata.generation: Invalid value: 2: must not be decremented",
        'metadata.name: Invalid value: "q": field is immutable']
    assert objectmeta.validate_object_meta_update(old, old) == []
