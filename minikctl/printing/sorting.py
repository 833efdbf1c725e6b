"""`--sort-by`: kubectl's ordering of rows and list items by one JSONPath value.

The first value the path finds in each object is the key. Numbers compare as numbers, strings
that both parse as resource quantities compare as quantities (`100m` < `9` < `1Ki`), other
strings byte by byte, objects without the field first; booleans and maps cannot be sorted.
The rows are then ordered by Go's sort.Sort, so ties land where kubectl puts them.
"""

from __future__ import annotations

from typing import Any

from minikctl.errors import MinikctlError
from minikctl.printing import gosort
from minikctl.printing.jsonpath import JSONPath, JSONPathError, relaxed
from minikctl.quantity import parse as parse_quantity


def _less_values(left: Any, right: Any, field: str) -> bool:
    if isinstance(left, bool) or isinstance(left, (dict, list)) or left is None:
        raise MinikctlError(f"Field {field} in *unstructured.Unstructured is an unsortable type: "
                            f"interface, err: unsortable type: {_go_type(left)}")
    if type(left) is not type(right):
        raise MinikctlError(f"Field {field} in *unstructured.Unstructured is an unsortable type: "
                            f"interface, err: unsortable interface: interface")
    if isinstance(left, str):
        try:
            return parse_quantity(left).value < parse_quantity(right).value
        except (ValueError, ArithmeticError):
            return left < right  # kubectl 1.37 compares other strings byte by byte
    return bool(left < right)


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "bool" if isinstance(value, bool) else "<nil>"


def _keys(objects: list[Any], field: str) -> list[list[Any]]:
    try:
        path = JSONPath(field)
        keys = [[v for group in path.find_results(o) for v in group][:1] for o in objects]
    except JSONPathError as err:
        raise MinikctlError(f"sorting error: {err}") from None
    if objects and not any(keys):
        raise MinikctlError(f'couldn\'t find any field with path "{field}" in the list of '
                            f"objects")
    return keys


def sort_objects(objects: list[Any], expression: str) -> list[int]:
    """The original positions of the objects, in sorted order."""
    try:
        field = relaxed(expression)
    except JSONPathError:
        field = expression
    keys = _keys(objects, field)
    order = list(range(len(objects)))

    def less(i: int, j: int) -> bool:
        if not keys[i]:
            return True
        if not keys[j]:
            return False
        return _less_values(keys[i][0], keys[j][0], field)

    def swap(i: int, j: int) -> None:
        keys[i], keys[j] = keys[j], keys[i]
        order[i], order[j] = order[j], order[i]

    gosort.sort(len(objects), less, swap)
    return order


def sort_table(table: dict[str, Any], expression: str) -> None:
    """Sort a Table's rows in place by their full objects (requested with includeObject)."""
    rows = list(table.get("rows") or [])
    if len(rows) < 2:
        return
    order = sort_objects([r.get("object") for r in rows], expression)
    table["rows"] = [rows[i] for i in order]


def sort_list(items: list[Any], expression: str) -> list[Any]:
    if not items:
        return items
    return [items[i] for i in sort_objects(items, expression)]
