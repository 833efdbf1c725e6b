"""JSON as Go's encoding/json sees it: decoding with its error texts, and `%v` printing.

kube-apiserver answers a malformed PATCH body with the Go decoder's message (`invalid character
'x' looking for beginning of value`, `json: cannot unmarshal array into Go value of type ...`),
and some strategic-merge errors print decoded values with `%v` (`map[name:x]`). Clients show
these texts verbatim, so they are reproduced here. Decoding also bounds nesting, so nothing
downstream can recurse without limit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

# Nesting bound for request bodies. Kubernetes objects nest far less (managedFields, the
# deepest, stays under 20); the bound keeps every recursive walk well inside Python's limit.
MAX_DEPTH = 100


class GoJSONError(ValueError):
    """A body Go's decoder rejects; str() is the Go error text."""


def decode(body: bytes | str) -> Any:
    """Parse JSON strictly (no NaN or Infinity), bounding nesting at MAX_DEPTH."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson refuses some things Go accepts (integers beyond 64 bits, invalid UTF-8);
        # the standard library decides those and words the real syntax errors.
        value = _decode_slowly(body)
    if exceeds_depth(value, MAX_DEPTH):
        raise GoJSONError("exceeded max depth")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _decode_slowly(body: bytes | str) -> Any:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise GoJSONError(_syntax_message(text, e)) from None
    except ValueError as e:  # NaN, Infinity, -Infinity
        raise GoJSONError(f"invalid character {quote_char(str(e)[0])} looking for beginning of value") from None
    except RecursionError:
        raise GoJSONError("exceeded max depth") from None


def exceeds_depth(value: Any, limit: int) -> bool:
    """True when containers nest deeper than `limit` (iterative, so any depth is safe)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def quote_char(c: str) -> str:
    """encoding/json quoteChar: the offending character as Go quotes it, in single quotes."""
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
             "\\": "\\\\"}
    if c in named:
        return f"'{named[c]}'"
    if c.isprintable():
        return f"'{c}'"
    code = ord(c)
    return f"'\\x{code:02x}'" if code < 0x80 else f"'\\u{code:04x}'"


def _innermost_container(text: str, end: int) -> str:
    """'{' or '[' open at `end`, skipping strings; '' at top level."""
    stack: list[str] = []
    in_string = escaped = False
    for c in text[:end]:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "{[":
            stack.append(c)
        elif c in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _syntax_message(text: str, err: json.JSONDecodeError) -> str:
    """Translate the standard library's message into encoding/json's wording."""
    msg, pos = err.msg, err.pos
    if msg.startswith("Unterminated string") or pos >= len(text):
        return "unexpected end of JSON input"
    char = quote_char(text[pos])
    if msg.startswith("Invalid \\escape"):
        return f"invalid character {quote_char(text[pos + 1:pos + 2] or ' ')} in string escape code"
    if msg.startswith("Invalid \\uXXXX"):
        return f"invalid character {char} in \\u hexadecimal character escape"
    if msg.startswith("Invalid control character"):
        return f"invalid character {char} in string literal"
    if msg.startswith("Expecting property name"):
        return f"invalid character {char} looking for beginning of object key string"
    if msg.startswith("Expecting ':'"):
        return f"invalid character {char} after object key"
    if msg.startswith("Expecting ','"):
        where = "object key:value pair" if _innermost_container(text, pos) == "{" else "array element"
        return f"invalid character {char} after {where}"
    if msg.startswith("Extra data"):
        return f"invalid character {char} after top-level value"
    return _value_start_message(text, pos)


def _value_start_message(text: str, pos: int) -> str:
    """Where a value should start: Go blames the first wrong byte of a literal or number."""
    for literal in ("true", "false", "null"):
        if text[pos] == literal[0]:
            for i, expected in enumerate(literal):
                if pos + i >= len(text):
                    return "unexpected end of JSON input"
                if text[pos + i] != expected:
                    return (f"invalid character {quote_char(text[pos + i])} in literal {literal} "
                            f"(expecting {quote_char(expected)})")
    if text[pos] == "-":
        if pos + 1 >= len(text):
            return "unexpected end of JSON input"
        return f"invalid character {quote_char(text[pos + 1])} in numeric literal"
    return f"invalid character {quote_char(text[pos])} looking for beginning of value"


def type_name(value: Any) -> str:
    """The JSON kind as json.UnmarshalTypeError names it."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


def go_type(value: Any) -> str:
    """The Go type a decoded JSON value has (as reflect.TypeOf prints it)."""
    if value is None:
        return "<nil>"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    return "int64" if isinstance(value, int) else "float64"


def _format_float(f: float) -> str:
    """%v of a float64: shortest digits, exponent form below 1e-4 or from 1e21 on."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    shortest = Decimal(repr(f)).normalize()
    sign, digits, exp = shortest.as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digits))
    sci = len(text) + exp - 1
    if -4 <= sci < 21:
        return format(shortest, "f")
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'+' if sci >= 0 else '-'}{abs(sci):02d}"


def format_value(value: Any) -> str:
    """fmt's %v of a decoded JSON value: `map[k:v]` (keys sorted), `[a b]`, `<nil>`."""
    try:
        return _format(value)
    except RecursionError:
        return "..."


def _format(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_format(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_format(v) for v in value) + "]"
    return str(value)


def clone(value: Any) -> Any:
    """Deep copy of JSON data (dicts, lists, scalars), iteratively, keeping key order."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                copy: Any = {} if isinstance(item, dict) else []
                stack.append((item, copy))
                item = copy
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root
