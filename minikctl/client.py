"""A small synchronous HTTP client for the Kubernetes REST API.

It speaks HTTP/1.1 through `minikctl.wire` (httpx costs about 0.2 s of start-up, http.client a
fifth of a short run) and keeps one keep-alive connection per run. Non-2xx answers become
`ApiError` carrying the server's v1 Status (or a Status built the way client-go builds one for a
non-Status body); connection failures become `ConnectError` with kubectl's sentences. `Warning`
response headers are printed to stderr as `Warning: <text>`, once per distinct text, as kubectl
does.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlencode, urlsplit

from minikctl import wire
from minikctl.errors import ApiError, ConnectError
from minikctl.kubeconfig import ClientConfig
from minikctl.responses import Response, decode_json, generic_status, lines

__all__ = ["Client", "Response", "decode_json", "generic_status", "JSON", "TABLE", "MERGE_PATCH"]

JSON = "application/json"
TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
         "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
MERGE_PATCH = "application/merge-patch+json"
USER_AGENT = "minikctl/v0.1.0"
CONNECT_TIMEOUT = 30.0  # Go's default dialer timeout, which kubectl uses
DEFAULT_READ_TIMEOUT = 300.0  # kubectl waits forever; we bound it

# OpenSSL verify codes that Go reports as "certificate signed by unknown authority"
_UNKNOWN_AUTHORITY = frozenset({18, 19, 20, 21})
_WARNING_PATTERN = r'\d{3} \S+ "((?:[^"\\]|\\.)*)"'


def _debug(message: str, *args: Any) -> None:
    """A request line for `-v=6` and up. Until `-v` configures logging, `logging` is not even
    imported and a debug record would be dropped, so none is made."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).debug(message, *args)


def _warnings(value: str) -> list[str]:
    import re  # only when a server sends a Warning header

    return [m.group(1).replace('\\"', '"').replace("\\\\", "\\")
            for m in re.finditer(_WARNING_PATTERN, value)]


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
        self._sock: Any = None
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

    @property
    def _host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    def _connect(self) -> Any:
        """The open connection, or a new one (given the connect timeout to come up)."""
        if self._sock is None:
            tls = None
            if self.scheme == "https":
                from minikctl.tls import ssl_context

                tls = ssl_context(self.config)
            self._sock = wire.open_socket(self.host, self.port, self._connect_timeout, tls)
            self._used = False
        return self._sock

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

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
        if isinstance(err, wire.gaierror):
            return ConnectError(f"Unable to connect to the server: dial tcp: lookup {self.host}: "
                                f"no such host")
        if isinstance(err, TimeoutError):
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

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
              timeout: float | None) -> wire.Reply:
        """Connect if need be, send, and read the answer's head; OSError on any failure, with
        `connected` set on it once the connection was up."""
        connected = False
        try:
            sock = self._connect()
            connected = True
            sock.settimeout(timeout)
            sock.sendall(wire.request_bytes(method, url, self._host_header, headers, body))
            return wire.Reply(sock, method)
        except OSError as err:
            if not hasattr(err, "connected"):  # a failed TLS handshake has it set already
                err.connected = connected  # type: ignore[attr-defined]
            raise

    def _exchange(self, method: str, url: str, body: bytes | None,
                  headers: dict[str, str]) -> tuple[int, wire.Headers, bytes]:
        """One request; a stale keep-alive connection is reopened once."""
        for attempt in (1, 2):
            reused = self._used and self._sock is not None
            try:
                reply = self._send(method, url, body, headers,
                                   self.timeout or DEFAULT_READ_TIMEOUT)
                data = reply.read()
            except (ConnectionResetError, BrokenPipeError, wire.BadStatusLine) as err:
                self.close()
                if not reused or attempt == 2:
                    raise self._connect_error(err, True) from None
                continue
            except OSError as err:
                self.close()
                raise self._connect_error(err, getattr(err, "connected", True)) from None
            if reply.reusable:
                self._used = True
            else:
                self.close()
            return reply.status, reply.headers, data
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
        _debug("%s %s://%s%s %d in %d milliseconds", method, self.scheme, self.netloc, url,
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

    def _print_warnings(self, headers: wire.Headers) -> None:
        for value in headers.get_all("Warning") or []:
            for text in _warnings(value):
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
                except OSError:
                    return
                if not chunk:
                    return
                yield chunk
        finally:
            stream.close()

    def _open(self, path: str, query: Mapping[str, Any], accept: str, timeout: float | None,
              what: str = "") -> tuple[Client, wire.Reply]:
        """A GET on a connection of its own, its answer's headers read; ApiError on failure."""
        stream = Client(self.config, timeout=self.timeout)
        stream._warned = self._warned
        url = self.url(path, query)
        try:
            resp = stream._send("GET", url, None, self._headers(accept, None),
                                timeout if timeout is not None else self.timeout)
        except OSError as err:
            stream.close()
            raise stream._connect_error(err, getattr(err, "connected", True)) from None
        _debug("GET %s://%s%s %d (stream)", self.scheme, self.netloc, url, resp.status)
        self._print_warnings(resp.headers)
        if resp.status >= 400:
            body = resp.read()
            stream.close()
            raise ApiError(self._status_of(Response(resp.status, resp.headers, body), what))
        return stream, resp
