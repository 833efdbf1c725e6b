"""`-o custom-columns=HEADER:.path,...` (and `custom-columns-file`), as kubectl prints them.

Each column is a relaxed JSONPath (`.metadata.name` means `{.metadata.name}`) evaluated with
missing keys allowed; several results join with commas, none prints `<none>`, and values print
as Go's `%v` would (maps as `map[k:v]`). Rows go through the same tabwriter as tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from minikctl.errors import MinikctlError
from minikctl.printing.gonum import format_value
from minikctl.printing.jsonpath import JSONPath, JSONPathError, relaxed
from minikctl.printing.tabwriter import TabWriter


@dataclass(frozen=True)
class Column:
    header: str
    path: JSONPath


def parse_spec(spec: str) -> list[Column]:
    if not spec:
        raise MinikctlError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon:
            raise MinikctlError(f"unexpected custom-columns spec: {part}, expected "
                                f"<header>:<json-path-expr>")
        try:
            columns.append(Column(header, JSONPath(relaxed(path))))
        except JSONPathError as err:
            raise MinikctlError(str(err)) from None
    return columns


def parse_file(text: str) -> list[Column]:
    """custom-columns-file: a line of headers and a line of paths, split on whitespace."""
    lines = text.splitlines()
    expected = ("Expected format is one line of space separated headers, one line of space "
                "separated column specs.")
    if not lines:
        raise MinikctlError(f"invalid template, missing header line. {expected}")
    if len(lines) < 2:
        raise MinikctlError(f"invalid template, missing spec line. {expected}")
    headers, paths = lines[0].split(), lines[1].split()
    if len(headers) != len(paths):
        raise MinikctlError(f"number of headers ({len(headers)}) and field specifications "
                            f"({len(paths)}) don't match")
    return [Column(h, JSONPath(relaxed(p))) for h, p in zip(headers, paths)]


def cell(column: Column, obj: Any) -> str:
    try:
        results = column.path.find_results(obj)
    except JSONPathError as err:
        raise MinikctlError(str(err)) from None
    values = [format_value(v) for group in results for v in group]
    if not results or not results[0]:
        values.insert(0, "<none>")
    return ",".join(values)


class CustomColumnsPrinter:
    def __init__(self, columns: list[Column], no_headers: bool,
                 write: Callable[[str], None]) -> None:
        self.columns = columns
        self.no_headers = no_headers
        self._tabs = TabWriter(write)
        self._headed = False

    def print(self, obj: dict[str, Any]) -> None:
        if not self.no_headers and not self._headed:
            self._tabs.write("\t".join(c.header for c in self.columns) + "\n")
            self._headed = True
        items = obj.get("items") if str(obj.get("kind", "")).endswith("List") else None
        for item in items if isinstance(items, list) else [obj]:
            self._tabs.write("\t".join(cell(c, item) for c in self.columns) + "\n")

    def flush(self) -> None:
        self._tabs.flush()
