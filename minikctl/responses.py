"""What the server answers: a response body, JSON decoded as kubectl decodes it, the Status
client-go makes up for an error answer that carries none, and the lines of a watch stream."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from minikctl.wire import Headers, Reply

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
    def __init__(self, status: int, headers: Headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        return decode_json(self.body) if self.body else None


def lines(resp: Reply) -> Iterator[dict[str, Any]]:
    """Newline-delimited JSON events from a chunked response; a timeout or a cut connection
    ends the stream, as the end of a watch does."""
    while True:
        try:
            line = resp.readline()
        except OSError:
            return
        if not line:
            return
        if line.strip():
            event = decode_json(line)
            if isinstance(event, dict):
                yield event


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
