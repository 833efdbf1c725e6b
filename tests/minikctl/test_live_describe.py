"""`describe` against a real server: minikctl's text equals the real kubectl's, byte for byte,
for the guestbook and for data/describe-objects.yaml (probes, env sources, volumes, tolerations,
named ports, a repeated event, a secret, a config map with tabs and binary data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from kubectl_parity import (assert_same, drop_namespace, guestbook_copy, make_namespace, minikctl,
                            wait_settled)
from support import wait_for

OBJECTS = Path(__file__).parent / "data" / "describe-objects.yaml"


@pytest.fixture(scope="module")
def shop(server: Any, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-ds")
    env = dict(server.env)
    manifests = guestbook_copy(tmp_path_factory.mktemp("gb"))
    assert minikctl(env, "create", "-f", str(manifests), "-n", namespace).code == 0
    made = minikctl(env, "create", "-f", "-", "-n", namespace,
                    stdin=OBJECTS.read_text().replace("NAMESPACE", namespace))
    assert made.code == 0, made.err
    wait_settled(server, namespace)
    wait_for(lambda: server.request("GET", f"/api/v1/namespaces/{namespace}/pods/shop")[1]
             .get("status", {}).get("phase") == "Running", timeout=30, message="pod shop running")
    yield env, namespace
    drop_namespace(server, namespace)


@pytest.mark.parametrize("args", [
    ["pod", "shop"], ["svc", "shop"], ["cm", "settings"], ["secret", "creds"],
    ["ev", "shop.manual"], ["rc", "frontend"], ["svc", "frontend"], ["ep", "redis-master"],
    ["pods", "redis"], ["rc"], ["endpointslices"], ["pods", "-l", "name=frontend"],
    ["rc/redis-slave", "svc/redis-slave"], ["pod", "shop", "--show-events=false"],
    ["rc", "frontend", "--show-events=false"], ["pods", "redis", "--show-events=true"],
])
def test_descriptions(shop: tuple[dict[str, str], str], args: list[str]) -> None:
    env, namespace = shop
    assert_same(env, "describe", *args, "-n", namespace)


@pytest.mark.parametrize("args", [
    ["pod", "nosuch"], ["pods", "shop", "nosuch"], ["rc/nosuch"], ["widgets"],
    ["pods", "-l", "name=nomatch"], [],
])
def test_errors_and_nothing_found(shop: tuple[dict[str, str], str], args: list[str]) -> None:
    env, namespace = shop
    assert_same(env, "describe", *args, "-n", namespace)


def test_cluster_scoped(shop: tuple[dict[str, str], str]) -> None:
    env, namespace = shop
    assert_same(env, "describe", "node", "node-1")
    assert_same(env, "describe", "namespace", namespace)
    assert_same(env, "describe", "lease", "node-2", "-n", "kube-node-lease")


def test_from_file(shop: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, namespace = shop
    manifests = guestbook_copy(tmp_path / "gb")
    assert_same(env, "describe", "-f", str(manifests / "redis-master-service.yaml"),
                "-n", namespace)
