"""Watches as the official Python client and client-go's informers use them: resume from a
resourceVersion, selector transitions, the watch-list bookmark, bookmarks only when asked,
timeoutSeconds, and the 410 ERROR event for a start below the retained history."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from compat_tools import api_client, collect, raw_watch
from support import Server, free_port, wait_for


def stream(core: client.CoreV1Api, namespace: str, **params: Any) -> tuple[watch.Watch, Iterator[Any]]:
    w = watch.Watch()
    return w, w.stream(core.list_namespaced_config_map, namespace, _request_timeout=20, **params)


def summary(events: list[Any]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"].metadata.name) for e in events]


def test_watch_and_resume(core: client.CoreV1Api, namespace: str) -> None:
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "a"}, "data": {"k": "1"}})
    core.patch_namespaced_config_map("a", namespace, {"data": {"k": "2"}})
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "b"}})
    core.delete_namespaced_config_map("a", namespace)

    w, events = stream(core, namespace, resource_version=start, timeout_seconds=10)
    seen = collect(events, lambda got: len(got) >= 4, timeout=15)
    w.stop()
    assert summary(seen) == [("ADDED", "a"), ("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]
    versions = [int(e["object"].metadata.resource_version) for e in seen]
    assert versions == sorted(versions) and len(set(versions)) == 4
    assert seen[3]["object"].data == {"k": "2"}  # DELETED carries the last state

    # Resuming from an event's version replays exactly what came after it.
    w, events = stream(core, namespace, resource_version=str(versions[1]), timeout_seconds=10)
    resumed = collect(events, lambda got: len(got) >= 2, timeout=15)
    w.stop()
    assert summary(resumed) == [("ADDED", "b"), ("DELETED", "a")]

    # A write that changes nothing is no event: only the later label shows.
    head = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.replace_namespaced_config_map("b", namespace, core.read_namespaced_config_map("b", namespace))
    core.patch_namespaced_config_map("b", namespace, {"metadata": {"labels": {"x": "1"}}})
    w, events = stream(core, namespace, resource_version=head, timeout_seconds=10)
    later = collect(events, lambda got: len(got) >= 1, timeout=15)
    w.stop()
    assert summary(later) == [("MODIFIED", "b")] and later[0]["object"].metadata.labels == {"x": "1"}


def test_selector_transitions(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}})
    rv = core.list_namespaced_config_map(namespace).metadata.resource_version
    for value in ("1", "2", "1"):
        core.patch_namespaced_config_map("c", namespace, {"metadata": {"labels": {"x": value}}})
    core.delete_namespaced_config_map("c", namespace)
    w, events = stream(core, namespace, resource_version=rv, label_selector="x=1", timeout_seconds=10)
    seen = collect(events, lambda got: len(got) >= 4, timeout=15)
    w.stop()
    assert summary(seen) == [("ADDED", "c"), ("DELETED", "c"), ("ADDED", "c"), ("DELETED", "c")]
    assert seen[1]["object"].metadata.labels == {"x": "2"}  # it left with its new labels


def test_watch_list_initial_events_and_bookmark(core: client.CoreV1Api, server: Server, namespace: str) -> None:
    for name in ("a", "b"):
        core.create_namespaced_config_map(namespace, {"metadata": {"name": name}})
    listed = int(core.list_namespaced_config_map(namespace).metadata.resource_version)
    began = time.monotonic()
    status, content_type, lines = raw_watch(server, (
        f"/api/v1/namespaces/{namespace}/configmaps?watch=true&sendInitialEvents=true"
        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"))
    assert time.monotonic() - began < 5
    assert (status, content_type.split(";")[0]) == (200, "application/json")
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in lines[:3]] == \
        [("ADDED", "a"), ("ADDED", "b"), ("BOOKMARK", None)]
    bookmark = lines[2]["object"]
    assert (bookmark["kind"], bookmark["apiVersion"]) == ("ConfigMap", "v1")
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["metadata"]["resourceVersion"]) >= listed
    assert all(e["type"] == "BOOKMARK" for e in lines[3:])

    # sendInitialEvents without resourceVersionMatch=NotOlderThan is refused up front.
    refused = server.request("GET", f"/api/v1/namespaces/{namespace}/configmaps?watch=true&sendInitialEvents=true")
    assert refused[0] == 422 and refused[1]["reason"] == "Invalid"


def test_bookmarks_only_when_asked(server: Server, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps?watch=true&resourceVersion=1&timeoutSeconds=3"
    began = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        plain = pool.submit(raw_watch, server, path)
        asked = pool.submit(raw_watch, server, path + "&allowWatchBookmarks=true")
        plain_lines, asked_lines = plain.result(15)[2], asked.result(15)[2]
    assert 2.5 < time.monotonic() - began < 6  # timeoutSeconds ends the streams cleanly
    assert all(e["type"] != "BOOKMARK" for e in plain_lines)
    # Asked for, a bookmark comes before the deadline (kube sends one two seconds before it),
    # so that a client reconnecting resumes from a recent version.
    bookmarks = [e for e in asked_lines if e["type"] == "BOOKMARK"]
    assert bookmarks and all(set(b["object"]["metadata"]) == {"resourceVersion"} for b in bookmarks)


@pytest.fixture(scope="module")
def short_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own that keeps only a few revisions, so that old watches expire."""
    srv = Server(tmp_path_factory.mktemp("short"), free_port(), ["--history-revisions", "10", "--nodes", "0"])
    srv.start()
    yield srv
    srv.stop()


def test_too_old_resource_version(short_history: Server, tmp_path: Path) -> None:
    srv = short_history
    assert srv.request("POST", "/api/v1/namespaces", {"metadata": {"name": "old"}})[0] == 201
    for i in range(40):
        assert srv.request("POST", "/api/v1/namespaces/old/configmaps", {"metadata": {"name": f"c{i}"}})[0] == 201

    def expired() -> list[dict[str, Any]]:
        status, _, lines = raw_watch(srv, "/api/v1/namespaces/old/configmaps?watch=true&resourceVersion=2")
        assert status == 200
        return lines if lines and lines[0]["type"] == "ERROR" else []

    lines = wait_for(expired, timeout=15, interval=0.5, message="compaction")  # compaction runs every few s
    assert len(lines) == 1
    error = lines[0]["object"]
    assert {k: error[k] for k in ("kind", "apiVersion", "status", "reason", "code")} == \
        {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410}
    assert error["message"].startswith("too old resource version: 2 (")


    # The Python client raises the 410 (it retries only when no timeout_seconds is given).
    with api_client(srv) as api:
        core = client.CoreV1Api(api)
        w = watch.Watch()
        events = collect(w.stream(core.list_namespaced_config_map, "old", resource_version="2",
                                  timeout_seconds=5, _request_timeout=20), lambda got: True, timeout=15)
        w.stop()
        assert len(events) == 1 and isinstance(events[0], ApiException) and events[0].status == 410
        # Its documented recovery: list, then watch from the list's version.
        rv = core.list_namespaced_config_map("old").metadata.resource_version
        core.create_namespaced_config_map("old", {"metadata": {"name": "late"}})
        w = watch.Watch()
        events = collect(w.stream(core.list_namespaced_config_map, "old", resource_version=rv,
                                  timeout_seconds=5, _request_timeout=20), lambda got: True, timeout=15)
        w.stop()
        assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "late")]

    # A LIST at an exact revision below the retained history is a plain 410.
    listed = srv.request("GET", "/api/v1/namespaces/old/configmaps?resourceVersion=2&resourceVersionMatch=Exact")
    assert listed[0] == 410 and listed[1]["message"] == "The resourceVersion for the provided list is too old."
