"""Field selectors (`?fieldSelector=`), as k8s.io/apimachinery pkg/fields/selector.go.

Terms `k=v`, `k==v` and `k!=v`, ANDed with `,`; `\\,`, `\\=` and `\\\\` escape values. Which field
names a kind supports is the caller's business (the registry answers
`field label not supported: ...`), so the selector exposes the names it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from apiserver import errors

EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    field: str
    operator: str  # "=" or "!="
    value: str


def escape_field_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


class FieldSelector:
    """A compiled field selector: `k=v`, `k==v`, `k!=v` terms, all ANDed. Fields compare as
    strings, and a field the object lacks reads as ""."""

    __slots__ = ("requirements", "_terms")

    def __init__(self, requirements: Iterable[FieldRequirement] = ()) -> None:
        self.requirements: tuple[FieldRequirement, ...] = tuple(requirements)
        self._terms = tuple((r.field, r.operator == EQUALS, r.value) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    @property
    def field_names(self) -> frozenset[str]:
        """The fields named, for the caller to reject unsupported ones."""
        return frozenset(r.field for r in self.requirements)

    def matches(self, fields: Mapping[str, str]) -> bool:
        for name, equal, value in self._terms:
            if (fields.get(name, "") == value) != equal:
                return False
        return True

    def requires_exact_match(self, field: str) -> str | None:
        """fields.Selector.RequiresExactMatch: the value an `=` term on `field` demands."""
        for name, equal, value in self._terms:
            if name == field and equal:
                return value
        return None

    def exact_name(self) -> str | None:
        """X when the selector is exactly `metadata.name=X` (a GET in disguise), else None."""
        if len(self._terms) == 1 and self._terms[0][0] == "metadata.name" and self._terms[0][1]:
            return self._terms[0][2]
        return None

    def __str__(self) -> str:
        return ",".join(f"{r.field}{r.operator}{escape_field_value(r.value)}" for r in self.requirements)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"


def _split_terms(text: str) -> list[str]:
    """Split on commas not escaped by a backslash; the backslashes stay in the terms."""
    if not text:
        return []
    terms, start, escaped = [], 0, False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """At the first position holding an operator ("!=", "==", "=" tried in that order)."""
    for i in range(len(term)):
        for op in (NOT_EQUALS, DOUBLE_EQUALS, EQUALS):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape_value(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out, escaped = [], False
    for c in value:
        if escaped:
            if c not in "\\,=":
                raise errors.bad_request(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            # Go formats the rune with %v, which prints its code point.
            raise errors.bad_request(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if escaped:
        raise errors.bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def parse_field_selector(text: str) -> FieldSelector:
    """Parse `?fieldSelector=`; an empty string selects everything. 400 on a syntax error."""
    requirements = []
    for part in sorted(_split_terms(text)):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        name, op, raw = split
        requirements.append(FieldRequirement(name, NOT_EQUALS if op == NOT_EQUALS else EQUALS,
                                             _unescape_value(raw)))
    return FieldSelector(requirements)
