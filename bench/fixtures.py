"""What the benchmarks store: a realistic pod, bulk creation over HTTP, and prepared data
directories built once per `make bench` and copied for each benchmark that starts from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from bench import harness, loadgen

# A pod as a Deployment-style workload writes it: labels, one container with ports, resources,
# env, probes. minik adds defaults (tolerations, dnsPolicy, ...), so stored pods are ~2 KB.
POD_SPEC: dict[str, Any] = {
    "containers": [{
        "name": "app", "image": "registry.k8s.io/e2e-test-images/agnhost:2.52",
        "args": ["netexec", "--http-port=8080"],
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "bench"}, {"name": "LOG_LEVEL", "value": "info"}],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
    }],
}
LABELS = {"app": "bench", "tier": "backend"}


def pod(namespace: str, name: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"namespace": namespace, "labels": dict(LABELS)}
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = "bench-"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": POD_SPEC}


def pod_create_request(namespace: str, name: str | None = None) -> bytes:
    return loadgen.build("POST", f"/api/v1/namespaces/{namespace}/pods", orjson.dumps(pod(namespace, name)))


def create_namespace(port: int, name: str) -> None:
    harness.request_json(port, "POST", "/api/v1/namespaces",
                         {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


async def create_pods(port: int, namespace: str, count: int, *, named: bool = False,
                      clients: int = 8) -> loadgen.LoadResult:
    """`count` pods, created by `clients` concurrent connections; fails loudly on any error."""
    if named:
        requests = [pod_create_request(namespace, f"pod-{i:05d}") for i in range(count)]
    else:
        one = pod_create_request(namespace)
        requests = [one] * count
    result = await loadgen.closed_loop(port, requests.__getitem__, clients=clients, total=count)
    if result.errors:
        raise RuntimeError(f"creating {count} pods in {namespace}: {result.errors} failed: {result.statuses}")
    return result


# The prepared store shared by the LIST, cold start and memory benchmarks.
NS_1K, NS_9K = "bench-1k", "bench-9k"


def pods_10k(work: Path) -> Path:
    """A stopped server's data dir with 10,000 pods: 1,000 in NS_1K and 9,000 in NS_9K."""
    data = work / "fixture-pods-10k"
    if (data / "minik.db").exists():
        return data
    server = harness.minik(data, "--no-controllers")
    with server:
        for ns in (NS_1K, NS_9K):
            create_namespace(server.port, ns)
        loadgen.run(create_pods(server.port, NS_1K, 1000, named=True))
        loadgen.run(create_pods(server.port, NS_9K, 9000, named=True))
    return data
