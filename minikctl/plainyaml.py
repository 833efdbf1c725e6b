"""The plain block-style YAML that kubeconfig files are written in, read without PyYAML.

Importing PyYAML (with libyaml) costs more than a short `minikctl get` spends on everything else
but its imports, and a kubeconfig is nearly always nested block mappings and sequences of
simple scalars. `load` reads exactly that subset and returns None for anything it is not sure
of (flow collections other than `{}`/`[]`, anchors, tags, block or multi-line scalars, escapes,
tabs, comments after a value, documents markers...), so the caller falls back to PyYAML and
every accepted file gives what `yaml.safe_load` gives.

Scalars follow PyYAML's YAML 1.1 resolver: a plain scalar is kept as a string only when it
cannot resolve to anything else (it does not start like a number, date, null, merge key or
value indicator and is not one of the boolean or null words); `true`/`false` words and `null`
words become bool and None, other scalars starting like numbers send the file to PyYAML.
"""

from __future__ import annotations

from typing import Any

# PyYAML's implicit resolvers: these exact words are booleans or null
_TRUE = frozenset("yes Yes YES true True TRUE on On ON".split())
_FALSE = frozenset("no No NO false False FALSE off Off OFF".split())
_NULL = frozenset("~ null Null NULL".split())
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=~-")
_QUOTED = _PLAIN | frozenset(" ,;!?()[]{}#&*|>$^`<")
MAX_DEPTH = 50
_ALONE = "\0"  # the value slot of a line that is a lone scalar (NUL never reaches here)


class _Unsure(Exception):
    """The text uses YAML this reader does not handle; PyYAML must read it."""


def _scalar(token: str) -> Any:
    """The value of one scalar token (never empty)."""
    if not token:
        raise _Unsure
    if token in ("{}", "[]"):
        return {} if token == "{}" else []
    quote = token[0]
    if quote in "'\"":
        body = token[1:-1]
        if len(token) < 2 or token[-1] != quote or not set(body) <= _QUOTED:
            raise _Unsure
        return body
    if token in _TRUE or token in _FALSE:
        return token in _TRUE
    if token in _NULL:
        return None
    # a letter, `/` or `_` first: not a number, date, indicator, `<<`, `=` or `~`
    if (not (token[0].isalpha() or token[0] in "/_") or not set(token) <= _PLAIN
            or token.endswith(":") or "://" not in token and ":" in token):
        raise _Unsure
    return token


def _key(token: str) -> str:
    value = _scalar(token)
    if not isinstance(value, str) or not value or token[0] in "'\"{[":
        raise _Unsure
    return value


def _split(text: str) -> list[tuple[int, bool, str, str | None]]:
    """Each content line as (indent, starts a sequence item, key or scalar, value or None):
    `key: value` -> (n, False, key, value); `key:` -> (n, False, key, None); `- x` -> an item
    whose content starts two columns further in, given as its own line."""
    lines: list[tuple[int, bool, str, str | None]] = []
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        # PyYAML also breaks lines at \x85 and \u2028 and refuses control characters: ASCII
        # printable only (which leaves out tabs too)
        if not (line.isascii() and line.isprintable()):
            raise _Unsure
        line = line.rstrip(" ")
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if " #" in line or stripped.startswith(("---", "...", "%")):
            raise _Unsure
        indent = len(line) - len(stripped)
        while stripped.startswith("- "):
            lines.append((indent, True, "", None))
            rest = stripped[2:].lstrip(" ")
            indent += len(stripped) - len(rest)
            stripped = rest
        if stripped == "-":
            raise _Unsure
        key, sep, value = stripped.partition(": ")
        if sep:
            lines.append((indent, False, key, value.strip(" ")))
        elif stripped.endswith(":"):
            lines.append((indent, False, stripped[:-1], None))
        else:
            lines.append((indent, False, stripped, _ALONE))
    return lines


class _Reader:
    def __init__(self, lines: list[tuple[int, bool, str, str | None]]) -> None:
        self.lines = lines
        self.pos = 0

    def node(self, indent: int, depth: int) -> Any:
        """The node whose first line is the current one, at exactly `indent`."""
        if depth > MAX_DEPTH:
            raise _Unsure
        col, item, text, value = self.lines[self.pos]
        if col != indent:
            raise _Unsure
        if item:
            return self.sequence(indent, depth)
        if value == _ALONE:
            self.pos += 1
            return _scalar(text)
        return self.mapping(indent, depth)

    def sequence(self, indent: int, depth: int) -> list[Any]:
        out = []
        while self.pos < len(self.lines):
            col, item, _, _ = self.lines[self.pos]
            if col < indent or col == indent and not item:  # the enclosing mapping goes on
                break
            if col != indent:
                raise _Unsure
            self.pos += 1
            if self.pos == len(self.lines) or self.lines[self.pos][0] <= indent:
                raise _Unsure  # `-` with nothing after it
            out.append(self.node(self.lines[self.pos][0], depth + 1))
        return out

    def mapping(self, indent: int, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.pos < len(self.lines):
            col, item, text, value = self.lines[self.pos]
            if col < indent:
                break
            if col != indent or item or value == _ALONE:
                raise _Unsure
            self.pos += 1
            key = _key(text)
            if value is not None:
                out[key] = _scalar(value)
                continue
            nxt = self.lines[self.pos] if self.pos < len(self.lines) else None
            if nxt is not None and (nxt[0] > indent or nxt[0] == indent and nxt[1]):
                out[key] = self.node(nxt[0], depth + 1)  # deeper, or a sequence at this column
            else:
                out[key] = None
        return out


def load(text: str) -> Any:
    """What `yaml.safe_load(text)` gives, or None when the text needs PyYAML. A file with no
    content gives {} (PyYAML's None, which callers treat as an empty kubeconfig)."""
    try:
        lines = _split(text)
        if not lines:
            return {}
        reader = _Reader(lines)
        if lines[0][1] or lines[0][3] == _ALONE:
            return None  # a top-level sequence or scalar is no kubeconfig; PyYAML words it
        result = reader.node(lines[0][0], 0)
        if reader.pos != len(lines):
            return None
        return result
    except _Unsure:
        return None
