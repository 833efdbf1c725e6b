"""EventRecorder against a real Registry: names, fields, aggregation, never failing."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path
from typing import AsyncIterator

import pytest

from apiserver.controllers.client import EVENTS, PODS
from apiserver.controllers.events import EventRecorder, Source
from controller_harness import Cluster, open_cluster

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def recorder(tmp_path: Path) -> AsyncIterator[tuple[Cluster, EventRecorder]]:
    cluster = await open_cluster(tmp_path)
    rec = EventRecorder(cluster.client)
    task = asyncio.create_task(rec.run())
    try:
        yield cluster, rec
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await cluster.storage.close()


async def make_pod(cluster: Cluster) -> dict:
    return await cluster.client.create(PODS, "default", {"metadata": {"name": "web-1"}, "spec": {
        "containers": [{"name": "app", "image": "nginx:1.27"}]}})


async def test_event_fields_and_name(tmp_path: Path) -> None:
    async with recorder(tmp_path) as (cluster, rec):
        pod = await make_pod(cluster)
        rec.normal(pod, "Pulled", 'Container image "nginx:1.27" already present on machine',
                   Source("kubelet", "node-1"), field_path="spec.containers{app}")
        await rec.flush()
        [event] = await cluster.list(EVENTS)
        assert re.fullmatch(r"web-1\.[0-9a-f]{15,17}", event["metadata"]["name"])
        assert event["involvedObject"] == {"kind": "Pod", "namespace": "default", "name": "web-1",
                                           "uid": pod["metadata"]["uid"], "apiVersion": "v1",
                                           "resourceVersion": pod["metadata"]["resourceVersion"],
                                           "fieldPath": "spec.containers{app}"}
        assert event["source"] == {"component": "kubelet", "host": "node-1"}
        assert (event["type"], event["reason"], event["count"]) == ("Normal", "Pulled", 1)
        assert event["firstTimestamp"] == event["lastTimestamp"]
        assert (event["reportingComponent"], event["reportingInstance"]) == ("kubelet", "node-1")


async def test_repeats_bump_count_instead_of_new_events(tmp_path: Path) -> None:
    async with recorder(tmp_path) as (cluster, rec):
        pod = await make_pod(cluster)
        source = Source("default-scheduler")
        for _ in range(3):
            rec.warning(pod, "FailedScheduling", "0/1 nodes are available: 1 Too many pods.", source)
        rec.warning(pod, "FailedScheduling", "0/2 nodes are available: 2 Too many pods.", source)
        await rec.flush()
        events = sorted(await cluster.list(EVENTS), key=lambda e: e["message"])
        assert [(e["message"][:4], e["count"]) for e in events] == [("0/1 ", 3), ("0/2 ", 1)]


async def test_cluster_scoped_objects_get_events_in_default(tmp_path: Path) -> None:
    async with recorder(tmp_path) as (cluster, rec):
        node = {"kind": "Node", "apiVersion": "v1", "metadata": {"name": "node-9", "uid": "n9"}}
        rec.normal(node, "Starting", "Starting kubelet.", Source("kubelet", "node-9"))
        await rec.flush()
        [event] = await cluster.list(EVENTS)
        assert event["metadata"]["namespace"] == "default"
        assert "namespace" not in event["involvedObject"]


async def test_failed_writes_are_dropped_and_recording_goes_on(tmp_path: Path) -> None:
    async with recorder(tmp_path) as (cluster, rec):
        ghost = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "missing", "uid": "x"}}
        rec.normal(ghost, "Created", "Container created", Source("kubelet"))  # its namespace does not exist
        pod = await make_pod(cluster)
        rec.normal(pod, "Created", "Container created", Source("kubelet"))
        await rec.flush()
        assert [e["involvedObject"]["name"] for e in await cluster.list(EVENTS)] == ["web-1"]
