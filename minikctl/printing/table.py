"""Render the server's meta.k8s.io/v1 Tables exactly as `kubectl get` lays them out.

The server decides columns and cells (DESIGN.md, invariant 6); this module only decorates and
aligns them, following cli-runtime's table printer and kubectl get:
- columns with priority != 0 appear only with `-o wide`; headers are upper-cased and printed once
  per resource type, only when a table has rows;
- `-A` prepends NAMESPACE (not for cluster-scoped kinds), `-L` appends one column per label key,
  `--show-labels` appends LABELS; with several kinds (or `--show-kind`) the `format: name`
  column becomes `kind[.group]/name`;
- a cell is cut at its first newline/CR/formfeed with `...` appended, and ESC shows as `^[`;
- each resource type gets fresh column widths, and one blank line separates types when headers
  are on and something was printed before; tables flush every 100 rows with remembered widths.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from minikctl.printing.gonum import format_value
from minikctl.printing.tabwriter import TabWriter

FLUSH_EVERY = 100
_BREAK_CHARS = "\f\n\r"


# a NamedTuple, not a dataclass: every run builds this class, and a dataclass costs ~1 ms
class TableOptions(NamedTuple):
    wide: bool = False
    no_headers: bool = False
    with_namespace: bool = False
    kind_prefix: str = ""  # `replicationcontroller` when the kind is shown, else ""
    show_labels: bool = False
    label_columns: tuple[str, ...] = ()


def format_labels(labels: dict[str, Any] | None) -> str:
    """labels.FormatLabels: `k=v` strings sorted as strings, joined by commas; none -> <none>."""
    if not labels:
        return "<none>"
    return ",".join(sorted(f"{k}={v}" for k, v in labels.items()))


def label_header(key: str) -> str:
    return key.split("/")[-1].upper()


def sanitise(text: str) -> str:
    """cli-runtime's appendCellValue: cut at the first line break, escape ESC and CR."""
    if "\x1b" not in text and "\n" not in text and "\r" not in text and "\f" not in text:
        return text  # nearly every cell: four scans beat the search below
    cut = min((i for i in (text.find(c) for c in _BREAK_CHARS) if i >= 0), default=-1)
    if cut >= 0:
        return text[:cut].replace("\x1b", "^[") + "..."
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    return sanitise(value if isinstance(value, str) else format_value(value))


def _row_metadata(row: dict[str, Any]) -> dict[str, Any] | None:
    obj = row.get("object")
    if not isinstance(obj, dict):
        return None
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else None


def decorate(columns: list[dict[str, Any]], rows: list[dict[str, Any]],
             options: TableOptions) -> tuple[list[tuple[str, int]], list[list[Any]]]:
    """(header name, priority) per column and the cells of each row, after decorations."""
    name_index = -1
    if options.kind_prefix:
        for index, column in enumerate(columns):
            if column.get("format") == "name" and column.get("type") == "string":
                name_index = index
                break
    heads = [(str(c.get("name", "")), int(c.get("priority") or 0)) for c in columns]
    if options.with_namespace:
        heads.insert(0, ("Namespace", 0))
    heads += [(label_header(k), 0) for k in options.label_columns]
    if options.show_labels:
        heads.append(("Labels", 0))
    out_rows: list[list[Any]] = []
    for row in rows:
        cells = list(row.get("cells") or [])
        if 0 <= name_index < len(cells):
            cells[name_index] = f"{options.kind_prefix}/{cell_text(cells[name_index])}"
        meta = _row_metadata(row)
        if options.with_namespace:
            cells.insert(0, meta.get("namespace", "") if meta is not None else None)
        if meta is None:
            cells += [None] * (len(heads) - len(cells))
        else:
            labels = meta.get("labels") or {}
            cells += [labels.get(k, "") for k in options.label_columns]
            if options.show_labels:
                cells.append(format_labels(labels))
        out_rows.append(cells)
    return heads, out_rows


def fallback_table(doc: dict[str, Any]) -> dict[str, Any]:
    """kubectl's `NAME AGE` columns for an answer that is not a Table (a plain object or list)."""
    from minikctl.printing.durations import age_of  # only answers that are not Tables

    listed = doc.get("items")
    items: list[dict[str, Any]] = listed if isinstance(listed, list) else [doc]
    rows = []
    for item in items:
        meta = item.get("metadata") or {}
        rows.append({"cells": [meta.get("name", ""), age_of(meta.get("creationTimestamp"))],
                     "object": item})
    return {"columnDefinitions": [{"name": "Name", "type": "string", "format": "name"},
                                  {"name": "Age", "type": "string"}], "rows": rows}


class TablePrinter:
    """The layout state of one `get` run: the current resource type, its header, the widths."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._out = write
        self.written = 0
        self._separator_ready = False
        self._writer = TabWriter(self._emit)
        self._last_columns: list[dict[str, Any]] | None = None
        self._printed_headers = False
        self._started = False

    def _emit(self, text: str) -> None:
        if text and self._separator_ready:
            self._out("\n")
            self._separator_ready = False
        self.written += len(text)
        self._out(text)

    def start_type(self, no_headers: bool) -> None:
        """A new resource type: new header, fresh widths, a blank line before it if needed."""
        self._writer.flush()
        self._writer.set_remembered_widths(None)
        if self._started and not no_headers and self.written > 0:
            self._separator_ready = True
        self._started = True
        self._last_columns = None
        self._printed_headers = False

    def print_table(self, table: dict[str, Any], options: TableOptions) -> None:
        columns = list(table.get("columnDefinitions") or [])
        rows = list(table.get("rows") or [])
        no_headers = options.no_headers
        if self._printed_headers and (not columns or columns == self._last_columns):
            no_headers = True
        if not columns:
            columns = list(self._last_columns or [])
        elif columns != self._last_columns:
            self._last_columns = columns
            self._printed_headers = False
        if rows:
            self._printed_headers = True
        heads, cells = decorate(columns, rows, options)
        self._write_rows(heads, cells, options.wide, no_headers)

    def _write_rows(self, heads: list[tuple[str, int]], rows: list[list[Any]], wide: bool,
                    no_headers: bool) -> None:
        visible = [i for i, (_, priority) in enumerate(heads) if wide or priority == 0]
        if not no_headers:
            if not rows:
                return
            self._writer.write("\t".join(heads[i][0].upper() for i in visible) + "\n")
        for count, row in enumerate(rows, start=1):
            shown = [cell_text(row[i]) for i in visible if i < len(row)]
            self._writer.write("\t".join(shown) + "\n")
            if count % FLUSH_EVERY == 0:
                self._writer.flush()

    def finish(self) -> None:
        self._writer.flush()
