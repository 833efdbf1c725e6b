"""The parser of kubectl's JSONPath dialect (client-go util/jsonpath), node for node.

A template is text with `{...}` actions; inside an action: `.field`, `['key']`, `[0]`,
`[1:3]`, `[*]`, `[a,b]` unions, `..` recursive descent, `*` wildcards, `[?(@.x == "y")]`
filters, quoted strings, numbers, booleans and the `range` / `end` keywords. Errors use
client-go's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EOF = ""
_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.DOTALL)


class JSONPathError(Exception):
    pass


@dataclass
class Node:
    kind: str  # list text field array filter int float bool wildcard recursive union identifier
    value: Any = None
    nodes: list[Node] = field(default_factory=list)
    left: Node | None = None
    right: Node | None = None


def new_list() -> Node:
    return Node("list")


@dataclass
class Param:
    value: int = 0
    known: bool = False
    derived: bool = False


class Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = new_list()

    def parse(self) -> Node:
        self._text(self.root)
        return self.root

    # -- scanning -----------------------------------------------------------------------

    def _consume(self) -> str:
        value = self.input[self.start:self.pos]
        self.start = self.pos
        return value

    def _next(self) -> str:
        if self.pos >= len(self.input):
            return EOF
        char = self.input[self.pos]
        self.pos += 1
        return char

    def _peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else EOF

    def _backup(self, char: str) -> None:
        if char != EOF:
            self.pos -= 1

    # -- grammar ------------------------------------------------------------------------

    def _text(self, cur: Node) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(Node("text", self._consume()))
                self.pos += 1
                self._consume()
                inner = new_list()
                cur.nodes.append(inner)
                self._action(inner)
                return
            if self._next() == EOF:
                break
        if self.pos > self.start:
            cur.nodes.append(Node("text", self._consume()))

    def _action(self, cur: Node) -> None:
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                self._text(self.root)
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                self._recursive(cur)
                continue
            char = self._next()
            if char in (EOF, "\r", "\n"):
                raise JSONPathError("unclosed action")
            if char in " @$":
                self._consume()
            elif char == "[":
                self._array(cur)
            elif char in "\"'":
                self._quote(cur, char)
            elif char == ".":
                self._field(cur)
            elif char in "+-" or char.isdigit():
                self._backup(char)
                self._number(cur)
            elif char == "_" or char.isalnum():
                self._backup(char)
                self._identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(char):04X} "
                                    f"'{char}'")

    def _identifier(self, cur: Node) -> None:
        while not _terminator(self._peek()):
            self._next()
        value = self._consume()
        cur.nodes.append(Node("bool", value == "true") if value in ("true", "false")
                         else Node("identifier", value))

    def _recursive(self, cur: Node) -> None:
        if cur.nodes and cur.nodes[-1].kind == "recursive":
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self._consume()
        cur.nodes.append(Node("recursive"))
        following = self._peek()
        if following and (following == "_" or following.isalnum()):
            self._field(cur)

    def _number(self, cur: Node) -> None:
        if self._peek() in ("+", "-"):
            self._next()
        while self._peek() == "." or self._peek().isdigit():
            self._next()
        value = self._consume()
        try:
            cur.nodes.append(Node("int", int(value)))
        except ValueError:
            try:
                cur.nodes.append(Node("float", float(value)))
            except ValueError:
                raise JSONPathError(f"cannot parse number {value}") from None

    def _array(self, cur: Node) -> None:
        while True:
            char = self._next()
            if char in (EOF, "\n"):
                raise JSONPathError("unterminated array")
            if char == "]":
                break
        text = self._consume()[1:-1]
        text = ":" if text == "*" else text
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(Node("union", nodes=[parse_action(f"[{p.strip(' ')}]")
                                                  for p in parts]))
            return
        key = _DICT_KEY.match(text)
        if key:
            cur.nodes.extend(parse_action(f".{key.group(1)}").nodes)
            return
        cur.nodes.append(Node("array", _slice_params(text)))

    def _filter(self, cur: Node) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            char = self._next()
            if char in (EOF, "\n"):
                raise JSONPathError("unterminated filter")
            if char in "\"'":
                if not begin:
                    begin, pair = True, char
                    continue
                if self.input[self.pos - 2] != "\\" and char == pair:
                    end = True
            elif char == ")" and begin == end:
                break
        if self._next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self._consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(Node("filter", "exists", left=parse_action(text), right=new_list()))
        else:
            cur.nodes.append(Node("filter", match.group(2), left=parse_action(match.group(1)),
                                  right=parse_action(match.group(3))))

    def _quote(self, cur: Node, end: str) -> None:
        while True:
            char = self._next()
            if char in (EOF, "\n"):
                raise JSONPathError("unterminated quoted string")
            if char == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        cur.nodes.append(Node("text", unquote(value)))

    def _field(self, cur: Node) -> None:
        self._consume()
        while True:
            char = self._next()
            if char == "\\":
                self._next()
            elif _terminator(char):
                self._backup(char)
                break
        value = self._consume()
        cur.nodes.append(Node("wildcard") if value == "*" else Node("field", value.replace("\\", "")))


def _slice_params(text: str) -> list[Param]:
    match = _SLICE.match(text)
    if match is None:
        raise JSONPathError(f"invalid array index {text}")
    params = [Param(), Param(), Param()]
    for i, raw in enumerate(match.groups()):
        raw = raw or ""
        if raw:
            raw = raw[1:] if i > 0 else raw
            if i > 0 and raw == "":
                continue
            try:
                params[i] = Param(int(raw), True)
            except ValueError:
                raise JSONPathError(f"array index {raw} is not a number") from None
        elif i == 1:
            params[1] = Param(params[0].value + 1, True, derived=True)
    return params


def _terminator(char: str) -> bool:
    return char in (EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


def unquote(text: str) -> str:
    """UnquoteExtend: Go's strconv.Unquote, for single quotes too."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'":
        raise JSONPathError(f"unquote string {text} error invalid syntax")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1:i + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[code]
            out.append(chr(int(body[i + 2:i + 2 + size], 16)))
            i += 2 + size
        else:
            raise JSONPathError(f"unquote string {text} error invalid syntax")
    return "".join(out)


def parse_action(text: str) -> Node:
    root = Parser("{" + text + "}").parse()
    return root.nodes[0]


def parse(template: str) -> Node:
    return Parser(template).parse()
