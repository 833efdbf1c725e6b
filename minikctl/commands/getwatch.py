"""`get -w`, `--watch-only` and `--output-watch-events`, as kubectl prints them.

One resource type only. A collection is listed (unless --watch-only) and then watched from the
list's resourceVersion; one named object is read and then watched by a `metadata.name` field
selector from resourceVersion 0, whose first (synthetic) ADDED event is skipped. Tables share one
tabwriter that remembers column widths, flushed after every event; object formats print each
event's object (or the event itself with --output-watch-events). The watch lasts until the
server ends it or the user interrupts.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterator

import click

from minikctl.client import JSON, TABLE
from minikctl.errors import MinikctlError
from minikctl.fetch import get_object, is_table, pages, with_type_meta
from minikctl.printing.formats import make_printer
from minikctl.printing.jsonout import to_compact_json
from minikctl.printing.table import TableOptions, TablePrinter, fallback_table
from minikctl.session import Session
from minikctl.targets import Target


def _write(text: str) -> None:
    click.echo(text, nl=False)
    sys.stdout.flush()


def _start(session: Session, target: Target, query: dict[str, str], chunk: int,
           human: bool) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(what to print first, the watch query)."""
    accept = TABLE if human else JSON
    if target.name is not None:
        doc = get_object(session.client, target, accept)
        watch_query = dict(query, fieldSelector=f"metadata.name={target.name}",
                           resourceVersion="0")
        return [doc], watch_query
    docs = list(pages(session.client, target, query, chunk, accept))
    version = str((docs[0].get("metadata") or {}).get("resourceVersion") or "") if docs else ""
    return docs, dict(query, resourceVersion=version)


def _events(session: Session, target: Target, query: dict[str, str], human: bool,
            skip_first: bool) -> Iterator[dict[str, Any]]:
    path = target.resource.path(target.namespace)
    for index, event in enumerate(session.client.watch(path, query, TABLE if human else JSON)):
        if event.get("type") == "ERROR":
            from minikctl.errors import ApiError

            raise ApiError(event.get("object") or {})
        if event.get("type") == "BOOKMARK" or (skip_first and index == 0):
            continue
        yield event


class _TableWatch:
    def __init__(self, options: TableOptions, with_events: bool) -> None:
        from minikctl.terminal import table_writer

        self.printer = TablePrinter(table_writer(_write))
        self.printer.start_type(options.no_headers)
        self.options = options
        self.with_events = with_events

    def show(self, doc: dict[str, Any], event: str | None) -> None:
        table = doc if is_table(doc) else fallback_table(doc)
        if self.with_events:
            table = _with_event_column(table, event or "ADDED")
        self.printer.print_table(table, self.options)
        self.printer.finish()


def _with_event_column(table: dict[str, Any], event: str) -> dict[str, Any]:
    columns = list(table.get("columnDefinitions") or [])
    if columns:
        columns = [{"name": "Event", "type": "string", "format": "", "priority": 0}] + columns
    # kubectl pads the event type to the width of MODIFIED, so the column never jumps
    rows = [dict(r, cells=[event.ljust(8)] + list(r.get("cells") or []))
            for r in table.get("rows") or []]
    return dict(table, columnDefinitions=columns, rows=rows)


def _object_writer(opts: dict[str, Any]) -> Callable[[dict[str, Any], str | None], None]:
    printer = make_printer(opts["output"], opts["no_headers"], _write)

    def show(obj: dict[str, Any], event: str | None) -> None:
        if not opts["output_watch_events"]:
            printer.print(obj)
        elif opts["output"] == "json":  # kubectl marshals the WatchEvent struct on one line
            _write(f'{{"type":{to_compact_json(event or "ADDED")},"object":'
                   f"{to_compact_json(obj)}}}\n")
        else:
            printer.print({"type": event or "ADDED", "object": obj})
        printer.flush()

    return show


def watch(session: Session, targets: list[Target], query: dict[str, str],
          opts: dict[str, Any]) -> None:
    if len({t.resource for t in targets}) != 1 or len(targets) > 1:
        raise MinikctlError("you may only specify a single resource type")
    if opts["sort_by"]:
        click.echo("warning: --watch requested, --sort-by will be ignored for watch events "
                   "received", err=True)
    target = targets[0]
    if opts["all_namespaces"] and target.name is None:
        target = Target(target.resource, None, None)
    human = opts["output"] in ("", "wide")
    docs, watch_query = _start(session, target, query, opts["chunk_size"], human)
    if human:
        options = TableOptions(wide=opts["output"] == "wide", no_headers=opts["no_headers"],
                               with_namespace=opts["all_namespaces"] and target.resource.namespaced,
                               show_labels=opts["show_labels"],
                               label_columns=opts["label_columns"])
        show = _TableWatch(options, opts["output_watch_events"]).show
    else:
        show = _object_writer(opts)
    if not opts["watch_only"]:
        for doc in docs:
            listed = with_type_meta(list(doc.get("items") or []), doc)
            for obj in ([doc] if human or target.name is not None else listed):
                show(obj, None)
    try:
        for event in _events(session, target, watch_query, human, target.name is not None):
            show(event.get("object") or {}, str(event.get("type") or ""))
    except KeyboardInterrupt:
        return
