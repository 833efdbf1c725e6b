"""Crash safety: kill -9 the server in the middle of the work, start it again on the same
data directory, and check what etcd promises: every acknowledged write is there with its
content, revisions keep increasing, a watch resumed from before the crash continues (or gets
410), and the controllers converge without duplicates."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any, Callable

import pytest
from reliability_support import wait_until

from support import Server, free_port, wait_for

CM = "/api/v1/namespaces/default/configmaps"
WRITERS = 8


class Writer(threading.Thread):
    """Creates configmaps and updates each one a few times, recording every 2xx answer."""

    def __init__(self, port: int, index: int) -> None:
        super().__init__(daemon=True)
        self.port, self.index = port, index
        self.acked: dict[str, tuple[int, int]] = {}  # name -> (last acknowledged counter, its revision)
        self.attempted: dict[str, int] = {}  # name -> highest counter ever sent
        self.stop = threading.Event()

    def _call(self, conn: http.client.HTTPConnection, method: str, path: str, body: dict[str, Any]) -> Any:
        conn.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        assert 200 <= response.status < 300, (response.status, data)
        return data

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            for i in range(10_000):
                name = f"w{self.index}-{i}"
                payload = {"metadata": {"name": name}, "data": {"counter": "0", "pad": name * 20}}
                self.attempted[name] = 0
                obj = self._call(conn, "POST", CM, payload)
                self.acked[name] = (0, int(obj["metadata"]["resourceVersion"]))
                for counter in range(1, 4):
                    if self.stop.is_set():
                        return
                    obj["data"]["counter"] = str(counter)
                    self.attempted[name] = counter
                    obj = self._call(conn, "PUT", f"{CM}/{name}", obj)
                    self.acked[name] = (counter, int(obj["metadata"]["resourceVersion"]))
        except (OSError, http.client.HTTPException, ValueError):
            return  # the server died under us: what was acknowledged is what counts
        finally:
            conn.close()


class Watcher(threading.Thread):
    """A raw watch stream, recording each event's type and revision."""

    def __init__(self, port: int, path: str, until: int | None = None) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.until = port, path, until
        self.events: list[tuple[str, int, dict[str, Any]]] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("GET", self.path)
            response = conn.getresponse()
            while True:
                line = response.readline()
                if not line:
                    return
                event = json.loads(line)
                obj = event["object"]
                rv = int(obj.get("metadata", {}).get("resourceVersion") or 0)
                self.events.append((event["type"], rv, obj))
                if self.until is not None and (rv >= self.until or event["type"] == "ERROR"):
                    return
        except (OSError, http.client.HTTPException, ValueError):
            return
        finally:
            conn.close()


def _restart(old: Server, servers: Callable[..., Server]) -> Server:
    """A new server process on the killed one's data directory."""
    return servers(*old.args, data_dir=old.data_dir)


def test_acknowledged_writes_survive_kill_9(servers: Callable[..., Server]) -> None:
    srv = servers("--no-controllers")
    start_rv = int(srv.request("GET", CM)[1]["metadata"]["resourceVersion"])
    watcher = Watcher(srv.port, f"{CM}?watch=true&resourceVersion={start_rv}&timeoutSeconds=30")
    watcher.start()
    writers = [Writer(srv.port, i) for i in range(WRITERS)]
    for w in writers:
        w.start()
    wait_for(lambda: sum(len(w.acked) for w in writers) >= 150, 30, message="writes under way")
    srv.kill()  # SIGKILL: no shutdown, no flush, mid-write
    for w in writers:
        w.stop.set()
        w.join(10)
    watcher.join(10)
    acked = {name: state for w in writers for name, state in w.acked.items()}
    attempted = {name: n for w in writers for name, n in w.attempted.items()}
    max_acked = max(rv for _, rv in acked.values())

    srv = _restart(srv, servers)
    status, listing = srv.request("GET", CM)
    stored = {o["metadata"]["name"]: o for o in listing["items"]}
    for name, (counter, rv) in acked.items():
        assert name in stored, f"acknowledged {name} lost"
        got = stored[name]
        # The update in flight at the kill may have committed without its answer arriving.
        assert counter <= int(got["data"]["counter"]) <= attempted[name], (name, counter, got["data"])
        assert int(got["metadata"]["resourceVersion"]) >= rv
        assert got["data"]["pad"] == name * 20
    for name in stored.keys() - acked.keys():
        assert name in attempted or not name.startswith("w"), f"{name} was never written"

    # Revisions keep increasing after the restart.
    head = int(listing["metadata"]["resourceVersion"])
    assert head >= max_acked
    status, created = srv.request("POST", CM, {"metadata": {"name": "after-restart"}})
    assert status == 201 and int(created["metadata"]["resourceVersion"]) > head

    # A watch resumed from the last event seen before the crash continues where it stopped:
    # every later committed write of the window is replayed, in order, once.
    last_seen = watcher.events[-1][1] if watcher.events else start_rv
    seen = {(o["metadata"]["name"], rv) for _, rv, o in watcher.events}
    assert all(e[0] in ("ADDED", "MODIFIED") for e in watcher.events)
    assert all((name, rv) in seen for name, (_, rv) in acked.items() if rv <= last_seen)
    resumed = Watcher(srv.port, f"{CM}?watch=true&resourceVersion={last_seen}&timeoutSeconds=10", until=head)
    resumed.start()
    resumed.join(15)
    revs = [rv for _, rv, _ in resumed.events]
    print(f"{len(acked)} acknowledged, {len(watcher.events)} events before the kill, {len(revs)} replayed")
    if resumed.events and resumed.events[0][0] == "ERROR":
        assert resumed.events[0][2]["code"] == 410
    else:
        assert revs == sorted(set(revs)) and (not revs or revs[0] > last_seen)
        replayed = {(o["metadata"]["name"], rv) for _, rv, o in resumed.events}
        for name, (counter, rv) in acked.items():
            if rv > last_seen:
                assert (name, rv) in replayed, f"revision {rv} of {name} missing from the resumed watch"


def test_watch_from_before_the_window_gets_410_after_a_crash(servers: Callable[..., Server]) -> None:
    srv = servers("--no-controllers", "--history-revisions", "10")
    first = srv.request("POST", CM, {"metadata": {"name": "churn"}, "data": {"n": "0"}})[1]
    for n in range(1, 40):
        assert srv.request("PATCH", f"{CM}/churn", b'{"data": {"n": "%d"}}' % n,
                           "application/merge-patch+json")[0] == 200
    srv.kill()
    srv = _restart(srv, servers)
    assert srv.request("GET", f"{CM}/churn")[1]["data"]["n"] == "39"
    old = Watcher(srv.port, f"{CM}?watch=true&resourceVersion={first['metadata']['resourceVersion']}")
    old.start()
    old.join(10)
    assert [e[0] for e in old.events] == ["ERROR"]
    status = old.events[0][2]
    assert status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"].startswith(f"too old resource version: {first['metadata']['resourceVersion']} (")


def _owned_pods(srv: Server, rc_uid: str) -> list[dict[str, Any]]:
    items = srv.request("GET", "/api/v1/namespaces/default/pods")[1]["items"]
    return [p for p in items if any(r.get("uid") == rc_uid for r in p["metadata"].get("ownerReferences") or [])
            and not p["metadata"].get("deletionTimestamp")]


def _settled(srv: Server, rc_uid: str, replicas: int, quiet: float = 1.0) -> list[str]:
    """Pod names, once exactly `replicas` are Running and the set has held still for `quiet` s."""
    def running() -> list[str] | None:
        pods = _owned_pods(srv, rc_uid)
        if len(pods) == replicas and all(p.get("status", {}).get("phase") == "Running" for p in pods):
            return sorted(p["metadata"]["name"] for p in pods)
        return None

    names = wait_for(running, 30, 0.1, f"{replicas} running pods")
    deadline = time.monotonic() + quiet
    while time.monotonic() < deadline:  # bounded: never more pods, never other pods
        assert running() == names, (names, [p["metadata"]["name"] for p in _owned_pods(srv, rc_uid)])
        time.sleep(0.1)
    return names


RC = {"metadata": {"name": "web"}, "spec": {"replicas": 5, "selector": {"app": "web"}, "template": {
    "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def test_controllers_converge_after_kill_9(servers: Callable[..., Server]) -> None:
    srv = servers("--pod-start-delay", "0.1")
    status, rc = srv.request("POST", "/api/v1/namespaces/default/replicationcontrollers", RC)
    assert status == 201, rc
    uid = rc["metadata"]["uid"]
    # Kill while the replica manager is still creating pods.
    wait_until(lambda: len(_owned_pods(srv, uid)) >= 2, 10, 0.01)
    srv.kill()
    srv = _restart(srv, servers)
    names = _settled(srv, uid, 5)
    assert wait_for(lambda: srv.request("GET", "/api/v1/namespaces/default/replicationcontrollers/web")[1]
                    .get("status", {}).get("readyReplicas") == 5, 15, 0.1, "RC status")

    # A second crash in the steady state changes nothing: the same five pods.
    srv.kill()
    srv = _restart(srv, servers)
    assert _settled(srv, uid, 5) == names
    # And the controllers still work: scaling down removes exactly the surplus.
    status, _ = srv.request("PATCH", "/api/v1/namespaces/default/replicationcontrollers/web/scale",
                            {"spec": {"replicas": 3}}, "application/merge-patch+json")
    assert status == 200
    assert set(_settled(srv, uid, 3, quiet=0.5)) <= set(names)


def test_one_server_per_database_and_no_stale_lock(servers: Callable[..., Server]) -> None:
    """A live server refuses a second process on its data directory (which leaves its
    kubeconfig alone); a killed one leaves no lock behind."""
    srv = servers("--no-controllers")
    kubeconfig = (srv.data_dir / "kubeconfig").read_text()
    second = Server(srv.data_dir, free_port(), ["--no-controllers"])
    try:
        with pytest.raises(AssertionError, match="exited"):
            second.start(timeout=15)
    finally:
        second.stop()
    assert "is in use by another process" in second.log()
    assert (srv.data_dir / "kubeconfig").read_text() == kubeconfig
    assert srv.request("GET", "/readyz")[0] == 200
    srv.kill()
    srv = _restart(srv, servers)
    assert srv.request("GET", CM)[0] == 200
