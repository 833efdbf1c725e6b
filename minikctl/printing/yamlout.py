"""YAML exactly as `kubectl -o yaml` writes it (sigs.k8s.io/yaml on top of go-yaml v2).

go-yaml's emitter is a port of libyaml's, so libyaml (through PyYAML's C emitter, fed events we
build) lays out blocks, wraps long scalars at 80 columns and picks quoting the same way. What
differs is decided before the emitter: keys are sorted with go-yaml's "natural" order (digit runs
compare as numbers, non-letters before letters); a string that would read back as another type
(`"123"`, `"true"`, `"null"`, `"2026-01-01"`, `"0x1F"`, `"1_000"`, `"y"`, `"on"`, `""`) is
double-quoted; strings with a newline use the literal block style; floats use Go's `%g`.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import cmp_to_key
from typing import Any

import yaml
from yaml.events import (DocumentEndEvent, DocumentStartEvent, MappingEndEvent,
                         MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent,
                         StreamEndEvent, StreamStartEvent)

from minikctl.printing.gonum import format_g

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_SPECIAL = frozenset(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                      "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
                      "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
                      ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"])
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$")
_BINARY = re.compile(r"^-?0b[01]+$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?$")


def _is_timestamp(text: str) -> bool:
    """go-yaml's parseTimestamp: `2006-1-2`, optionally with a time (and a zone after `T`),
    with Go's range checks on every field."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    clock = [int(g) for g in match.groups()[3:] if g is not None]
    if clock and (clock[0] > 23 or clock[1] > 59 or clock[2] > 59):
        return False
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def needs_quotes(text: str) -> bool:
    """True when go-yaml would read the plain scalar back as something other than a string."""
    if text in _SPECIAL:
        return True
    first = text[0]
    if first in "+-0123456789":
        plain = text.replace("_", "")
        if _is_timestamp(text) or _INT.match(plain) or _BINARY.match(plain):
            return True
        if _FLOAT.match(plain) and not _overflows(plain):
            return True
    elif first == "." and _FLOAT.match(text) and not _overflows(text):
        return True
    return ":" in text and bool(_BASE60.match(text))


def _overflows(text: str) -> bool:
    """Go's ParseFloat fails (and go-yaml keeps a string) when the value is out of range."""
    try:
        return math.isinf(float(text))
    except ValueError:
        return True


def _compare_keys(a: str, b: str) -> int:
    """go-yaml v2's keyList.Less for two strings: at the first difference, letters sort after
    everything else, and digit runs compare by value."""
    for i in range(min(len(a), len(b))):
        x, y = a[i], b[i]
        if x == y:
            continue
        if x.isalpha() and y.isalpha():
            return -1 if x < y else 1
        if x.isalpha() or y.isalpha():
            return 1 if x.isalpha() else -1
        an = bn = 0
        if x == "0" or y == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai, bi = i, i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


natural_key = cmp_to_key(_compare_keys)


def _scalar(text: str, style: str | None = None) -> ScalarEvent:
    return ScalarEvent(None, None, (True, True), text, style=style)


def _events(value: Any, out: list[Any]) -> None:
    if isinstance(value, dict):
        out.append(MappingStartEvent(None, None, True, flow_style=False))
        for key in sorted((str(k) for k in value), key=natural_key):
            _events(key, out)
            _events(value[key], out)
        out.append(MappingEndEvent())
    elif isinstance(value, list):
        out.append(SequenceStartEvent(None, None, True, flow_style=False))
        for item in value:
            _events(item, out)
        out.append(SequenceEndEvent())
    elif isinstance(value, str):
        if "\n" in value:
            out.append(_scalar(value, "|"))
        else:
            out.append(_scalar(value, '"' if needs_quotes(value) else None))
    elif value is None:
        out.append(_scalar("null"))
    elif value is True or value is False:
        out.append(_scalar("true" if value else "false"))
    elif isinstance(value, float):
        text = format_g(value)
        out.append(_scalar({"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)))
    else:
        out.append(_scalar(str(value)))


def to_yaml(obj: Any) -> str:
    events: list[Any] = [StreamStartEvent(), DocumentStartEvent(explicit=False)]
    _events(obj, events)
    events += [DocumentEndEvent(explicit=False), StreamEndEvent()]
    text: str = yaml.emit(events, Dumper=_Dumper, allow_unicode=True, width=80, indent=2)
    # libyaml ends an open-ended document (after a `|+` block) with `...`; go-yaml never does
    return text[:-4] if text.endswith("\n...\n") else text
