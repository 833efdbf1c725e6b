"""The loads `python -m bench.profiling` profiles: each starts its server, then runs the same
work as its benchmark while py-spy samples the server process."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import orjson

from bench import creates, fixtures, harness, lists, loadgen, profiling, scale, watch


def profile(name: str, work: Path, seconds: float, out: Path, fixtures_in: Path | None = None) -> str:
    """Profile scenario `name` with servers under `work` (a fresh directory); prepared stores
    are built in (or reused from) `fixtures_in`, by default `work`."""
    shared = fixtures_in or work
    if name == "creates":
        server = harness.minik(work / "creates", "--no-controllers")
        with server:
            fixtures.create_namespace(server.port, creates.NAMESPACE)
            raw = loadgen.build("POST", f"/api/v1/namespaces/{creates.NAMESPACE}/pods",
                                orjson.dumps(fixtures.pod(creates.NAMESPACE)))
            return profiling.profile_during(server, seconds, lambda: loadgen.run(loadgen.closed_loop(
                server.port, lambda i: raw, clients=creates.CLIENTS, duration=seconds)), out)
    if name == "lists":
        data = harness.copy_data_dir(fixtures.pods_10k(shared), work / "lists")
        server = harness.minik(data, "--no-controllers")
        with server:
            raw = loadgen.build("GET", "/api/v1/pods", accept=lists.TABLE_ACCEPT)
            deadline = time.monotonic() + seconds

            def load() -> None:
                while time.monotonic() < deadline:
                    loadgen.run(lists._time(server.port, raw, 1))
            return profiling.profile_during(server, seconds, load, out)
    if name == "watch":
        server = harness.minik(work / "watch", "--no-controllers")
        with server:
            fixtures.create_namespace(server.port, watch.NAMESPACE)
            loadgen.run(fixtures.create_pods(server.port, watch.NAMESPACE, watch.PODS, named=True))
            return profiling.profile_during(server, seconds, lambda: loadgen.run(
                watch._one_run(server.port, max(1.0, seconds - 2))), out)
    if name == "scale":
        server = harness.minik(work / "scale", "--nodes", "10")
        with server:
            return profiling.profile_during(server, seconds, lambda: _scale_quietly(server.port, seconds), out)
    if name == "latency":
        server = harness.minik(work / "latency", "--no-controllers")
        with server:
            fixtures.create_namespace(server.port, "bench-latency")
            loadgen.run(fixtures.create_pods(server.port, "bench-latency", 3000, named=True))
            raw = loadgen.build("PATCH", "/api/v1/namespaces/bench-latency/pods/pod-00001",
                                b'{"metadata":{"labels":{"x":"y"}}}', content_type="application/merge-patch+json")
            return profiling.profile_during(server, seconds, lambda: loadgen.run(loadgen.closed_loop(
                server.port, lambda i: raw, clients=1, duration=seconds)), out)
    if name == "coldstart":
        data = harness.copy_data_dir(fixtures.pods_10k(shared), work / "coldstart")
        server = harness.minik(data)
        return _record_command(server.argv, min(seconds, 3.0), out)
    if name == "cli":
        server = harness.minik(work / "cli", "--no-controllers")
        with server:
            loadgen.run(fixtures.create_pods(server.port, "default", 100, named=True))
            env = harness.env_for_clients(work / "cli")
            argv = [str(harness.BIN / "minikctl"), "get", "pods"]
            subprocess.run(argv, env=env, capture_output=True, timeout=60)  # warm caches
            return _record_command(argv, 10.0, out, env)
    raise ValueError(name)


def _record_command(argv: list[str], seconds: float, out: Path, env: dict[str, str] | None = None) -> str:
    """py-spy runs `argv` itself and samples it from its first instruction, for `seconds` at
    most (then stops it)."""
    spy = [str(harness.BIN / "py-spy"), "record", "--rate", "1000", "--duration", str(max(1, int(seconds))),
           "--format", "raw", "--nonblocking", "--output", str(out), "--", *argv]
    subprocess.run(spy, env=env, capture_output=True, timeout=seconds + 60, cwd=harness.REPO)
    return profiling.summarise(out) if out.exists() else "(py-spy wrote nothing)"


def _scale_quietly(port: int, seconds: float) -> None:
    try:
        loadgen.run(scale._scale(port, 1000, seconds))
    except scale.Unfinished:
        pass
