"""HTTP/1.1 on one TCP (or TLS) connection: the request bytes, the status line and headers of
the answer, and its body, framed by Content-Length, by chunked transfer coding or by the end of
the connection.

The standard library's `http.client` imports `email`, `ssl` and an enum of every status code
before it sends a byte, a fifth of a short `minikctl` run; the API server needs no more of HTTP
than this. Plain http uses the `_socket` C module directly (`socket` builds enum types when
imported); `ssl` and `socket` are imported only for https servers.
"""

from __future__ import annotations

import _socket
from typing import Any

MAX_LINE = 65536  # http.client's limits on a header line and on the number of headers
MAX_HEADERS = 100
RECV = 65536
gaierror = _socket.gaierror
_BODY_EXPECTED = ("PATCH", "POST", "PUT")  # methods that send `Content-Length: 0` without one


class ProtocolError(OSError):
    """The answer is not HTTP/1.x, or it ended before its body did."""


class BadStatusLine(ProtocolError):
    """The first line of the answer is not an HTTP/1.x status line."""


class RemoteDisconnected(ConnectionResetError):
    """The connection closed before an answer began (a stale keep-alive connection, often)."""


class Headers:
    """Response headers in arrival order; names match case-insensitively."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items

    def get(self, name: str, default: Any = None) -> Any:
        name = name.lower()
        for key, value in self.items:
            if key.lower() == name:
                return value
        return default

    def get_all(self, name: str) -> list[str] | None:
        name = name.lower()
        found = [value for key, value in self.items if key.lower() == name]
        return found or None


def _address_host(host: str) -> bytes:
    # getaddrinfo IDNA-encodes a str host, loading encodings.idna and unicodedata; ASCII
    # needs no encoding
    return host.encode("ascii") if host.isascii() else host.encode("idna")


def open_socket(host: str, port: int, timeout: float, tls: Any = None) -> Any:
    """A connected socket (TLS-wrapped when `tls`, an ssl.SSLContext, is given); the error of
    the last address tried when none connects, as socket.create_connection does."""
    module: Any = _socket
    if tls is not None:
        import socket as module
    error: OSError | None = None
    for family, kind, proto, _, address in _socket.getaddrinfo(
            _address_host(host), port, 0, _socket.SOCK_STREAM):
        sock = module.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as err:
            sock.close()
            error = err
            continue
        try:
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)  # as http.client does
        except OSError:
            pass
        if tls is None:
            return sock
        try:
            return tls.wrap_socket(sock, server_hostname=host)
        except OSError as err:
            err.connected = True  # type: ignore[attr-defined]  # the TCP connection was up
            sock.close()
            raise
        except BaseException:
            sock.close()
            raise
    raise error if error is not None else OSError("getaddrinfo returns an empty list")


def request_bytes(method: str, url: str, host_header: str, headers: dict[str, str],
                  body: bytes | None) -> bytes:
    """The request head (and body), as http.client would send it."""
    lines = [f"{method} {url} HTTP/1.1".encode("ascii"),
             f"Host: {host_header}\r\nAccept-Encoding: identity".encode("latin-1")]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
    if body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    elif method in _BODY_EXPECTED:
        lines.append(b"Content-Length: 0")
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


class Reply:
    """One answer: status, headers and a body read on demand (`read`, `read1`, `readline`)."""

    def __init__(self, sock: Any, method: str) -> None:
        self._sock = sock
        self._buf = bytearray()  # bytes received and not yet consumed by the framing
        self._body = bytearray()  # decoded body bytes not yet handed out (readline)
        self.status, self.reason, version = self._status_line()
        while 100 <= self.status < 200 and self.status != 101:  # interim answers
            self._header_lines()
            self.status, self.reason, version = self._status_line()
        self.headers = Headers(self._header_lines())
        self._left = 0  # bytes left in the current chunk, or of a Content-Length body
        self._mode = self._framing(method)
        connection = (self.headers.get("Connection") or "").lower()
        keep = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
        self.reusable = keep and self._mode != "close"

    # -- head ------------------------------------------------------------------------------

    def _fill(self) -> bool:
        data = self._sock.recv(RECV)
        self._buf += data
        return bool(data)

    def _line(self) -> bytes:
        start = 0
        while True:
            end = self._buf.find(b"\n", start)
            if end >= 0:
                line = bytes(self._buf[:end + 1])
                del self._buf[:end + 1]
                return line
            if len(self._buf) > MAX_LINE:
                raise ProtocolError("got more than 65536 bytes when reading a header line")
            start = len(self._buf)
            if not self._fill():
                line = bytes(self._buf)
                self._buf.clear()
                return line

    def _status_line(self) -> tuple[int, str, str]:
        line = self._line()
        if not line:
            raise RemoteDisconnected("Remote end closed connection without response")
        version, _, rest = line.decode("latin-1").strip().partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            text = line[:100].decode("latin-1").rstrip("\r\n")
            raise BadStatusLine(f'malformed HTTP response "{text}"')  # Go's words
        return int(code), reason, version

    def _header_lines(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        for _ in range(MAX_HEADERS + 1):
            line = self._line()
            if line in (b"\r\n", b"\n", b""):
                return items
            text = line.decode("latin-1").rstrip("\r\n")
            if text[:1] in (" ", "\t") and items:  # an obsolete folded continuation
                items[-1] = (items[-1][0], f"{items[-1][1]} {text.strip()}")
                continue
            name, _, value = text.partition(":")
            items.append((name.strip(), value.strip()))
        raise ProtocolError("got more than 100 headers")

    def _framing(self, method: str) -> str:
        if method == "HEAD" or self.status in (204, 304):
            return "done"
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return "chunked"
        length = self.headers.get("Content-Length")
        if length is not None:
            if not (length.strip().isascii() and length.strip().isdigit()):
                raise ProtocolError(f"invalid Content-Length: {length!r}")
            self._left = int(length)
            return "length" if self._left else "done"
        return "close"

    # -- body ------------------------------------------------------------------------------

    def _take(self, most: int) -> bytes:
        """Up to `most` bytes already received, or one receive's worth; b"" at the end."""
        if not self._buf and not self._fill():
            return b""
        piece = bytes(self._buf[:most])
        del self._buf[:most]
        return piece

    def _next_chunk_size(self) -> int:
        if self._left == 0 and self._mode == "chunked-data":  # the CRLF after a chunk
            self._line()
        line = self._line()
        if not line:
            raise ProtocolError("unexpected EOF")
        size = line.split(b";", 1)[0].strip()
        if not size or size.translate(None, b"0123456789abcdefABCDEF"):  # int() takes "-1"
            raise ProtocolError(f"bad chunk size: {line[:40]!r}")
        return int(size, 16)

    def _piece(self, most: int) -> bytes:
        """The next decoded body bytes (at most `most`); b"" once the body has ended."""
        if self._mode == "length":
            piece = self._take(min(most, self._left))
            if not piece:
                raise ProtocolError("unexpected EOF")  # Go's io.ErrUnexpectedEOF
            self._left -= len(piece)
            if not self._left:
                self._mode = "done"
            return piece
        if self._mode in ("chunked", "chunked-data"):
            if not self._left:
                self._left = self._next_chunk_size()
                self._mode = "chunked-data"
                if not self._left:
                    self._header_lines()  # trailers, up to the blank line
                    self._mode = "done"
                    return b""
            piece = self._take(min(most, self._left))
            if not piece:
                raise ProtocolError("unexpected EOF")
            self._left -= len(piece)
            return piece
        if self._mode == "close":
            piece = self._take(most)
            if not piece:
                self._mode = "done"
            return piece
        return b""

    def read(self) -> bytes:
        """The rest of the body."""
        parts = [bytes(self._body)]
        self._body.clear()
        while True:
            piece = self._piece(1 << 30)
            if not piece:
                return b"".join(parts)
            parts.append(piece)

    def read1(self, most: int) -> bytes:
        """Some body bytes (what one receive gives), b"" at the end."""
        if self._body:
            piece = bytes(self._body[:most])
            del self._body[:most]
            return piece
        return self._piece(most)

    def readline(self) -> bytes:
        """The body up to and including the next newline, or the rest at the end."""
        start = 0
        while True:
            end = self._body.find(b"\n", start)
            if end >= 0:
                line = bytes(self._body[:end + 1])
                del self._body[:end + 1]
                return line
            start = len(self._body)
            piece = self._piece(RECV)
            if not piece:
                line = bytes(self._body)
                self._body.clear()
                return line
            self._body += piece
