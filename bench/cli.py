"""6. minikctl against the real kubectl 1.37, same server, same machine: `get pods` with 100
pods stored, `create -f` of one manifest, and `--help`. Wall-clock time of the whole process,
after one untimed warm-up each (kubectl's discovery cache is then warm, as in daily use).
minikctl runs from bytecode compiled beforehand, as an installed wheel would."""

from __future__ import annotations

import compileall
import subprocess
import time
from pathlib import Path

import orjson

from bench import fixtures, harness, loadgen
from bench.harness import BIN, REPO, Context
from bench.report import Figure, Result

NAMESPACE = "default"
PODS = 100
REPEAT = 7  # timed runs per command and tool; the median is reported


def run(ctx: Context) -> Result:
    repeat = 3 if ctx.quick else REPEAT
    result = Result(6, "minikctl vs the real kubectl 1.37")
    # Bytecode for the sources as they are now: a file changed since `make install` would
    # otherwise be compiled again on every start (PYTHONDONTWRITEBYTECODE keeps it unwritten).
    compileall.compile_dir(str(REPO / "minikctl"), quiet=1)
    data = ctx.scratch("cli")
    server = harness.minik(data, "--no-controllers")
    manifests = data.parent / "cli-manifests"
    manifests.mkdir(exist_ok=True)
    with server:
        loadgen.run(fixtures.create_pods(server.port, NAMESPACE, PODS, named=True))
        env = harness.env_for_clients(data)
        cases = [("get pods", ["get", "pods"], 1.5), ("create -f", None, 1.5), ("--help", ["--help"], 2.0)]
        for label, args, limit in cases:
            times: dict[str, list[float]] = {"minikctl": [], "kubectl": []}
            for i in range(repeat + 1):
                for tool in ("minikctl", "kubectl"):
                    argv = args if args is not None else ["create", "-f", str(_manifest(manifests, tool, i))]
                    elapsed = _time([str(BIN / tool), *argv], env)
                    if i:  # the first is the warm-up
                        times[tool].append(elapsed * 1e3)
            fig = Figure(f"`{label}`: minikctl", "ms", times["minikctl"], times["kubectl"],
                         target=f"ratio <= {limit}", digits=0)
            fig.met = (fig.ratio or 1e9) <= limit
            result.figures.append(fig)
        result.commands = [harness.command_line(server),
                           "KUBECONFIG=DIR/kubeconfig minikctl get pods / kubectl get pods (100 pods in default)",
                           "minikctl create -f pod-N.json / kubectl create -f pod-N.json (a new pod each time)",
                           "minikctl --help / kubectl --help"]
    result.notes = [f"{repeat} timed runs per tool and command, alternating minikctl and kubectl, after one "
                    "warm-up each; wall-clock time of the whole process (start, request, print, exit). The "
                    "baseline column is kubectl's median."]
    return result


def _manifest(folder: Path, tool: str, i: int) -> Path:
    path = folder / f"{tool}-{i}.json"
    path.write_bytes(orjson.dumps(fixtures.pod(NAMESPACE, f"cli-{tool}-{i}")))
    return path


def _time(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, timeout=60)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-3:])} exited {proc.returncode}: {proc.stderr[-500:]!r}")
    return elapsed
