"""A small synchronous HTTP client for the Kubernetes REST API.

It uses the standard library's `http.client` (importing httpx costs about 0.2 s of start-up) and
keeps one keep-alive connection per run. Non-2xx answers become `ApiError` carrying the server's
v1 Status (or a Status built the way client-go builds one for a non-Status body); connection
failures become `ConnectError` with kubectl's sentences. `Warning` response headers are printed to
stderr as `Warning: <text>`, once per distinct text, as kubectl does.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import sys
import time
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlencode, urlsplit

from minikctl.errors import ApiError, ConnectError
from minikctl.kubeconfig import ClientConfig
from minikctl.responses import Response, decode_json, generic_status, lines

__all__ = ["Client", "Response", "decode_json", "generic_status", "JSON", "TABLE", "MERGE_PATCH"]

log = logging.getLogger(__name__)

JSON = "application/json"
TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
         "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
MERGE_PATCH = "application/merge-patch+json"
USER_AGENT = "minikctl/v0.1.0"
CONNECT_TIMEOUT = 30.0  # Go's default dialer timeout, which kubectl uses
DEFAULT_READ_TIMEOUT = 300.0  # kubectl waits forever; we bound it

# OpenSSL verify codes that Go reports as "certificate signed by unknown authority"
_UNKNOWN_AUTHORITY = frozenset({18, 19, 20, 21})
_WARNING = re.compile(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"')

class Client:
    """One API server, one keep-alive connection."""

    def __init__(self, config: ClientConfig, timeout: float | None = None) -> None:
        self.config = config
        parts = urlsplit(config.server)
        self.scheme = parts.scheme or "http"
        self.netloc = parts.netloc
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._used = False
        self._warned: set[str] = set()
        # called when the server answers 404 without a Status: the path names no resource it
        # serves, so what discovery told us is out of date
        self.on_unknown_path: Callable[[], None] | None = None
        self.discovering = False  # a discovery fetch is under way (it words timeouts apart)

    # -- connection ----------------------------------------------------------------------

    @property
    def _connect_timeout(self) -> float:
        return min(self.timeout, CONNECT_TIMEOUT) if self.timeout else CONNECT_TIMEOUT

    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                from minikctl.tls import ssl_context

                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self._connect_timeout,
                    context=ssl_context(self.config))
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port,
                                                        timeout=self._connect_timeout)
            self._used = False
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _headers(self, accept: str, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        elif self.config.username is not None:
            import base64

            raw = f"{self.config.username}:{self.config.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        return headers

    def _connect_error(self, err: BaseException, connected: bool) -> ConnectError:
        if isinstance(err, ConnectionRefusedError):
            return ConnectError(f"The connection to the server {self.netloc} was refused - did "
                                f"you specify the right host or port?")
        if isinstance(err, socket.gaierror):
            return ConnectError(f"Unable to connect to the server: dial tcp: lookup {self.host}: "
                                f"no such host")
        if isinstance(err, (socket.timeout, TimeoutError)):
            if connected:  # kubectl's discovery runs under a context deadline of its own
                return ConnectError("Unable to connect to the server: context deadline exceeded"
                                    + ("" if self.discovering else
                                       " (Client.Timeout exceeded while awaiting headers)"))
            return ConnectError(f"Unable to connect to the server: dial tcp "
                                f"{self.host}:{self.port}: i/o timeout")
        verify = getattr(err, "verify_message", None)  # ssl.SSLCertVerificationError
        if verify:
            if getattr(err, "verify_code", 0) in _UNKNOWN_AUTHORITY:
                verify = "certificate signed by unknown authority"
            return ConnectError(f"Unable to connect to the server: tls: failed to verify "
                                f"certificate: x509: {verify}")
        reason = getattr(err, "reason", None) or getattr(err, "strerror", None) or err
        return ConnectError(f"Unable to connect to the server: {reason}")

    def _exchange(self, method: str, url: str, body: bytes | None,
                  headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request; a stale keep-alive connection is reopened once."""
        for attempt in (1, 2):
            conn = self._connect()
            reused = self._used
            try:
                if conn.sock is None:
                    conn.connect()
                conn.sock.settimeout(self.timeout or DEFAULT_READ_TIMEOUT)
                conn.request(method, url, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self._used = True
                return resp.status, resp.headers, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.BadStatusLine) as err:
                self.close()
                if not reused or attempt == 2:
                    raise self._connect_error(err, True) from None
            except (OSError, http.client.HTTPException) as err:
                failure = self._connect_error(err, conn.sock is not None)
                self.close()
                raise failure from None
        raise AssertionError("unreachable")

    # -- requests ------------------------------------------------------------------------

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        url = self.prefix + path  # callers build paths with escaped segments (Resource.path)
        if query:
            items = sorted((k, v) for k, v in query.items() if v is not None)
            url += "?" + urlencode([(k, str(one)) for k, v in items  # a list repeats its key
                                    for one in (v if isinstance(v, list) else [v])])
        return url

    def request(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
                body: Any = None, accept: str = JSON, content_type: str | None = None,
                what: str = "") -> Response:
        """Send one request; raise ApiError for an error answer. `what` (`get pods x`) goes
        into a made-up Status when the server sent none."""
        url = self.url(path, query)
        data: bytes | None = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(
                body, separators=(",", ":"), ensure_ascii=False).encode()
            content_type = content_type or JSON
        started = time.monotonic()
        status, headers, payload = self._exchange(method, url, data,
                                                  self._headers(accept, content_type))
        log.debug("%s %s://%s%s %d in %d milliseconds", method, self.scheme, self.netloc, url,
                  status, (time.monotonic() - started) * 1000)
        self._print_warnings(headers)
        response = Response(status, headers, payload)
        if status >= 400:
            if (status == 404 and self.on_unknown_path is not None
                    and not self._carries_status(response)):
                self.on_unknown_path()
            raise ApiError(self._status_of(response, what))
        return response

    @staticmethod
    def _carries_status(response: Response) -> bool:
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("kind") == "Status"

    def _status_of(self, response: Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("kind") == "Status":
            body.setdefault("code", response.status)
            return body
        return generic_status(response.status, response.body, what)

    def _print_warnings(self, headers: http.client.HTTPMessage) -> None:
        for value in headers.get_all("Warning") or []:
            for match in _WARNING.finditer(value):
                text = match.group(1).replace('\\"', '"').replace("\\\\", "\\")
                if text not in self._warned:
                    self._warned.add(text)
                    sys.stderr.write(f"Warning: {text}\n")

    def get(self, path: str, query: Mapping[str, Any] | None = None, accept: str = JSON,
            what: str = "") -> Any:
        return self.request("GET", path, query=query, accept=accept, what=what).json()

    def watch(self, path: str, query: Mapping[str, Any], accept: str = JSON,
              timeout: float | None = None) -> Iterator[dict[str, Any]]:
        """The events of a watch, one decoded JSON line each, until the server ends the stream
        (or `timeout` seconds pass without a byte). Uses its own connection, so the keep-alive
        one stays free for requests made while watching."""
        stream, resp = self._open(path, dict(query, watch="true"), accept, timeout)
        try:
            yield from lines(resp)
        finally:
            stream.close()

    def stream(self, path: str, query: Mapping[str, Any], what: str = "") -> Iterator[bytes]:
        """The body of a GET as it arrives (pod logs, followed or not)."""
        stream, resp = self._open(path, query, "*/*", None, what)
        try:
            while True:
                try:
                    chunk = resp.read1(65536)
                except (OSError, http.client.HTTPException):
                    return
                if not chunk:
                    return
                yield chunk
        finally:
            stream.close()

    def _open(self, path: str, query: Mapping[str, Any], accept: str, timeout: float | None,
              what: str = "") -> tuple[Client, http.client.HTTPResponse]:
        """A GET on a connection of its own, its answer's headers read; ApiError on failure."""
        stream = Client(self.config, timeout=self.timeout)
        stream._warned = self._warned
        conn = stream._connect()
        url = self.url(path, query)
        try:
            if conn.sock is None:
                conn.connect()
            conn.sock.settimeout(timeout if timeout is not None else self.timeout)
            conn.request("GET", url, headers=self._headers(accept, None))
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as err:
            failure = stream._connect_error(err, conn.sock is not None)
            stream.close()
            raise failure from None
        log.debug("GET %s://%s%s %d (stream)", self.scheme, self.netloc, url, resp.status)
        self._print_warnings(resp.headers)
        if resp.status >= 400:
            body = resp.read()
            stream.close()
            raise ApiError(self._status_of(Response(resp.status, resp.headers, body), what))
        return stream, resp
