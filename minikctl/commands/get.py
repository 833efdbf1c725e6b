"""`minikctl get`: server Tables for people, objects for `-o yaml|json|name`."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.errors import AggregateError, ApiError, MinikctlError, PlainError
from minikctl.fetch import TABLE, get_object, is_table, list_items, pages, selector_query
from minikctl.flags import GoInt, bool_flag, filename_options
from minikctl.printing.output import as_list
from minikctl.printing.table import TableOptions, TablePrinter, fallback_table
from minikctl.session import Session
from minikctl.targets import Target, from_args, from_manifests, has_name_form

HELP = """Display one or many resources.

 Prints a table of the most important information about the specified resources. You can filter
the list using a label selector and the --selector flag. If the desired resource type is
namespaced you will only see results in the current namespace unless you pass
--all-namespaces.

 The columns are the server's: minikctl asks for a meta.k8s.io Table and lays it out exactly as
kubectl does. Use "-o yaml", "-o json" or "-o name" for the objects themselves.

Examples:
  # List all pods in ps output format
  minikctl get pods

  # List all pods in ps output format with more information (such as node name)
  minikctl get pods -o wide

  # List a single replication controller with specified NAME in ps output format
  minikctl get replicationcontroller web

  # List all replication controllers and services together in ps output format
  minikctl get rc,services

  # List one or more resources by their type and names
  minikctl get rc/web service/frontend pods/web-pod-13je7

  # List every pod, service and replication controller (the "all" category)
  minikctl get all

  # List a pod identified by type and name specified in "pod.yaml" in JSON output format
  minikctl get -f pod.yaml -o json

  # Return only the phase value of the specified pod
  minikctl get pod/web-pod-13je7 -o jsonpath='{.status.phase}'

  # List resource information in custom columns
  minikctl get pod test-pod -o custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0].image

  # Print every pod name on its own line
  minikctl get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'

  # List pods sorted by their age, newest last
  minikctl get pods --sort-by=.metadata.creationTimestamp

  # Watch pods change, one line per event
  minikctl get pods -w --output-watch-events

  # Watch pods: list them, then one line per change
  minikctl get pods -w"""

NO_TYPE = ("You must specify the type of resource to get. Use \"minikctl api-resources\" for a "
           "complete list of supported resources.\n\nerror: Required resource not specified.\n"
           "Use \"minikctl explain <resource>\" for a detailed description of that resource "
           "(e.g. minikctl explain pods).\nSee 'minikctl get -h' for help and examples")


def _check_args(args: list[str], filenames: tuple[str, ...], selector: str, output: str,
                show_labels: bool) -> None:
    if show_labels and output not in ("", "wide"):
        from minikctl.printing.formats import split_format

        raise MinikctlError(f"--show-labels option cannot be used with {split_format(output)[0]} "
                            f"printer")
    if filenames and args:
        raise MinikctlError("when paths, URLs, or stdin is provided as input, you may not "
                            "specify resource arguments as well")
    if not args and not filenames:
        raise PlainError(NO_TYPE)
    if args and has_name_form(args) and selector:
        raise MinikctlError("selectors and the all flag cannot be used when passing "
                            "resource/name arguments")
    if len(args) > 1 and not has_name_form(args) and selector:
        raise MinikctlError("name cannot be provided when a selector is specified")


def _targets(session: Session, args: list[str], filenames: tuple[str, ...], recursive: bool,
             all_namespaces: bool) -> list[Target]:
    if filenames:
        from minikctl.manifests import iter_manifests

        return list(from_manifests(session, iter_manifests(filenames, recursive)))
    return from_args(session, args, all_namespaces)


class _Fetched:
    """What one target gave: Tables (one per page or object) or objects."""

    def __init__(self, target: Target, docs: list[dict[str, Any]]) -> None:
        self.target = target
        self.docs = docs


def _fetch(session: Session, target: Target, query: dict[str, str], chunk_size: int,
           human: bool) -> _Fetched:
    client = session.client
    if target.name is not None:
        doc = get_object(client, target, TABLE if human else "application/json")
        return _Fetched(target, [doc])
    if human:
        return _Fetched(target, list(pages(client, target, query, chunk_size, TABLE)))
    return _Fetched(target, list_items(client, target, query, chunk_size))


def _sorted_tables(fetched: list[_Fetched], sort_by: str) -> None:
    from minikctl.printing.sorting import sort_table  # JSONPath and quantities: only for --sort-by

    for item in fetched:
        for doc in item.docs:
            if is_table(doc):
                sort_table(doc, sort_by)


def _fetch_all(session: Session, targets: list[Target], query: dict[str, str], chunk_size: int,
               human: bool, ignore_not_found: bool) -> tuple[list[_Fetched], list[BaseException]]:
    fetched: list[_Fetched] = []
    errors: list[BaseException] = []
    for target in targets:
        try:
            fetched.append(_fetch(session, target, query, chunk_size, human))
        except ApiError as err:
            if not (ignore_not_found and err.is_not_found()):
                errors.append(err)
    return fetched, errors


def _print_tables(fetched: list[_Fetched], opts: dict[str, Any]) -> bool:
    """Print every Table; returns True when nothing at all was written."""
    from minikctl.terminal import table_writer

    printer = TablePrinter(table_writer(lambda text: click.echo(text, nl=False)))
    kinds = {f.target.resource for f in fetched}
    show_kind = opts["show_kind"] or len(kinds) > 1
    last = None
    for item in fetched:
        resource = item.target.resource
        if resource != last:
            printer.start_type(opts["no_headers"])
            last = resource
        options = TableOptions(
            wide=opts["output"] == "wide", no_headers=opts["no_headers"],
            with_namespace=opts["all_namespaces"] and resource.namespaced,
            kind_prefix=resource.kind_string if show_kind else "",
            show_labels=opts["show_labels"], label_columns=opts["label_columns"])
        for doc in item.docs:
            printer.print_table(doc if is_table(doc) else fallback_table(doc), options)
    printer.finish()
    return printer.written == 0


def _human(session: Session, targets: list[Target], query: dict[str, str],
           opts: dict[str, Any]) -> None:
    if opts["sort_by"]:  # kubectl lists in one piece and asks for whole objects to sort rows
        query = dict(query, includeObject="Object")
    chunk = 0 if opts["sort_by"] else opts["chunk_size"]
    fetched, errors = _fetch_all(session, targets, query, chunk, True, opts["ignore_not_found"])
    if opts["sort_by"]:
        try:
            _sorted_tables(fetched, opts["sort_by"])
        except MinikctlError:  # kubectl prints nothing then, and "No resources found"
            fetched = []
    nothing = _print_tables(fetched, opts)
    if nothing and not opts["ignore_not_found"] and not errors:
        namespaced = not opts["all_namespaces"] and all(
            f.target.resource.namespaced for f in fetched)
        message = (f"No resources found in {session.namespace} namespace." if namespaced
                   else "No resources found")
        click.echo(message, err=True)
    if errors:
        raise AggregateError(errors)


def _strip(obj: dict[str, Any], show_managed_fields: bool) -> dict[str, Any]:
    meta = obj.get("metadata")
    if not show_managed_fields and isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    return obj


def _generic(session: Session, targets: list[Target], single: bool, query: dict[str, str],
             opts: dict[str, Any]) -> None:
    fetched, errors = _fetch_all(session, targets, query, opts["chunk_size"], False,
                                 opts["ignore_not_found"])
    if single and errors:
        raise AggregateError(errors)
    objects = [_strip(o, opts["show_managed_fields"]) for f in fetched for o in f.docs]
    if opts["sort_by"] and not (single and len(objects) == 1):
        from minikctl.printing.sorting import sort_list

        objects = sort_list(objects, opts["sort_by"])
    if objects or not opts["ignore_not_found"]:
        from minikctl.printing.formats import make_printer

        printer = make_printer(opts["output"], opts["no_headers"],
                               lambda text: click.echo(text, nl=False))
        printer.print(objects[0] if single and len(objects) == 1 else as_list(objects))
        printer.flush()
    if errors:
        raise AggregateError(errors)


@kube_command("get", help=HELP, usage="minikctl get [(-o|--output=)json|yaml|name|wide] "
              "(TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) "
              "[flags] [options]")
@click.argument("args", nargs=-1)
@click.option("-o", "--output", default="",
              help="Output format. One of: (json, yaml, name, wide, jsonpath=..., "
                   "jsonpath-file=..., jsonpath-as-json=..., custom-columns=..., "
                   "custom-columns-file=...).")
@click.option("--sort-by", default="",
              help="If non-empty, sort list types using this field specification. The field "
                   "specification is expressed as a JSONPath expression (e.g. "
                   "'{.metadata.name}'). The field in the API resource specified by this "
                   "JSONPath expression must be an integer or a string.")
@bool_flag("watch", False, "After listing/getting the requested object, watch for changes.",
           short="-w")
@bool_flag("watch-only", False, "Watch for changes to the requested object(s), without "
           "listing/getting first.")
@bool_flag("output-watch-events", False, "Output watch event objects when --watch or "
           "--watch-only is used. Existing objects are output as initial ADDED events.")
@click.option("-l", "--selector", default="",
              help="Selector (label query) to filter on, supports '=', '==', '!=', 'in', "
                   "'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)).")
@click.option("--field-selector", default="",
              help="Selector (field query) to filter on, supports '=', '==', and '!='.")
@bool_flag("all-namespaces", False, "If present, list the requested object(s) across all "
           "namespaces. Namespace in current context is ignored even if specified with "
           "--namespace.", short="-A")
@bool_flag("no-headers", False, "When using the default or custom-column output format, don't "
           "print headers (default print headers).")
@bool_flag("show-labels", False, "When printing, show all labels as the last column (default "
           "hide labels column).")
@click.option("-L", "--label-columns", multiple=True,
              help="Accepts a comma separated list of labels that are going to be presented as "
                   "columns. Names are case-sensitive.")
@bool_flag("show-kind", False, "If present, list the resource type for the requested object(s).")
@bool_flag("ignore-not-found", False, "If set to true, suppresses NotFound error for specific "
           "objects that do not exist.")
@bool_flag("show-managed-fields", False, "If true, keep the managedFields when printing objects "
           "in JSON or YAML format.")
@click.option("--chunk-size", type=GoInt(), default=500,
              help="Return large lists in chunks rather than all at once. Pass 0 to disable.")
@filename_options("identifying the resource to get from a server.")
@click.pass_obj
def get(session: Session, /, args: tuple[str, ...], output: str, selector: str,
        field_selector: str, label_columns: tuple[str, ...], filenames: tuple[str, ...],
        recursive: bool, **opts: Any) -> None:
    arguments = list(args)
    _check_args(arguments, filenames, selector or field_selector, output, opts["show_labels"])
    if output not in ("", "wide"):  # an object format (printing.formats loads only then)
        from minikctl.printing.formats import make_printer

        make_printer(output, opts["no_headers"], lambda text: None)  # kubectl checks it first
    opts.update(output=output, label_columns=tuple(
        key for spec in label_columns for key in spec.split(",") if key))
    targets = _targets(session, arguments, filenames, recursive, opts["all_namespaces"])
    query = selector_query(selector, field_selector)
    if opts["watch"] or opts["watch_only"]:
        from minikctl.commands.getwatch import watch

        watch(session, targets, query, opts)
        return
    if output in ("", "wide"):
        _human(session, targets, query, opts)
        return
    # kubectl's "single item implied": one named object prints as itself, anything else as a List
    single = len(targets) == 1 and targets[0].name is not None
    _generic(session, targets, single, query, opts)

