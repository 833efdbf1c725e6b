"""Shared test support: a real minik-apiserver process on 127.0.0.1, bounded waits."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05,
             message: str = "condition") -> Any:
    """Poll until `predicate()` is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    data_dir: Path
    port: int
    args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def kubeconfig(self) -> str:
        return str(self.data_dir / "kubeconfig")

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"KUBECONFIG": self.kubeconfig, "KUBECACHEDIR": str(self.data_dir / "kubecache"),
                    "HOME": str(self.data_dir / "home"), "TZ": "UTC", "NO_COLOR": "1"})
        return env

    def start(self, timeout: float = 30.0) -> "Server":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "home").mkdir(exist_ok=True)
        self.log_path = self.data_dir / "server.log"
        log = open(self.log_path, "ab")
        cmd = [sys.executable, "-m", "apiserver", "--data-dir", str(self.data_dir), "--port", str(self.port),
               *self.args]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        log.close()
        wait_for(self._ready, timeout, 0.05, f"{self.url}/readyz")
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"apiserver exited with {self.proc.returncode}: {self.log()}")
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def request(self, method: str, path: str, body: Any = None,
                content_type: str = "application/json", accept: str = "application/json") -> tuple[int, Any]:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")


def run(args: list[str], server: Server, input: str | None = None, timeout: float = 60.0,
        extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a program (minikctl, kubectl, ...) from the test venv against `server`."""
    exe = args[0] if os.sep in args[0] else str(BIN / args[0])
    env = server.env
    if extra_env:
        env.update(extra_env)
    return subprocess.run([exe, *args[1:]], input=input, capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=REPO)
