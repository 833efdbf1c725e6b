"""`-o jsonpath=...`: kubectl's JSONPath evaluation and printing (client-go util/jsonpath).

Results of one action are joined by spaces; strings print raw, numbers as Go prints them, maps
and lists as compact JSON, null as `<nil>`. `{range ...}...{end}` repeats the nodes between
for every result. Missing keys print nothing, as `--allow-missing-template-keys` (the
default) asks; other failures are errors with client-go's wording.
"""

from __future__ import annotations

from typing import Any

from minikctl.printing.gonum import format_value
from minikctl.printing.jsonout import to_compact_json
from minikctl.printing.jsonpath_parse import JSONPathError, Node, parse

__all__ = ["JSONPath", "JSONPathError", "relaxed"]


class JSONPath:
    def __init__(self, template: str, allow_missing_keys: bool = True) -> None:
        self.template = template
        self.root = parse(template)
        self.allow_missing = allow_missing_keys
        self._begin = self._in = self._end = 0
        self._last_end: Node | None = None

    def find_results(self, data: Any) -> list[list[Any]]:
        return self._find(data, list(self.root.nodes))

    def _find(self, data: Any, nodes: list[Node]) -> list[list[Any]]:
        """FindResults: a `range` runs the nodes after it once per result, up to its `end`,
        then the walk resumes after that `end`."""
        cur = [data]
        full: list[list[Any]] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            results = self._walk(cur, node)
            if 0 < self._end <= self._in:
                self._end -= 1
                self._last_end = node
                break
            if self._begin > 0:
                self._begin -= 1
                self._in += 1
                for value in results:
                    full.extend(self._find(value, nodes[i + 1:]))
                if not results:
                    self._find(None, nodes[i + 1:])
                self._in -= 1
                for k in range(i + 1, len(nodes)):
                    if nodes[k] is self._last_end:
                        i = k
                        break
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def execute(self, data: Any) -> str:
        return "".join(print_results(r) for r in self.find_results(data))

    # -- nodes -------------------------------------------------------------------------

    def _walk(self, values: list[Any], node: Node) -> list[Any]:
        kind = node.kind
        if kind == "list":
            for inner in node.nodes:
                values = self._walk(values, inner)
            return values
        if kind == "text":
            return [node.value]
        if kind in ("int", "float", "bool"):
            return [node.value for _ in values]
        handler = getattr(self, f"_eval_{kind}", None)
        if handler is None:
            raise JSONPathError(f"unexpected Node {kind}")
        result: list[Any] = handler(values, node)
        return result

    def _eval_identifier(self, values: list[Any], node: Node) -> list[Any]:
        if node.value == "range":
            self._begin += 1
            return values
        if node.value == "end":
            if self._in <= 0:
                raise JSONPathError("not in range, nothing to end")
            self._end += 1
            return []
        raise JSONPathError(f"unrecognized identifier {node.value}")

    def _eval_field(self, values: list[Any], node: Node) -> list[Any]:
        results = [v[node.value] for v in values if isinstance(v, dict) and node.value in v]
        if not results and values and not self.allow_missing:
            raise JSONPathError(f"{node.value} is not found")
        return results

    def _eval_array(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathError(f"{_type_name(value)} is not array or slice")
            start, stop, step = node.value
            length = len(value)
            first = (start.value if start.known else 0)
            first += length if first < 0 else 0
            last = stop.value if stop.known else length
            if last < 0 or (last == 0 and stop.derived):
                last += length
            if last == first:
                return results
            if first >= length or first < 0:
                raise JSONPathError(f"array index out of bounds: index {first}, length {length}")
            if last > length or last < 0:
                raise JSONPathError(f"array index out of bounds: index {last - 1}, length "
                                    f"{length}")
            if first > last:
                raise JSONPathError(f"starting index {first} is greater than ending index {last}")
            if step.known and step.value <= 0:
                raise JSONPathError("step must be > 0")
            results.extend(value[first:last:step.value if step.known else 1])
        return results

    def _eval_union(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for part in node.nodes:
            results.extend(self._walk(values, part))
        return results

    def _eval_wildcard(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if isinstance(value, dict):
                results.extend(value.values())
            elif isinstance(value, list):
                results.extend(value)
            elif isinstance(value, str):
                results.extend(value.encode())  # Go indexes a string's bytes
        return results

    def _eval_recursive(self, values: list[Any], node: Node) -> list[Any]:
        results: list[Any] = []
        for value in values:
            children = (list(value.values()) if isinstance(value, dict)
                        else list(value) if isinstance(value, list)
                        else list(value.encode()) if isinstance(value, str) else [])
            if children:
                results.append(value)
                results.extend(self._eval_recursive(children, node))
        return results

    def _eval_filter(self, values: list[Any], node: Node) -> list[Any]:
        assert node.left is not None and node.right is not None
        results: list[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(f"{format_value(value)} is not array or slice and cannot be "
                                    f"filtered")
            for item in value:
                if node.value == "exists":
                    if self._walk([item], node.left):
                        results.append(item)
                    continue
                lefts = self._walk([item], node.left)
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._walk([item], node.right) if lefts else []
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if lefts and rights and compare(node.value, lefts[0], rights[0]):
                    results.append(item)
        return results


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    return {bool: "bool", int: "int64", float: "float64", str: "string"}.get(type(value), "<nil>")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def compare(op: str, left: Any, right: Any) -> bool:
    """text/template's eq/ne/lt/le/gt/ge: only values of one basic kind compare."""
    kinds = (_kind(left), _kind(right))
    if op in ("==", "!="):
        if kinds[0] != kinds[1] or "other" in kinds:
            raise JSONPathError("incompatible types for comparison")
        return (left == right) == (op == "==")
    if kinds[0] != kinds[1]:
        raise JSONPathError("incompatible types for comparison")
    if kinds[0] not in ("int", "float", "string"):
        raise JSONPathError("invalid type for comparison")
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    if op == ">=":
        return bool(left >= right)
    raise JSONPathError(f"unrecognized filter operator {op}")


def text_of(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return to_compact_json(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    return format_value(value)


def print_results(results: list[Any]) -> str:
    return " ".join(text_of(v) for v in results)


def relaxed(expression: str) -> str:
    """RelaxedJSONPathExpression: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`."""
    import re

    if not expression:
        return expression
    match = re.match(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$", expression)
    if match is None:
        raise JSONPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' "
                            "or '{name1.name2}' or '{.name1.name2}'")
    return "{." + (match.group(1) or match.group(2)) + "}"
