"""JSON exactly as Go's encoding/json writes it: `kubectl -o json` (MarshalIndent with four
spaces) and the compact form kubectl stores in annotations and sends as patches (Marshal).

Keys are sorted byte-wise (Go sorts map keys), `<`, `>`, `&`, U+2028 and U+2029 are escaped as
`\\u003c`-style sequences, other non-ASCII text is written as is, and floats use Go's spelling.
"""

from __future__ import annotations

import json
from typing import Any

from minikctl.printing.gonum import format_json_float

_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                       "\u2029": "\\u2029"})


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).translate(_HTML)


def _encode(value: Any, indent: str, out: list[str], ordered: bool = False,
            step: str = "    ") -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + step
        out.append("{\n")
        keys = list(value) if ordered else sorted(value, key=lambda k: str(k).encode())
        for index, key in enumerate(keys):
            out.append(f"{inner}{_string(str(key))}: ")
            _encode(value[key], inner, out, ordered, step)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + step
        out.append("[\n")
        for index, item in enumerate(value):
            out.append(inner)
            _encode(item, inner, out, ordered, step)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(indent + "]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, float):
        out.append(format_json_float(value))
    else:
        out.append(str(value))


def to_json(obj: Any, ordered: bool = False, step: str = "    ") -> str:
    """The object followed by a newline, as kubectl's JSON printer ends it. `ordered` keeps
    the dict's own key order, as Go prints a typed struct (objects kubectl builds itself)."""
    out: list[str] = []
    _encode(obj, "", out, ordered, step)
    out.append("\n")
    return "".join(out)


def _compact(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=lambda k: str(k).encode())):
            out.append(("," if index else "") + _string(str(key)) + ":")
            _compact(value[key], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _compact(item, out)
        out.append("]")
    else:
        _encode(value, "", out)


def to_compact_json(obj: Any) -> str:
    """json.Marshal: no spaces, sorted keys, no trailing newline."""
    out: list[str] = []
    _compact(obj, out)
    return "".join(out)

