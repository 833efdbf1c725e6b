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
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit

from minikctl.errors import ApiError, ConnectError
from minikctl.kubeconfig import ClientConfig

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

# client-go's NewGenericServerResponse: the Status it makes up for a body that is not one.
_GENERIC = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "the server has asked for the client to provide credentials"),
    403: ("Forbidden", "the server does not allow access to the requested resource"),
    404: ("NotFound", "the server could not find the requested resource"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    406: ("NotAcceptable", "the server was unable to respond with a content type that the client "
                           "supports"),
    409: ("Conflict", "the server reported a conflict"),
    410: ("Expired", "the server reported that the resource has expired"),
    415: ("UnsupportedMediaType", "the server was unable to handle the media type"),
    422: ("Invalid", "the server rejected our request due to an error in our request"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try "
                             "again later"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "the server was unable to return a response in the time allotted, but may "
                    "still be processing the request"),
}


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        return decode_json(self.body) if self.body else None


def _integral(text: str) -> float | int:
    """kubectl decodes JSON numbers that are integral as int64, the rest as float64."""
    value = float(text)
    if value.is_integer() and -(2**63) <= value < 2**63:
        return int(value)
    return value


def decode_json(data: bytes | str) -> Any:
    return json.loads(data, parse_float=_integral)


def generic_status(code: int, body: bytes, what: str = "") -> dict[str, Any]:
    """The Status client-go synthesises for an error answer that carries no Status."""
    text = body.decode("utf-8", "replace").strip()
    reason, message = _GENERIC.get(code, ("InternalError", ""))
    if code >= 500 and code not in (503, 504) or not message:
        message = (f'an error on the server ("{text or "unknown"}") has prevented the request '
                   f"from succeeding")
    if what:
        message += f" ({what})"
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": reason, "code": code}


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
            if connected:
                return ConnectError("Unable to connect to the server: net/http: request canceled "
                                    "(Client.Timeout exceeded while awaiting headers)")
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
            items = sorted((k, str(v)) for k, v in query.items() if v is not None)
            url += "?" + urlencode(items)
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
            raise ApiError(self._status_of(response, what))
        return response

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
