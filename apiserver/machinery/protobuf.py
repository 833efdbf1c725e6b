"""Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), decoded to the
JSON object the same request would have carried.

kubectl's generators (`kubectl create namespace|configmap|secret|service ...`) POST protobuf
whatever the server prefers, and do not retry with JSON on a 415. A body is the magic
`k8s\\0` and a runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}
whose `raw` is the object in the wire format of k8s.io/api's generated.proto. This module
knows the messages of the kinds minik serves that those generators create; any other kind gets
a 415 that says what to send instead. Like Go's JSON with `omitempty`, empty strings, zero
numbers, false and empty messages are left out (gogo-protobuf writes them all).
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any, Iterator

from apiserver import errors
from apiserver.machinery.duration import format_time

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

# message -> field number -> (JSON name, type). Types: string, int, bool, bytes, time,
# intorstring, map (string->string), bytesmap (string->bytes), "[]T" (repeated T), or a message.
_MESSAGES: dict[str, dict[int, tuple[str, str]]] = {
    "ObjectMeta": {1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"),
                   5: ("uid", "string"), 6: ("resourceVersion", "string"), 7: ("generation", "int"),
                   8: ("creationTimestamp", "time"), 9: ("deletionTimestamp", "time"),
                   10: ("deletionGracePeriodSeconds", "int"), 11: ("labels", "map"),
                   12: ("annotations", "map"), 13: ("ownerReferences", "[]OwnerReference"),
                   14: ("finalizers", "[]string")},
    "OwnerReference": {1: ("kind", "string"), 3: ("name", "string"), 4: ("uid", "string"),
                       5: ("apiVersion", "string"), 6: ("controller", "bool"),
                       7: ("blockOwnerDeletion", "bool")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "[]string")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "map"), 3: ("binaryData", "bytesmap"),
                  4: ("immutable", "bool")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "bytesmap"), 3: ("type", "string"),
               4: ("stringData", "map"), 5: ("immutable", "bool")},
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec")},
    "ServiceSpec": {1: ("ports", "[]ServicePort"), 2: ("selector", "map"), 3: ("clusterIP", "string"),
                    4: ("type", "string"), 5: ("externalIPs", "[]string"), 7: ("sessionAffinity", "string"),
                    8: ("loadBalancerIP", "string"), 9: ("loadBalancerSourceRanges", "[]string"),
                    10: ("externalName", "string"), 11: ("externalTrafficPolicy", "string"),
                    12: ("healthCheckNodePort", "int"), 13: ("publishNotReadyAddresses", "bool"),
                    17: ("ipFamilyPolicy", "string"), 18: ("clusterIPs", "[]string"),
                    19: ("ipFamilies", "[]string"), 20: ("allocateLoadBalancerNodePorts", "bool"),
                    21: ("loadBalancerClass", "string"), 22: ("internalTrafficPolicy", "string"),
                    23: ("trafficDistribution", "string")},
    "ServicePort": {1: ("name", "string"), 2: ("protocol", "string"), 3: ("port", "int"),
                    4: ("targetPort", "intorstring"), 5: ("nodePort", "int"), 6: ("appProtocol", "string")},
}
# The kinds (core/v1) whose bodies can be decoded.
KINDS = ("ConfigMap", "Namespace", "Secret", "Service")


class _Malformed(ValueError):
    pass


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Malformed("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    """(field number, value): an int for varint and fixed fields, bytes for the rest."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise _Malformed("truncated field")
            value, pos = buf[pos:pos + size], pos + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, pos = int.from_bytes(buf[pos:pos + width], "little"), pos + width
        else:
            raise _Malformed(f"unsupported wire type {wire}")
        yield number, value


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(value: Any) -> str:
    if not isinstance(value, bytes):
        raise _Malformed("expected a length-delimited field")
    return value.decode("utf-8", errors="replace")


def _scalar(kind: str, value: Any) -> Any:
    if kind == "string":
        return _text(value)
    if kind == "int":
        return _signed(value) if isinstance(value, int) else _malformed("expected a number")
    if kind == "bool":
        return bool(value)
    if kind == "time":
        parts = dict(_fields(value))
        seconds = _signed(parts.get(1, 0))
        return format_time(datetime.fromtimestamp(seconds, timezone.utc)) if seconds else None
    if kind == "intorstring":
        parts = dict(_fields(value))
        return _text(parts.get(3, b"")) if parts.get(1) == 1 else _signed(parts.get(2, 0))
    return _message(value, kind)


def _malformed(reason: str) -> Any:
    raise _Malformed(reason)


def _entry(value: Any, binary: bool) -> tuple[str, str]:
    parts = dict(_fields(value))
    raw = parts.get(2, b"")
    text = base64.b64encode(raw).decode() if binary else _text(raw)
    return _text(parts.get(1, b"")), text


def _message(buf: Any, name: str) -> dict[str, Any]:
    if not isinstance(buf, bytes):
        raise _Malformed(f"expected a {name} message")
    schema = _MESSAGES[name]
    out: dict[str, Any] = {}
    for number, value in _fields(buf):
        if number not in schema:
            continue  # fields minik does not know (status, ...) carry nothing a create needs
        key, kind = schema[number]
        if kind in ("map", "bytesmap"):
            k, v = _entry(value, kind == "bytesmap")
            out.setdefault(key, {})[k] = v
        elif kind.startswith("[]"):
            out.setdefault(key, []).append(_scalar(kind[2:], value))
        else:
            out[key] = _scalar(kind, value)
    return {k: v for k, v in out.items() if v not in ("", 0, False, None, {}) or isinstance(v, list)}


def _unsupported(kind: str) -> errors.StatusError:
    return errors.unsupported_body((
        f"minik decodes protobuf request bodies only for {', '.join(KINDS)}, not {kind or 'this body'}; "
        "send JSON instead, for example: kubectl create ... --dry-run=client -o yaml | kubectl apply -f -"))


def decode(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf request body; 415 for kinds it cannot decode, 400 when
    the body is not Kubernetes protobuf at all."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("the body of the request does not start with the Kubernetes protobuf "
                                 "prefix \"k8s\\x00\"")
    try:
        envelope = dict(_fields(body[len(MAGIC):]))
        type_meta = dict(_fields(envelope.get(1, b"")))
        api_version, kind = _text(type_meta.get(1, b"")), _text(type_meta.get(2, b""))
        if api_version != "v1" or kind not in KINDS:
            raise _unsupported(kind)
        obj = _message(envelope.get(2, b""), kind)
    except (_Malformed, KeyError) as e:
        raise errors.bad_request(f"the body of the request could not be decoded as protobuf: {e}") from None
    return {"apiVersion": api_version, "kind": kind, **obj}
