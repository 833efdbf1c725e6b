"""`minikctl label` and `minikctl annotate`: one merge PATCH of metadata per object, as kubectl.

Both take `TYPE NAME... key=value... key-...` (or `-f`, `-l`, `--all`), read each object, check
--overwrite on the client (kubectl's wording), and PATCH `{"metadata":{"labels":{...}}}` with the
changed keys and `null` for removed ones, even when nothing changed.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import click

from minikctl.client import MERGE_PATCH
from minikctl.command import kube_command
from minikctl.commands.create import dry_run_strategy
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import expand, get_object, selector_query
from minikctl.flags import bool_flag, dry_run_option, filename_options
from minikctl.labelling import (ANNOTATE, LABEL, Kind, change_message, mutate, parse_pairs,
                                split_args)
from minikctl.printing.output import ObjectPrinter, check_format
from minikctl.session import Session
from minikctl.targets import Target, select

LABEL_HELP = """Update the labels on a resource.

  *  A label key and value must begin with a letter or number, and may contain letters,
numbers, hyphens, dots, and underscores, up to 63 characters each.
  *  If --overwrite is true, then existing labels can be overwritten, otherwise attempting to
overwrite a label will result in an error.
  *  If --resource-version is specified, then updates will use this resource version, otherwise
the existing resource-version will be used.

Examples:
  # Update pod 'foo' with the label 'unhealthy' and the value 'true'
  minikctl label pods foo unhealthy=true

  # Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value
  minikctl label --overwrite pods foo status=unhealthy

  # Update all pods in the namespace
  minikctl label pods --all status=unhealthy

  # Update pods selected by a label query
  minikctl label pods -l name=frontend tier=web

  # Update pod 'foo' by removing a label named 'bar' if it exists
  minikctl label pods foo bar-"""

ANNOTATE_HELP = """Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as
annotations. Annotations are key/value pairs that can be larger than labels and include
arbitrary string values such as structured JSON.

 If --overwrite is true, then existing annotations can be overwritten, otherwise attempting to
overwrite an annotation will result in an error.

Examples:
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  minikctl annotate pods foo description='my frontend'

  # Update pod 'foo', overwriting any existing value
  minikctl annotate --overwrite pods foo description='my frontend running nginx'

  # Update all pods in the namespace
  minikctl annotate pods --all description='my frontend running nginx'

  # Update pod 'foo' by removing an annotation named 'description' if it exists
  minikctl annotate pods foo description-"""


def _objects(session: Session, resources: list[str], filenames: tuple[str, ...], recursive: bool,
             opts: dict[str, Any]) -> list[tuple[Target, dict[str, Any] | ApiError]]:
    """The latest state of every object the arguments name (or the error reading it), in the
    order kubectl's builder visits them."""
    selector, fields = opts["selector"], opts["field_selector"]
    if opts["all"] and (selector or fields):
        which = "--selector" if selector else "--field-selector"
        raise MinikctlError(f"cannot set --all and {which} at the same time")
    if not resources and not filenames:
        raise MinikctlError("one or more resources must be specified as <resource> <name> or "
                            "<resource>/<name>")
    found: list[tuple[Target, dict[str, Any] | ApiError]] = []
    query = selector_query(selector, fields)
    for target in select(session, resources, filenames, recursive, selector or fields,
                         opts["all"]):
        try:
            if target.name is not None:
                found.append((target, get_object(session.client, target)))
                continue
            scope = Target(target.resource, None, None) if opts["all_namespaces"] else target
            found.extend(expand(session, scope, query))
        except ApiError as err:
            found.append((target, err))
    return found


def run(session: Session, kind: Kind, args: tuple[str, ...], filenames: tuple[str, ...],
        recursive: bool, opts: dict[str, Any]) -> None:
    resources, pairs = split_args(list(args), kind.verb)
    wanted, remove = parse_pairs(pairs, kind)
    check_format(opts["output"])
    if not wanted and not remove and not (kind is LABEL and opts.get("list")):
        raise MinikctlError(f"at least one {'label' if kind is LABEL else 'annotation'} update "
                            f"is required")
    strategy = opts["dry_run"] = dry_run_strategy(opts["dry_run"])
    found = _objects(session, resources, filenames, recursive, opts)
    single = len(found) == 1 and not filenames and (
        len(resources) == 1 and "/" in resources[0] or len(resources) == 2)
    if opts["resource_version"] and not single:
        raise MinikctlError("--resource-version may only be used with a single resource")
    printer = ObjectPrinter(opts["output"], lambda text: click.echo(text, nl=False))
    say = lambda text: click.echo(text, nl=False)  # noqa: E731
    errors: list[BaseException] = []
    for target, obj in found:
        if isinstance(obj, ApiError):
            errors.append(obj)
            continue
        try:
            _apply_one(session, kind, target, obj, wanted, remove, opts, printer, say, strategy,
                       single)
        except (ApiError, MinikctlError, AggregateError) as err:
            errors.append(err)
    if errors:
        raise AggregateError(errors)


def _apply_one(session: Session, kind: Kind, target: Target, obj: dict[str, Any],
               wanted: dict[str, str], remove: list[str], opts: dict[str, Any],
               printer: ObjectPrinter, say: Callable[[str], None], strategy: str,
               single: bool) -> None:
    local = copy.deepcopy(obj)
    states, patch = mutate(local, kind, wanted, remove, opts, say)
    if kind is LABEL and opts.get("list"):
        _list(local, kind, target, single, say)
        return
    result = local
    if strategy != "client":
        query = {"fieldManager": kind.manager}
        if strategy == "server":
            query["dryRun"] = "All"
        answer = session.client.request("PATCH", target.path, query=query, body=patch,
                                        content_type=MERGE_PATCH)
        result = answer.json() or local
    shown = local if kind is LABEL else result
    if printer.output in ("yaml", "json"):
        printer.print(shown)
        return
    verb = change_message(states["old"], states["new"]) if kind is LABEL else "annotated"
    printer.print_result(target.resource.kind_string, str(target.name), verb, strategy,
                         shown)


def _list(obj: dict[str, Any], kind: Kind, target: Target, single: bool,
          say: Callable[[str], None]) -> None:
    """--list, with the labels sorted (kubectl prints them in Go's random map order)."""
    indent = ""
    if not single:
        indent = " "
        say(f"Listing labels for {target.resource.kind}.{target.resource.group}/{target.name}:\n")
    for key, value in sorted(((obj.get("metadata") or {}).get(kind.field) or {}).items()):
        say(f"{indent}{key}={value}\n")


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.argument("args", nargs=-1)(func)
    func = bool_flag("overwrite", False, "If true, allow labels to be overwritten, otherwise "
                     "reject label updates that overwrite existing labels.")(func)
    func = click.option("-l", "--selector", default="",
                        help="Selector (label query) to filter on, supports '=', '==', '!=', "
                             "'in', 'notin'.")(func)
    func = click.option("--field-selector", default="",
                        help="Selector (field query) to filter on, supports '=', '==', and "
                             "'!='.")(func)
    func = bool_flag("all", False, "Select all resources, in the namespace of the specified "
                     "resource types")(func)
    func = bool_flag("all-namespaces", False, "If true, check the specified action in all "
                     "namespaces.", short="-A")(func)
    func = click.option("--resource-version", default="",
                        help="If non-empty, the update will only succeed if this is the "
                             "current resource-version for the object. Only valid when "
                             "specifying a single resource.")(func)
    func = click.option("-o", "--output", default="",
                        help="Output format. One of: (json, yaml, name).")(func)
    func = dry_run_option(func)
    return filename_options("identifying the resource to update")(func)


@kube_command("label", help=LABEL_HELP, usage="minikctl label [--overwrite] (-f FILENAME | TYPE "
              "NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]")
@_common
@bool_flag("list", False, "If true, display the labels for a given resource.")
@click.pass_obj
def label(session: Session, /, args: tuple[str, ...], filenames: tuple[str, ...],
          recursive: bool, **opts: Any) -> None:
    if opts["list"] and opts["output"]:
        raise MinikctlError("--list and --output may not be specified together")
    run(session, LABEL, args, filenames, recursive, opts)


@kube_command("annotate", help=ANNOTATE_HELP, usage="minikctl annotate [--overwrite] (-f "
              "FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] "
              "[options]")
@_common
@click.pass_obj
def annotate(session: Session, /, args: tuple[str, ...], filenames: tuple[str, ...],
             recursive: bool, **opts: Any) -> None:
    run(session, ANNOTATE, args, filenames, recursive, opts)
