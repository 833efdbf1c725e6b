"""EventRecorder against a real Registry: names, fields, aggregation, never failing."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path
from typing import AsyncIterator

import pytest

from apiserver.controllers.client import EVENTS, PODS
from apiserver.controllers.eventcorrelation import Correlator
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


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_many_similar_messages_are_combined_and_spam_is_dropped(tmp_path: Path) -> None:
    """As client-go's correlator: 9 events, then one combined Event counting the rest, and
    no more than 25 occurrences about one object from one source."""
    async with recorder(tmp_path) as (cluster, rec):
        owner = {"kind": "ReplicationController", "apiVersion": "v1",
                 "metadata": {"name": "web", "namespace": "default", "uid": "rc-1"}}
        source = Source("replication-controller")
        for i in range(40):
            rec.normal(owner, "SuccessfulCreate", f"Created pod: web-{i}", source)
        pod = await make_pod(cluster)
        rec.normal(pod, "Scheduled", "Successfully assigned default/web-1 to node-1", Source("default-scheduler"))
        await rec.flush()
        events = await cluster.list(EVENTS)
        created = sorted((e for e in events if e["reason"] == "SuccessfulCreate"), key=lambda e: e["count"])
        assert [e["message"] for e in created[:9]] == [f"Created pod: web-{i}" for i in range(9)]
        combined = created[9:]
        assert [(e["message"], e["count"]) for e in combined] == [
            ("(combined from similar events): Created pod: web-24", 16)]
        assert combined[0]["involvedObject"]["name"] == "web"
        assert [e["reason"] for e in events if e["involvedObject"]["name"] == "web-1"] == ["Scheduled"]


def test_spam_filter_refills_one_event_every_five_minutes() -> None:
    clock = _Clock()
    correlator = Correlator(clock)
    node = {"kind": "Node", "apiVersion": "v1", "name": "node-1", "uid": "n1"}

    def record() -> int | None:
        decision = correlator.correlate(node, "Warning", "Rebooted", "Node rebooted", "kubelet", "node-1")
        return None if decision is None else decision.count

    assert [record() for _ in range(27)] == list(range(1, 26)) + [None, None]
    clock.now += 299.0
    assert record() is None
    clock.now += 2.0
    assert record() == 29  # the dropped occurrences were counted, as client-go counts them
    assert record() is None


def test_combining_starts_afresh_after_ten_quiet_minutes() -> None:
    clock = _Clock()
    correlator = Correlator(clock)
    rc = {"kind": "ReplicationController", "apiVersion": "v1", "namespace": "default", "name": "web", "uid": "u"}

    def message(i: int) -> str:
        decision = correlator.correlate(rc, "Normal", "SuccessfulDelete", f"Deleted pod: web-{i}",
                                        "replication-controller", "")
        assert decision is not None
        return decision.message

    assert [message(i) for i in range(10)][8:] == ["Deleted pod: web-8",
                                                   "(combined from similar events): Deleted pod: web-9"]
    clock.now += 601.0
    assert message(10) == "Deleted pod: web-10"
