"""Concurrency: many clients on one object lose races only as 409 Conflicts and never lose
an update; SQLite's `database is locked` never reaches a client; a watcher that stops
reading is dropped without stalling writers or other watchers."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reliability_support import assert_status, run_parallel

from support import Server, wait_for

NS = "default"
CM = f"/api/v1/namespaces/{NS}/configmaps"
CLIENTS = 12
INCREMENTS = 15


def _increment(port: int, name: str, times: int) -> tuple[int, list[Any]]:
    """Read-modify-write `times` increments with optimistic concurrency; (conflicts, odd answers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conflicts, odd = 0, []
    done = 0
    try:
        for _ in range(times * 50):  # bounded: each attempt either succeeds or loses a race
            if done == times:
                break
            conn.request("GET", f"{CM}/{name}")
            response = conn.getresponse()
            obj = json.loads(response.read())
            obj["data"]["n"] = str(int(obj["data"]["n"]) + 1)
            conn.request("PUT", f"{CM}/{name}", json.dumps(obj), {"Content-Type": "application/json"})
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status == 200:
                done += 1
            elif response.status == 409:
                conflicts += 1
                assert_status(409, body, 409, "Conflict")
                assert body["message"] == (f'Operation cannot be fulfilled on configmaps "{name}": the object has '
                                           "been modified; please apply your changes to the latest version and "
                                           "try again")
            else:
                odd.append((response.status, body))
    finally:
        conn.close()
    assert done == times, (done, odd)
    return conflicts, odd


def test_read_modify_write_races_are_409_and_lose_nothing(quiet_server: Server) -> None:
    assert quiet_server.request("POST", CM, {"metadata": {"name": "counter"}, "data": {"n": "0"}})[0] == 201
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda _: _increment(quiet_server.port, "counter", INCREMENTS), range(CLIENTS)))
    assert all(not odd for _, odd in results), [odd for _, odd in results if odd]
    assert sum(c for c, _ in results) > 0, "no race was lost: the test did not race"
    final = quiet_server.request("GET", f"{CM}/counter")[1]
    assert final["data"]["n"] == str(CLIENTS * INCREMENTS)


def test_same_name_creates_one_winner(quiet_server: Server) -> None:
    requests = [("POST", CM, {"metadata": {"name": "contested"}, "data": {"by": str(i)}}, "application/json")
                for i in range(40)]
    statuses = [status for status, _ in run_parallel(quiet_server, requests, threads=16)]
    assert statuses.count(201) == 1 and statuses.count(409) == 39, statuses


def test_mixed_load_never_fails_on_the_database(quiet_server: Server) -> None:
    """Creates, patches, deletes and lists from 16 clients at once: only the answers the
    API defines (2xx, 404 for a name deleted meanwhile, 409), never a 5xx or a lock error."""
    requests: list[tuple[str, str, Any, str]] = []
    for i in range(600):
        name = f"mix-{i % 60}"
        requests.append([
            ("POST", CM, {"metadata": {"name": name}, "data": {"i": str(i)}}, "application/json"),
            ("PATCH", f"{CM}/{name}", {"data": {"i": str(i)}}, "application/merge-patch+json"),
            ("DELETE", f"{CM}/{name}", None, "application/json"),
            ("GET", f"{CM}?labelSelector=a!%3Db", None, "application/json"),
            ("GET", f"{CM}/{name}", None, "application/json"),
        ][i % 5])
    results = run_parallel(quiet_server, requests, threads=16)
    assert {status for status, _ in results} <= {200, 201, 404, 409}, sorted({s for s, _ in results})
    assert "database is locked" not in (quiet_server.log() or "")


class SlowClient:
    """A watch whose client reads nothing (a tiny receive window) until told to drain."""

    def __init__(self, port: int, path: str) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(15)  # a stream that is never dropped fails the test, not hangs it
        sock.connect(("127.0.0.1", port))
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.sock = sock
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        assert self.response.status == 200

    def drain(self) -> tuple[list[int], bool]:
        """(revisions received, whether the stream ended with a 410 ERROR)."""
        revs, expired = [], False
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                event = json.loads(line)
                if event["type"] == "ERROR":
                    expired = event["object"]["code"] == 410
                    break
                revs.append(int(event["object"]["metadata"]["resourceVersion"]))
        finally:
            self.conn.close()
        return revs, expired


class FastClient(threading.Thread):
    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.sock = self.conn.sock
        self.seen: dict[int, float] = {}  # revision -> when it arrived

    def run(self) -> None:
        try:
            while line := self.response.readline():
                event = json.loads(line)
                self.seen[int(event["object"]["metadata"]["resourceVersion"])] = time.monotonic()
        except (OSError, ValueError, http.client.HTTPException):
            return


def test_a_stalled_watcher_is_dropped_and_stalls_nobody(quiet_server: Server) -> None:
    name = "firehose"
    obj = quiet_server.request("POST", CM, {"metadata": {"name": name}, "data": {"v": "0"}})[1]
    start = obj["metadata"]["resourceVersion"]
    watch = f"{CM}?watch=true&resourceVersion={start}&fieldSelector=metadata.name%3D{name}&timeoutSeconds=120"
    slow = SlowClient(quiet_server.port, watch)
    fast = FastClient(quiet_server.port, watch)
    fast.start()
    pad = "x" * 50_000  # big events fill the slow client's socket buffers quickly
    written: dict[int, float] = {}
    conn = http.client.HTTPConnection("127.0.0.1", quiet_server.port, timeout=30)
    began = time.monotonic()
    for i in range(400):
        t0 = time.monotonic()
        conn.request("PATCH", f"{CM}/{name}", json.dumps({"data": {"v": str(i), "pad": pad}}),
                     {"Content-Type": "application/merge-patch+json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        assert response.status == 200, body
        assert time.monotonic() - t0 < 2.0, "a write waited on a watcher"
        written[int(body["metadata"]["resourceVersion"])] = time.monotonic()
        if i >= 300:
            time.sleep(0.05)  # keep events coming while the stalled client's timer runs out
    conn.close()
    assert time.monotonic() - began < 60
    last = max(written)
    wait_for(lambda: last in fast.seen, 10, message="the fast watcher to see the last write")
    lag = max(fast.seen[rv] - at for rv, at in written.items())
    assert sorted(fast.seen) == sorted(written) and lag < 2.0, f"the fast watcher lagged {lag:.2f}s"

    fast.sock.shutdown(socket.SHUT_RDWR)  # unblocks its reader; the server sees the client leave
    revs, expired = slow.drain()
    # Dropped: its stream ended early (closed, or 410), after an unbroken prefix of the events.
    assert len(revs) < len(written) or expired, (len(revs), len(written))
    assert revs == sorted(written)[:len(revs)]
