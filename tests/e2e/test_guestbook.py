"""The guestbook tutorial, end to end: a real server, a real SQLite file, minikctl as the
person types it, and a restart on the same data dir at the end."""

from __future__ import annotations

import re
from pathlib import Path

from support import REPO, Server, run, wait_for

MANIFESTS = REPO / "manifests" / "guestbook"
ORDER = ["redis-master-controller.yaml", "redis-master-service.yaml", "redis-slave-controller.yaml",
         "redis-slave-service.yaml", "frontend-controller.yaml", "frontend-service.yaml"]
EXPECTED_CREATED = ["replicationcontroller/redis-master created", "service/redis-master created",
                    "replicationcontroller/redis-slave created", "service/redis-slave created",
                    "replicationcontroller/frontend created", "service/frontend created"]


def minikctl(server: Server, *args: str) -> str:
    result = run(["minikctl", *args], server)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def table(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()[1:] if line.strip()]


def pods_running(server: Server, expected: int, prefix: str = "") -> bool:
    rows = [r for r in table(minikctl(server, "get", "pods")) if r[0].startswith(prefix)]
    return len(rows) == expected and all(r[1] == "1/1" and r[2] == "Running" for r in rows)


def rc_converged(server: Server) -> bool:
    rows = table(minikctl(server, "get", "rc"))
    return bool(rows) and all(r[1] == r[2] == r[3] for r in rows)


def frontend_endpoints(server: Server) -> int:
    status, ep = server.request("GET", "/api/v1/namespaces/default/endpoints/frontend")
    if status != 200:
        return 0
    return sum(len(s.get("addresses") or []) for s in ep.get("subsets") or [])


def test_guestbook_tutorial(tmp_path: Path) -> None:
    server = Server(tmp_path / "minik", __import__("support").free_port(), ["--pod-start-delay", "0.1"])
    server.start()
    try:
        for name, expected in zip(ORDER, EXPECTED_CREATED):
            assert minikctl(server, "create", "-f", str(MANIFESTS / name)) == expected + "\n"

        wait_for(lambda: pods_running(server, 6), 30, 0.2, "6 pods 1/1 Running")
        wait_for(lambda: rc_converged(server), 15, 0.2, "RCs converged")
        rcs = {r[0]: r[1:4] for r in table(minikctl(server, "get", "rc"))}
        assert rcs == {"frontend": ["3", "3", "3"], "redis-master": ["1", "1", "1"],
                       "redis-slave": ["2", "2", "2"]}

        services = {r[0]: r for r in table(minikctl(server, "get", "svc"))}
        assert set(services) == {"frontend", "kubernetes", "redis-master", "redis-slave"}
        assert services["frontend"][1] == "NodePort" and services["frontend"][4] == "80:30001/TCP"
        assert services["kubernetes"][2] == "10.96.0.1"
        assert services["redis-slave"][4] == "6379/TCP"
        wait_for(lambda: frontend_endpoints(server) == 3, 15, 0.2, "three frontend endpoints")

        assert minikctl(server, "scale", "rc", "redis-slave", "--replicas=3") == \
            "replicationcontroller/redis-slave scaled\n"
        wait_for(lambda: pods_running(server, 3, "redis-slave-"), 20, 0.2, "3 redis-slave pods")
        minikctl(server, "scale", "rc", "redis-slave", "--replicas=2")
        wait_for(lambda: pods_running(server, 2, "redis-slave-"), 20, 0.2, "2 redis-slave pods")

        out = minikctl(server, "delete", "rc", "redis-slave", "--timeout=30s")
        assert out == 'replicationcontroller "redis-slave" deleted from default namespace\n'
        wait_for(lambda: pods_running(server, 0, "redis-slave-"), 20, 0.2, "redis-slave pods gone")
        before = minikctl(server, "get", "pods", "-o", "name")
    finally:
        server.stop()

    server.start()
    try:
        wait_for(lambda: pods_running(server, 4), 20, 0.2, "4 pods Running after restart")
        assert minikctl(server, "get", "pods", "-o", "name") == before
        assert sorted(r[0] for r in table(minikctl(server, "get", "rc"))) == ["frontend", "redis-master"]
        services = {r[0]: r for r in table(minikctl(server, "get", "svc"))}
        assert services["frontend"][4] == "80:30001/TCP"
    finally:
        server.stop()
