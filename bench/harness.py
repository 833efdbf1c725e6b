"""The shared harness: start and stop real servers on 127.0.0.1, time things, and summarise.

Every process started here is stopped here (terminate, bounded wait, then kill), every wait is
bounded, and every server listens on a free loopback port with its own data directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import orjson

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def http_status(url: str, timeout: float = 1.0) -> int:
    """The status of a GET, or 0 when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)
    except OSError:
        return 0


def request(port: int, method: str, path: str, body: Any = None, *, accept: str = "application/json",
            content_type: str = "application/json", timeout: float = 30.0) -> tuple[int, bytes]:
    data = None if body is None else body if isinstance(body, bytes) else orjson.dumps(body)
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read()


def request_json(port: int, method: str, path: str, body: Any = None, ok: Sequence[int] = (200, 201)) -> Any:
    status, raw = request(port, method, path, body)
    if status not in ok:
        raise RuntimeError(f"{method} {path} -> {status}: {raw[:300]!r}")
    return orjson.loads(raw)


@dataclass
class Process:
    """A server process with a readiness URL; use as a context manager."""

    argv: list[str]
    port: int
    log_path: Path
    ready_path: str = "/readyz"
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_after: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30.0, poll: float = 0.005) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                         env=self.env)
        wait_for(self._ready, timeout, poll, f"{self.url}{self.ready_path}")
        self.ready_after = time.monotonic() - self.started_at
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.argv[:3]} exited with {self.proc.returncode}: {tail}")
        return http_status(self.url + self.ready_path, timeout=0.5) == 200

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory the process has used so far."""
        return _status_kb(self.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _status_kb(self.pid, "VmRSS") / 1024

    def __enter__(self) -> Process:
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _status_kb(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def minik(data_dir: Path, *args: str) -> Process:
    """A minik-apiserver on a free port (not started)."""
    port = free_port()
    argv = [PYTHON, "-m", "apiserver", "--data-dir", str(data_dir), "--port", str(port), *args]
    return Process(argv, port, data_dir.parent / f"{data_dir.name}.log")


def baseline(work: Path, *args: str) -> Process:
    """The bare FastAPI/uvicorn app of bench/baseline_app.py on a free port (not started)."""
    port = free_port()
    argv = [PYTHON, "-m", "bench.baseline_app", "--port", str(port), *args]
    return Process(argv, port, work / f"baseline-{port}.log")


def command_line(process: Process) -> str:
    """The server's command line as a reader would type it (paths made relative)."""
    parts = ["python" if a == PYTHON else a for a in process.argv]
    out = []
    for i, a in enumerate(parts):
        if i and parts[i - 1] == "--data-dir":
            a = "DIR"
        elif i and parts[i - 1] == "--port":
            a = "PORT"
        out.append(a)
    return " ".join(out)


def copy_data_dir(src: Path, dst: Path) -> Path:
    """A private copy of a prepared data directory (the lock file is per copy)."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock", "kubecache", "home"))
    return dst


def dir_size_mb(path: Path, pattern: str = "minik.db*") -> float:
    return sum(p.stat().st_size for p in path.glob(pattern) if p.is_file()) / 1e6


# -- statistics ---------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return float(ordered[rank - 1])


@dataclass
class Timer:
    start: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def env_for_clients(data_dir: Path) -> dict[str, str]:
    """An environment for kubectl/minikctl: the server's kubeconfig, private caches, UTC."""
    env = dict(os.environ)
    home = data_dir / "home"
    home.mkdir(parents=True, exist_ok=True)
    # This checkout's packages, whatever checkout the venv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update({"KUBECONFIG": str(data_dir / "kubeconfig"), "KUBECACHEDIR": str(data_dir / "kubecache"),
                "HOME": str(home), "TZ": "UTC", "NO_COLOR": "1"})
    return env


@dataclass
class Context:
    """What every benchmark gets: a scratch directory, how many runs, and the tools found."""

    work: Path
    runs: int = 3
    quick: bool = False
    wrk: str | None = None
    wrk_note: str = ""
    profile: bool = False

    def scratch(self, name: str) -> Path:
        path = self.work / name
        if path.exists():
            shutil.rmtree(path)
        return path
