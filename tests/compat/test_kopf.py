"""A small kopf operator against minik, run in-process in a thread (standalone, namespaced to
the test's namespace): it reacts to creates, updates and deletes of a built-in kind
(ConfigMaps labelled role=parent), with kopf's finalizer, and stops when told."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterator

import kopf
import pytest
from kubernetes import client

from support import Server, wait_for

FINALIZER = "kopf.zalando.org/KopfFinalizerMarker"


class Operator:
    def __init__(self, server: Server, namespace: str, core: client.CoreV1Api) -> None:
        self.seen: list[tuple[Any, ...]] = []
        self.registry = kopf.OperatorRegistry()
        self.stop_flag = threading.Event()
        self.ready_flag = threading.Event()
        self._handlers(server, namespace, core)
        self.thread = threading.Thread(target=self._run, args=(namespace,), daemon=True)

    def _handlers(self, server: Server, namespace: str, core: client.CoreV1Api) -> None:
        on, registry, parents = kopf.on, self.registry, {"role": "parent"}

        @on.login(registry=registry)
        def login(**_: Any) -> kopf.ConnectionInfo:
            return kopf.ConnectionInfo(server=server.url, insecure=True, default_namespace=namespace)

        @on.startup(registry=registry)
        def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
            settings.watching.server_timeout = 30
            settings.watching.client_timeout = 40
            settings.networking.request_timeout = 20

        @on.create("configmaps", labels=parents, registry=registry)
        def created(name: str, body: Any, **_: Any) -> None:
            child: dict[str, Any] = {"metadata": {"name": f"{name}-child"}, "data": dict(body.get("data") or {})}
            kopf.adopt(child, owner=body)
            child["metadata"]["labels"] = {"role": "child"}
            core.create_namespaced_config_map(namespace, child)
            kopf.info(body, reason="Cloned", message=f"made {name}-child")
            self.seen.append(("create", name))

        @on.update("configmaps", labels=parents, field="data", registry=registry)
        def updated(name: str, diff: Any, **_: Any) -> None:
            self.seen.append(("update", name, [tuple(d) for d in diff]))

        @on.delete("configmaps", labels=parents, registry=registry)
        def deleted(name: str, **_: Any) -> None:
            self.seen.append(("delete", name))

    def _run(self, namespace: str) -> None:
        asyncio.run(kopf.operator(registry=self.registry, standalone=True, namespaces=[namespace],
                                  stop_flag=self.stop_flag, ready_flag=self.ready_flag))

    def start(self) -> None:
        self.thread.start()
        assert self.ready_flag.wait(20), "kopf did not start"

    def stop(self) -> None:
        self.stop_flag.set()
        self.thread.join(20)
        assert not self.thread.is_alive(), "kopf did not stop"


@pytest.fixture
def operator(server: Server, namespace: str, core: client.CoreV1Api) -> Iterator[Operator]:
    op = Operator(server, namespace, core)
    op.start()
    try:
        yield op
    finally:
        op.stop()


def status_of(server: Server, path: str) -> int:
    return server.request("GET", path)[0]


def test_operator_reacts_to_create_update_delete(operator: Operator, core: client.CoreV1Api, server: Server,
                                                 namespace: str) -> None:
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "app", "labels": {"role": "parent"}},
                                                  "data": {"k": "1"}})
    wait_for(lambda: ("create", "app") in operator.seen, timeout=20, message="the create handler")
    parent = core.read_namespaced_config_map("app", namespace)
    assert FINALIZER in parent.metadata.finalizers
    child = core.read_namespaced_config_map("app-child", namespace)
    assert child.data == {"k": "1"}
    assert [(o.kind, o.name, o.uid, o.controller) for o in child.metadata.owner_references] == \
        [("ConfigMap", "app", parent.metadata.uid, True)]

    core.patch_namespaced_config_map("app", namespace, {"data": {"k": "2"}})
    wait_for(lambda: ("update", "app", [("change", ("k",), "1", "2")]) in operator.seen, timeout=20,
             message="the update handler")

    core.delete_namespaced_config_map("app", namespace)
    wait_for(lambda: ("delete", "app") in operator.seen, timeout=20, message="the delete handler")
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    wait_for(lambda: status_of(server, f"{path}/app") == 404, timeout=20, message="kopf's finalizer removed")
    wait_for(lambda: status_of(server, f"{path}/app-child") == 404, timeout=20,
             message="the child garbage-collected")
    assert [s[0] for s in operator.seen] == ["create", "update", "delete"]

    # kopf.info() posts a core/v1 Event (with +00:00 timestamps), stored in Z form.
    events = server.request("GET", f"/api/v1/namespaces/{namespace}/events?fieldSelector="
                                   "involvedObject.name%3Dapp%2Creason%3DCloned")[1]["items"]
    assert [(e["source"], e["message"]) for e in events] == [({"component": "kopf"}, "made app-child")]
    assert events[0]["firstTimestamp"].endswith("Z") and events[0]["eventTime"].endswith("Z")
