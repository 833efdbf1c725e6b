"""Discovery documents, type-argument resolution like kubectl's RESTMapper, and the disk cache."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from minikctl.client import Client
from minikctl.discovery import (CACHE_FILE, CACHE_TTL, Discovery, cache_dir_for, find,
                                not_found_message, parse_aggregated, parse_resource_list)
from minikctl.errors import ConnectError
from minikctl.kubeconfig import ClientConfig
from minikctl.resources import Resource


def entry(plural: str, kind: str, short: list[str] | None = None, cats: list[str] | None = None,
          scope: str = "Namespaced", group: str = "", subs: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"resource": plural, "responseKind": {"group": group, "version": "v1", "kind": kind},
            "scope": scope, "singularResource": kind.lower(), "shortNames": short or [],
            "categories": cats or [], "verbs": ["get", "list"],
            "subresources": [{"subresource": s} for s in subs]}


AGGREGATED = {"kind": "APIGroupDiscoveryList", "items": [
    {"metadata": {"name": ""}, "versions": [{"version": "v1", "resources": [
        entry("pods", "Pod", ["po"], ["all"], subs=("status", "log")),
        entry("replicationcontrollers", "ReplicationController", ["rc"], ["all"],
              subs=("scale",)),
        entry("services", "Service", ["svc"], ["all"]),
        entry("events", "Event", ["ev"]),
        entry("namespaces", "Namespace", ["ns"], scope="Cluster")]}]},
    {"metadata": {"name": "apps"}, "versions": [
        {"version": "v1", "resources": [entry("deployments", "Deployment", ["deploy"], ["all"],
                                              group="apps")]},
        {"version": "v1beta1", "resources": [entry("deployments", "Deployment", [], [],
                                                   group="apps")]}]},
    {"metadata": {"name": "events.k8s.io"}, "versions": [{"version": "v1", "resources": [
        entry("events", "Event", ["ev"], group="events.k8s.io")]}]}]}


@pytest.fixture
def resources() -> list[Resource]:
    return parse_aggregated(AGGREGATED)


def test_aggregated_document(resources: list[Resource]) -> None:
    rc = resources[1]
    assert (rc.plural, rc.kind, rc.short_names, rc.subresources, rc.namespaced) == (
        "replicationcontrollers", "ReplicationController", ("rc",), ("scale",), True)
    assert rc.path("default", "x", "scale") == "/api/v1/namespaces/default/replicationcontrollers/x/scale"
    deploy = next(r for r in resources if r.group == "apps")
    assert (deploy.kind_string, deploy.qualified_plural, deploy.path(None)) == (
        "deployment.apps", "deployments.apps", "/apis/apps/v1/deployments")
    assert [r.preferred for r in resources if r.plural == "deployments"] == [True, False]


def test_legacy_resource_list_folds_subresources() -> None:
    doc = {"resources": [
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "shortNames": ["po"], "categories": ["all"]},
        {"name": "pods/status", "namespaced": True, "kind": "Pod"},
        {"name": "nodes", "singularName": "", "namespaced": False, "kind": "Node"}]}
    pods, nodes = parse_resource_list(doc, "", "v1")
    assert (pods.subresources, pods.short_names, nodes.singular, nodes.namespaced) == (
        ("status",), ("po",), "node", False)


@pytest.mark.parametrize("arg,plural,group", [
    ("pods", "pods", ""), ("pod", "pods", ""), ("po", "pods", ""), ("Pod", "pods", ""),
    ("PODS", "pods", ""), ("ReplicationController", "replicationcontrollers", ""),
    ("rc", "replicationcontrollers", ""), ("rc.v1.", "replicationcontrollers", ""),
    ("deploy", "deployments", "apps"), ("deployments.apps", "deployments", "apps"),
    ("deployments.v1.apps", "deployments", "apps"), ("events", "events", ""),
    ("events.events.k8s.io", "events", "events.k8s.io"), ("ns", "namespaces", "")])
def test_resolution(resources: list[Resource], arg: str, plural: str, group: str) -> None:
    found = find(resources, arg)
    assert found is not None and (found.plural, found.group) == (plural, group)


def test_explicit_version_selects_it(resources: list[Resource]) -> None:
    found = find(resources, "deployments.v1beta1.apps")
    assert found is not None and found.version == "v1beta1"


@pytest.mark.parametrize("arg,message", [
    ("foo", 'the server doesn\'t have a resource type "foo"'),
    ("Foo.bar", 'the server doesn\'t have a resource type "Foo" in group "bar"'),
    ("pod.foo", 'the server doesn\'t have a resource type "pod" in group "foo"'),
    ("replicationcontrollers.v1", 'the server doesn\'t have a resource type '
                                  '"replicationcontrollers" in group "v1"'),
    ("x.v2.apps", 'the server doesn\'t have a resource type "x" in group "v2.apps"'),
    ("pods.v2.", 'the server doesn\'t have a resource type "pods" in group "v2."')])
def test_unresolved_names(resources: list[Resource], arg: str, message: str) -> None:
    assert find(resources, arg) is None
    assert not_found_message(arg) == message


def test_cache_directory_is_kubectls() -> None:
    assert cache_dir_for(Path("/c"), "http://127.0.0.1:8080") == Path("/c/discovery/127.0.0.1_8080")
    assert cache_dir_for(Path("/c"), "https://host:6443/p") == Path("/c/discovery/host_6443/p")


def dead_server() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_fresh_cache_is_used_and_stale_cache_refetched(tmp_path: Path,
                                                       resources: list[Resource]) -> None:
    client = Client(ClientConfig(server=dead_server(), namespace="default"))
    discovery = Discovery(client, tmp_path)
    assert discovery.cache_path is not None
    discovery.cache_path.parent.mkdir(parents=True)
    discovery.cache_path.write_text(json.dumps({"resources": [r.to_json() for r in resources]}))
    assert discovery.resolve("rc").plural == "replicationcontrollers"
    assert [r.plural for r in discovery.category("all")] == [
        "pods", "replicationcontrollers", "services", "deployments"]
    # an unknown name refreshes once; with no server that is a connection error
    with pytest.raises(ConnectError, match="was refused"):
        discovery.resolve("widgets")
    stale = time.time() - CACHE_TTL - 60
    os.utime(discovery.cache_path, (stale, stale))
    with pytest.raises(ConnectError):
        Discovery(client, tmp_path).resolve("rc")
    assert discovery.cache_path.name == CACHE_FILE
