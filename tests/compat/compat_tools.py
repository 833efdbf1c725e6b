"""Helpers for the compatibility suite: the real kubectl with bounded waits, a kubectl whose
output is read while it runs (`get -w`), the official Python client, and raw watch streams."""

from __future__ import annotations

import http.client
import json
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, NamedTuple
from urllib.parse import urlparse

from kubernetes import client

from support import REPO, Server

KUBECTL = str(Path(sys.executable).parent / "kubectl")
REQUEST_TIMEOUT = "--request-timeout=20s"


class Result(NamedTuple):
    code: int
    out: str
    err: str


@dataclass
class Kubectl:
    """The real kubectl 1.37 against a server, in one namespace; every call is bounded."""

    server: Server
    namespace: str
    tmp: Path

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 30.0,
                 namespaced: bool = True) -> Result:
        command = [KUBECTL, REQUEST_TIMEOUT, *(["-n", self.namespace] if namespaced else []), *args]
        proc = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout,
                              env=self.server.env, cwd=REPO)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, stdin: str | None = None, timeout: float = 30.0) -> str:
        result = self(*args, stdin=stdin, timeout=timeout)
        assert result.code == 0, f"kubectl {' '.join(args)} exited {result.code}: {result.err}"
        return result.out

    def write(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def start(self, *args: str, merge_stderr: bool = False) -> "Running":
        """A kubectl left running; with `merge_stderr` its log lines (`-v=6`) are read too."""
        command = [KUBECTL, *(["-n", self.namespace]), *args]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE, text=True,
                                env=self.server.env, cwd=REPO, stdin=subprocess.DEVNULL)
        return Running(proc)


@dataclass
class Running:
    """A kubectl that keeps running (`get -w`); its stdout lines are read in a daemon thread."""

    proc: subprocess.Popen[str]
    lines: "queue.Queue[str | None]" = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_line(self, predicate: Any, timeout: float = 15.0) -> str:
        """The next line satisfying `predicate`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line in {timeout}s; lines so far: {self.seen}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"kubectl ended; lines: {self.seen}; stderr: {self.stop()}")
            self.seen.append(line)
            if predicate(line):
                return line

    def stop(self) -> str:
        """Ends the process (bounded) and returns its stderr; stdout stays with the reader."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stderr is None or self.proc.stderr.closed:
            return ""
        with self.proc.stderr:
            return self.proc.stderr.read()


def api_client(server: Server) -> client.ApiClient:
    config = client.Configuration()
    config.host = server.url
    return client.ApiClient(config)


def collect(generator: Iterator[Any], until: Any, timeout: float) -> list[Any]:
    """Drain a (blocking) watch generator in a daemon thread until `until(events)` holds or
    `timeout` passes; returns what was seen. The thread ends with the stream."""
    events: list[Any] = []
    done = threading.Event()

    def pump() -> None:
        try:
            for event in generator:
                events.append(event)
                if until(events):
                    break
        except Exception as e:  # noqa: BLE001 - handed to the test as the last "event"
            events.append(e)
        finally:
            done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    return events


def raw_watch(server: Server, path: str, timeout: float = 10.0) -> tuple[int, str, list[dict[str, Any]]]:
    """GET a watch URL and read it to its end (the server's timeoutSeconds ends it):
    status, Content-Type and the decoded lines, each of which must be one whole JSON object."""
    url = urlparse(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        lines = []
        while True:
            line = response.readline()
            if not line:
                break
            assert line.endswith(b"\n"), line
            lines.append(json.loads(line))
        return response.status, response.getheader("Content-Type", ""), lines
    finally:
        conn.close()
