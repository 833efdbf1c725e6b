"""Watch over a real socket: framing, resume, selector transitions, watch-list bookmarks and
410 for a start below the retained history."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx

from support import Server, free_port


def watch(server: Server, path: str, max_events: int, timeout: int = 5) -> list[dict[str, Any]]:
    """Read up to `max_events` events (the server ends the stream after `timeout` s)."""
    sep = "&" if "?" in path else "?"
    events: list[dict[str, Any]] = []
    with httpx.stream("GET", f"{server.url}{path}{sep}watch=true&timeoutSeconds={timeout}",
                      timeout=timeout + 5) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
        for line in r.iter_lines():
            if line:
                events.append(json.loads(line))
            if len(events) >= max_events:
                break
    return events


def cm_path(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/configmaps"


def test_resume_from_resource_version(server: Server, namespace: str) -> None:
    _, first = server.request("POST", cm_path(namespace), {"metadata": {"name": "a"}})
    server.request("POST", cm_path(namespace), {"metadata": {"name": "b"}})
    server.request("DELETE", cm_path(namespace) + "/a")
    events = watch(server, cm_path(namespace) + f"?resourceVersion={first['metadata']['resourceVersion']}", 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "b"), ("DELETED", "a")]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and revisions[0] > int(first["metadata"]["resourceVersion"])
    assert events[0]["object"]["kind"] == "ConfigMap" and events[0]["object"]["apiVersion"] == "v1"


def test_initial_events_then_live(server: Server, namespace: str) -> None:
    server.request("POST", cm_path(namespace), {"metadata": {"name": "a"}})
    got: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: got.extend(watch(server, cm_path(namespace), 2)), daemon=True)
    reader.start()
    reader.join(0.5)
    server.request("POST", cm_path(namespace), {"metadata": {"name": "b"}})
    reader.join(10)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in got] == [("ADDED", "a"), ("ADDED", "b")]


def test_send_initial_events_bookmark(server: Server, namespace: str) -> None:
    server.request("POST", cm_path(namespace), {"metadata": {"name": "a"}})
    path = (cm_path(namespace) + "?sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
            "&allowWatchBookmarks=true&fieldSelector=metadata.name%3Da")
    events = watch(server, path, 2)
    assert events[0]["type"] == "ADDED"
    assert events[1]["type"] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_selector_transitions(server: Server, namespace: str) -> None:
    _, cm = server.request("POST", cm_path(namespace), {"metadata": {"name": "a", "labels": {"x": "1"}}})
    rv = cm["metadata"]["resourceVersion"]
    patch = "application/merge-patch+json"
    server.request("PATCH", cm_path(namespace) + "/a", {"metadata": {"labels": {"x": "2"}}}, content_type=patch)
    server.request("PATCH", cm_path(namespace) + "/a", {"metadata": {"labels": {"x": "1"}}}, content_type=patch)
    server.request("PATCH", cm_path(namespace) + "/a", {"data": {"k": "v"}}, content_type=patch)
    events = watch(server, cm_path(namespace) + f"?resourceVersion={rv}&labelSelector=x%3D1", 3)
    assert [e["type"] for e in events] == ["DELETED", "ADDED", "MODIFIED"]


def test_table_watch_sends_columns_once(server: Server, namespace: str) -> None:
    server.request("POST", cm_path(namespace), {"metadata": {"name": "a"}})
    server.request("POST", cm_path(namespace), {"metadata": {"name": "b"}})
    sep_accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    with httpx.stream("GET", f"{server.url}{cm_path(namespace)}?watch=true&timeoutSeconds=2",
                      headers={"Accept": sep_accept}, timeout=10) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert [e["object"]["kind"] for e in lines] == ["Table", "Table"]
    assert lines[0]["object"]["columnDefinitions"] and lines[1]["object"]["columnDefinitions"] == []
    assert lines[1]["object"]["rows"][0]["cells"][0] == "b"


def test_compacted_start_gets_410_event(tmp_path: Path) -> None:
    srv = Server(tmp_path / "m", free_port(), ["--no-controllers", "--history-revisions", "10"])
    srv.start()
    try:
        for i in range(40):
            srv.request("POST", cm_path("default"), {"metadata": {"name": f"c{i}"}})
        srv.request("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "last"}})

        def expired() -> bool:
            events = watch(srv, cm_path("default") + "?resourceVersion=2", 1, timeout=1)
            return bool(events) and events[0]["type"] == "ERROR"

        from support import wait_for
        wait_for(expired, 20, 0.5, "a 410 ERROR event once compaction ran")
        event = watch(srv, cm_path("default") + "?resourceVersion=2", 1)[0]
        assert event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
        assert event["object"]["message"].startswith("too old resource version: 2 (")
    finally:
        srv.stop()
