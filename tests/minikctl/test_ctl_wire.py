"""minikctl's HTTP/1.1 client against a scripted server on 127.0.0.1: the request bytes, bodies
framed by Content-Length, chunked coding or the connection's end, keep-alive reuse, a stale
connection reopened once, and the errors for answers that break off.

The server is a real listening socket in a thread; each accepted connection reads requests
(head and Content-Length body) and answers each with the next scripted reply, then closes when
its script says so.
"""

from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest

from minikctl.client import Client
from minikctl.errors import ApiError, ConnectError
from minikctl.kubeconfig import ClientConfig

OK_JSON = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
           b'{"a": 1.0}\n')


class Scripted:
    """Connection i answers its requests with replies[i] in turn; `None` closes the connection
    instead of answering the next request."""

    def __init__(self, connections: list[list[bytes | None]]) -> None:
        self.connections = connections
        self.requests: list[bytes] = []
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        for replies in self.connections:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(10)
                for reply in replies:
                    self.requests.append(_read_request(conn))
                    if reply is None:
                        break
                    conn.sendall(reply)

    def __enter__(self) -> Scripted:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        self.thread.join(10)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return data
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
            while len(body) < length:
                body += conn.recv(65536)
    return data


def client_for(server: Scripted) -> Client:
    return Client(ClientConfig(server=server.url, namespace="default", token="t0k"), timeout=10)


@pytest.fixture
def chunked_events() -> Iterator[bytes]:
    body = b'{"type":"ADDED","object":{"n":1}}\n{"type":"MODIFIED","object":{"n":2}}\n'
    # chunks cut mid-line, one with an extension, then a trailer
    pieces = [body[:7], body[7:40], body[40:]]
    framed = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces)
    yield (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + framed
           + b"0\r\nX-Trailer: yes\r\n\r\n")


def test_request_bytes_and_keep_alive() -> None:
    with Scripted([[OK_JSON, OK_JSON]]) as server:
        client = client_for(server)
        assert client.get("/api/v1/pods", {"limit": 5}) == {"a": 1}  # integral float -> int
        client.request("POST", "/api/v1/namespaces/default/pods", body={"x": "é"})
        client.close()
    first, second = server.requests
    assert first.startswith(b"GET /api/v1/pods?limit=5 HTTP/1.1\r\n")
    port = server.url.rsplit(":", 1)[1]
    for header in (f"Host: 127.0.0.1:{port}", "Accept: application/json",
                   "Authorization: Bearer t0k", "Accept-Encoding: identity"):
        assert f"\r\n{header}\r\n".encode() in first
    assert b"Content-Length" not in first
    assert b"\r\nContent-Length: 10\r\n" in second and second.endswith('{"x":"é"}'.encode())
    assert b"\r\nContent-Type: application/json\r\n" in second
    assert server.accepted == 1  # one connection for both requests


def test_post_without_body_says_length_zero() -> None:
    with Scripted([[OK_JSON]]) as server:
        client_for(server).request("POST", "/x")
    assert b"\r\nContent-Length: 0\r\n" in server.requests[0]


def test_chunked_body_read_whole_and_as_lines(chunked_events: bytes) -> None:
    with Scripted([[chunked_events, OK_JSON], [chunked_events]]) as server:
        client = client_for(server)
        whole = client.request("GET", "/w").body
        assert whole.count(b"\n") == 2 and whole.startswith(b'{"type":"ADDED"')
        assert client.get("/after") == {"a": 1}  # the same connection, framing intact
        events = list(client.watch("/api/v1/pods", {}))
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED"]
    assert server.accepted == 2  # the watch has a connection of its own


def test_body_to_end_of_connection_then_a_new_connection() -> None:
    until_close = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b'{"b": [1, 2]}'
    with Scripted([[until_close], [OK_JSON]]) as server:
        client = client_for(server)
        assert client.get("/one") == {"b": [1, 2]}
        assert client.get("/two") == {"a": 1}
    assert server.accepted == 2


def test_stale_keep_alive_connection_is_reopened_once() -> None:
    with Scripted([[OK_JSON, None], [OK_JSON]]) as server:
        client = client_for(server)
        client.get("/one")
        assert client.get("/two") == {"a": 1}
    assert server.accepted == 2


def test_fresh_connection_closed_without_answer() -> None:
    with Scripted([[None]]) as server:
        with pytest.raises(ConnectError, match="^Unable to connect to the server: Remote end "
                                               "closed connection without response$"):
            client_for(server).get("/x")


def test_body_cut_short_is_a_connection_error() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\""
    with Scripted([[cut]]) as server:
        with pytest.raises(ConnectError, match="^Unable to connect to the server: unexpected EOF$"):
            client_for(server).get("/x")


def test_error_status_and_repeated_warning_headers(capsys: pytest.CaptureFixture[str]) -> None:
    status = b'{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}'
    reply = (b"HTTP/1.1 404 Not Found\r\nwarning: 299 - \"first \\\"quoted\\\"\"\r\n"
             b"Warning: 299 - \"first \\\"quoted\\\"\", 299 - \"second\"\r\n"
             b"Content-Length: %d\r\n\r\n%s" % (len(status), status))
    with Scripted([[reply]]) as server:
        with pytest.raises(ApiError) as caught:
            client_for(server).get("/x")
    assert caught.value.reason == "NotFound"
    assert capsys.readouterr().err == 'Warning: first "quoted"\nWarning: second\n'


def test_no_content_has_no_body() -> None:
    with Scripted([[b"HTTP/1.1 204 No Content\r\n\r\n", OK_JSON]]) as server:
        client = client_for(server)
        assert client.request("DELETE", "/x").body == b""
        assert client.get("/y") == {"a": 1}
    assert server.accepted == 1


def test_not_http_is_a_connection_error() -> None:
    with Scripted([[b"SSH-2.0-OpenSSH\r\n\r\n"]]) as server:
        with pytest.raises(ConnectError, match='^Unable to connect to the server: malformed HTTP '
                                               'response "SSH-2.0-OpenSSH"$'):
            client_for(server).get("/x")


def test_negative_chunk_size_is_refused() -> None:
    bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nxx\r\n0\r\n\r\n"
    with Scripted([[bad]]) as server:
        with pytest.raises(ConnectError, match="^Unable to connect to the server: bad chunk size"):
            client_for(server).get("/x")
