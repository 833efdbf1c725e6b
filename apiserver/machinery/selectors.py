"""Label and field selectors: parsing, matching and the strings kubectl prints.

Behaviour and error wording follow k8s.io/apimachinery pkg/labels/selector.go and
pkg/fields/selector.go, because kubectl and client libraries show the server's parse errors
verbatim. Selectors are compiled once into plain tuples: `matches` runs for every object on
every watch event, so it does no parsing and allocates nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from apiserver import errors
from apiserver.machinery.fieldselectors import FieldRequirement, FieldSelector, parse_field_selector
from apiserver.machinery.names import label_value as label_value_errors
from apiserver.machinery.names import qualified_name as label_key_errors

# Operators, spelled as selection.Operator spells them (String() and error texts use these).
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN, EXISTS, DOES_NOT_EXIST = "in", "notin", "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"

__all__ = ["FieldRequirement", "FieldSelector", "LabelSelector", "Requirement", "format_label_map",
           "format_label_selector", "parse_field_selector", "parse_label_selector", "selector_from_label_selector",
           "selector_from_map", "selector_string_from_map"]


def _aggregate(messages: list[str]) -> str:
    """utilerrors.Aggregate.Error(): one message bare, several as `[a, b]`, duplicates dropped."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


class _SelectorSyntaxError(Exception):
    """A parse failure; the message is apimachinery's text."""


# -- requirements and selectors ---------------------------------------------------------------

_INT64 = re.compile(r"[+-]?[0-9]+")


def _parse_int64(text: str) -> int | None:
    if not _INT64.fullmatch(text):
        return None
    value = int(text)
    return value if -(2 ** 63) <= value < 2 ** 63 else None


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({values})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{values}"

    def matches(self, labels: Mapping[str, str]) -> bool:
        op, value = self.operator, labels.get(self.key)
        if op in (EQUALS, DOUBLE_EQUALS, IN):
            return value is not None and value in self.values
        if op in (NOT_EQUALS, NOT_IN):
            return value is None or value not in self.values
        if op == EXISTS:
            return value is not None
        if op == DOES_NOT_EXIST:
            return value is None
        have = None if value is None else _parse_int64(value)
        want = _parse_int64(self.values[0]) if len(self.values) == 1 else None
        if have is None or want is None:
            return False
        return have > want if op == GREATER_THAN else have < want


def new_requirement(key: str, operator: str, values: Iterable[str]) -> Requirement:
    """labels.NewRequirement: validates the key, the value count for the operator and each
    value; raises _SelectorSyntaxError with the aggregated field errors."""
    vals = list(values)
    errs = []
    key_problems = label_key_errors(key)
    if key_problems:
        errs.append(errors.invalid_value("key", key, "; ".join(key_problems)).message())
    if operator in (IN, NOT_IN) and not vals:
        errs.append(errors.invalid_value("values", vals, "for 'in', 'notin' operators, values set can't be empty").message())
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(vals) != 1:
        errs.append(errors.invalid_value("values", vals, "exact-match compatibility requires one single value").message())
    elif operator in (EXISTS, DOES_NOT_EXIST) and vals:
        errs.append(errors.invalid_value("values", vals, "values set must be empty for exists and does not exist").message())
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            errs.append(errors.invalid_value("values", vals, "for 'Gt', 'Lt' operators, exactly one value is required").message())
        errs.extend(errors.invalid_value(f"values[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer").message()
                    for i, v in enumerate(vals) if _parse_int64(v) is None)
    for i, v in enumerate(vals):
        problems = label_value_errors(v)
        if problems:
            errs.append(errors.invalid_value(f"values[{i}][{key}]", v, "; ".join(problems)).message())
    if errs:
        raise _SelectorSyntaxError(_aggregate(errs))
    return Requirement(key, operator, tuple(vals))


def _compile(r: Requirement) -> Callable[[Mapping[str, str]], bool]:
    """One requirement as a closure over a frozenset: no operator dispatch per match."""
    key, values = r.key, frozenset(r.values)
    if r.operator in (EQUALS, DOUBLE_EQUALS, IN):
        return lambda labels: labels.get(key) in values
    if r.operator in (NOT_EQUALS, NOT_IN):
        return lambda labels: labels.get(key) not in values
    if r.operator == EXISTS:
        return lambda labels: key in labels
    if r.operator == DOES_NOT_EXIST:
        return lambda labels: key not in labels
    return r.matches


class LabelSelector:
    """A compiled label selector: every requirement must match (there is no OR)."""

    __slots__ = ("requirements", "_equals", "_tests", "_nothing")

    def __init__(self, requirements: Iterable[Requirement] = (), *, nothing: bool = False) -> None:
        # Sorted by key like labels.internalSelector, so String() is deterministic.
        self.requirements: tuple[Requirement, ...] = tuple(sorted(requirements, key=lambda r: r.key))
        self._equals = tuple((r.key, r.values[0]) for r in self.requirements
                             if r.operator in (EQUALS, DOUBLE_EQUALS) and len(r.values) == 1)
        self._tests = tuple(_compile(r) for r in self.requirements
                            if not (r.operator in (EQUALS, DOUBLE_EQUALS) and len(r.values) == 1))
        self._nothing = nothing

    @property
    def empty(self) -> bool:
        """True when the selector selects everything."""
        return not self.requirements and not self._nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self._nothing:
            return False
        labels = labels or {}
        for key, value in self._equals:
            if labels.get(key) != value:
                return False
        for test in self._tests:
            if not test(labels):
                return False
        return True

    def requires_exact_match(self, key: str) -> str | None:
        """The single value `key` must have (from `=`, `==` or a one-value `in`), else None."""
        for r in self.requirements:
            if r.key == key:
                ok = r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1
                return r.values[0] if ok else None
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return f"LabelSelector({str(self)!r})" if not self._nothing else "LabelSelector(<nothing>)"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, LabelSelector) and self.requirements == other.requirements
                and self._nothing == other._nothing)

    def __hash__(self) -> int:
        return hash((self.requirements, self._nothing))


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True)

# -- the label selector lexer and parser (labels.Lexer / labels.Parser) ------------------------

_ID, _END, _OPEN, _CLOSE, _COMMA, _NOT = "id", "end", "(", ")", ",", "!"
_EQ, _DEQ, _NEQ, _GT, _LT, _IN, _NOTIN = "=", "==", "!=", ">", "<", "in", "notin"
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_OPERATOR_TOKENS = {_IN: IN, _EQ: EQUALS, _DEQ: DOUBLE_EQUALS, _GT: GREATER_THAN, _LT: LESS_THAN,
                    _NOTIN: NOT_IN, _NEQ: NOT_EQUALS}


def _lex(text: str) -> list[tuple[str, str]]:
    # A NUL byte reads as end of input in the Go lexer.
    text = text.split("\x00", 1)[0]
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append((_END, ""))
            return tokens
        if text[i] in _SPECIAL:
            # Longest match: every special character is a token, and so are "==" and "!=".
            size = 2 if text[i:i + 2] in (_DEQ, _NEQ) else 1
            tokens.append((text[i:i + size], text[i:i + size]))
            i += size
            continue
        start = i
        while i < n and text[i] not in _SPECIAL and text[i] not in _WHITESPACE:
            i += 1
        word = text[start:i]
        tokens.append((word if word in (_IN, _NOTIN) else _ID, word))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.pos = 0

    def lookahead(self, values: bool = True) -> tuple[str, str]:
        tok, lit = self.tokens[min(self.pos, len(self.tokens) - 1)]
        # In a value position the keywords "in" and "notin" are plain identifiers.
        return (_ID if values and tok in (_IN, _NOTIN) else tok), lit

    def consume(self, values: bool = True) -> tuple[str, str]:
        item = self.lookahead(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok == _END:
                return requirements
            if tok not in (_ID, _NOT):
                raise _SelectorSyntaxError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except _SelectorSyntaxError as e:
                raise _SelectorSyntaxError(f"unable to parse requirement: {e}") from None
            tok, lit = self.consume()
            if tok == _END:
                return requirements
            if tok != _COMMA:
                raise _SelectorSyntaxError(f"found '{lit}', expected: ',' or 'end of string'")
            tok, lit = self.lookahead()
            if tok not in (_ID, _NOT):
                raise _SelectorSyntaxError(f"found '{lit}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        key, operator = self.key_and_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return new_requirement(key, operator, [])
        tok, lit = self.consume(values=False)
        if tok not in _OPERATOR_TOKENS:
            raise _SelectorSyntaxError(f"found '{lit}', expected: {_BINARY_OPERATORS}")
        operator = _OPERATOR_TOKENS[tok]
        values = self.value_set() if operator in (IN, NOT_IN) else self.exact_value()
        return new_requirement(key, operator, sorted(values))

    def key_and_operator(self) -> tuple[str, str]:
        operator = ""
        tok, lit = self.consume()
        if tok == _NOT:
            operator = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _ID:
            raise _SelectorSyntaxError(f"found '{lit}', expected: identifier")
        problems = label_key_errors(lit)
        if problems:
            # The parser validates with a nil field path, which Go prints as "<nil>".
            raise _SelectorSyntaxError("<nil>: " + errors.invalid_value("", lit, "; ".join(problems)).body())
        if self.lookahead()[0] in (_END, _COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return lit, operator

    def exact_value(self) -> set[str]:
        if self.lookahead()[0] in (_END, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok != _ID:
            raise _SelectorSyntaxError(f"found '{lit}', expected: identifier")
        return {lit}

    def value_set(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            raise _SelectorSyntaxError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok == _CLOSE:
            self.consume()
            return {""}
        if tok not in (_ID, _COMMA):
            raise _SelectorSyntaxError(f"found '{lit}', expected: ',', ')' or identifier")
        values = self.identifiers()
        self.consume()  # the ")" that ended the list
        return values

    def identifiers(self) -> set[str]:
        values: set[str] = set()
        # Each pass consumes a token and the list ends at END, so this terminates.
        while True:
            tok, lit = self.consume()
            if tok == _ID:
                values.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _CLOSE:
                    return values
                if tok2 != _COMMA:
                    raise _SelectorSyntaxError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not values:
                    values.add("")  # "(," starts with an empty value
                tok2 = self.lookahead()[0]
                if tok2 in (_CLOSE, _COMMA):
                    values.add("")  # ",)" and ",," hold an empty value
                    if tok2 == _CLOSE:
                        return values
            else:
                raise _SelectorSyntaxError(f"found '{lit}', expected: ',', or identifier")


def parse_label_selector(text: str) -> LabelSelector:
    """Parse `?labelSelector=`; an empty string selects everything. 400 on a syntax error."""
    try:
        return LabelSelector(_Parser(text).parse())
    except _SelectorSyntaxError as e:
        raise errors.bad_request(str(e)) from None


def selector_from_map(selector: Mapping[str, str] | None) -> LabelSelector:
    """RC / Service spec.selector: every pair must match; empty or None selects everything."""
    if not selector:
        return EVERYTHING
    return LabelSelector(Requirement(k, EQUALS, (v,)) for k, v in selector.items())


_EXPRESSION_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def selector_from_label_selector(selector: Mapping[str, Any] | None) -> LabelSelector:
    """metav1.LabelSelectorAsSelector: None selects nothing, {} everything; 400 when invalid."""
    if selector is None:
        return NOTHING
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    try:
        requirements = [new_requirement(k, EQUALS, [_as_text(v)]) for k, v in match_labels.items()]
        for expr in expressions:
            op = expr.get("operator")
            if op not in _EXPRESSION_OPERATORS:
                raise _SelectorSyntaxError(f"{json.dumps(op)} is not a valid label selector operator")
            values = [_as_text(v) for v in expr.get("values") or []]
            requirements.append(new_requirement(_as_text(expr.get("key", "")), _EXPRESSION_OPERATORS[op], values))
    except _SelectorSyntaxError as e:
        raise errors.bad_request(str(e)) from None
    return LabelSelector(requirements)


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: `app=web,tier in (edge,front)`; empty or None `<none>`."""
    try:
        text = str(selector_from_label_selector(selector))
    except errors.StatusError:
        return "<error>"
    return text or "<none>"


def format_label_map(labels: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: `k=v` strings sorted as strings, joined by `,`; empty `<none>`."""
    return ",".join(sorted(f"{k}={v}" for k, v in (labels or {}).items())) or "<none>"


def selector_string_from_map(selector: Mapping[str, str] | None) -> str:
    """labels.SelectorFromSet(...).String(): keys sorted, `k=v` joined by `,`; empty is ""."""
    return str(selector_from_map(selector))
