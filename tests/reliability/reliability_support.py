"""Checks shared by the reliability tests: every hostile answer is a v1 Status with the HTTP
code inside it and no traceback, and a rejected write stores nothing."""

from __future__ import annotations

import json
import time
from typing import Any

from support import Server


def assert_status(status: int, body: Any, code: int | tuple[int, ...], reason: str | None = None) -> dict[str, Any]:
    """`body` is the v1 Status kube would send for this failure."""
    codes = code if isinstance(code, tuple) else (code,)
    assert status in codes, (status, body)
    assert isinstance(body, dict) and body.get("kind") == "Status" and body.get("apiVersion") == "v1", body
    assert body["status"] == "Failure" and body["code"] == status, body
    if reason is not None:
        assert body.get("reason") == reason, body
    assert "Traceback" not in json.dumps(body), body
    return body


def revision(server: Server) -> int:
    """The store's current revision, read from a cheap LIST."""
    status, body = server.request("GET", "/api/v1/namespaces/kube-public/configmaps")
    assert status == 200, body
    return int(body["metadata"]["resourceVersion"])


def send(server: Server, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         chunked: bool = False, timeout: float = 30.0) -> tuple[int, Any]:
    """One raw HTTP request (any bytes, any headers, optionally chunked); (status, JSON or text)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        hdrs = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        if chunked and body is not None:
            pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
            conn.request(method, path, body=pieces, headers=hdrs, encode_chunked=True)
        else:
            conn.request(method, path, body=body, headers=hdrs)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode(errors="replace")


def wait_until(predicate: Any, timeout: float, interval: float = 0.05) -> Any:
    """Like support.wait_for, returning the last value instead of failing (None on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def run_parallel(server: Server, requests: list[tuple[str, str, Any, str]], threads: int = 8) -> list[tuple[int, float]]:
    """Send (method, path, JSON body, content type) requests from `threads` persistent
    connections; returns (status, seconds) per request, in order."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def worker(chunk: list[tuple[int, tuple[str, str, Any, str]]]) -> list[tuple[int, int, float]]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        out = []
        try:
            for index, (method, path, body, media) in chunk:
                start = time.monotonic()
                conn.request(method, path, json.dumps(body) if body is not None else None,
                             {"Content-Type": media, "Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                out.append((index, response.status, time.monotonic() - start))
        finally:
            conn.close()
        return out

    indexed = list(enumerate(requests))
    chunks = [indexed[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        results = [r for part in pool.map(worker, chunks) for r in part]
    return [(status, seconds) for _, status, seconds in sorted(results)]
