"""`minikctl describe`: kubectl's descriptions, with the name-prefix fallback and its rules for
when events are shown."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.describe import describer_for
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import expand, get_object, selector_query
from minikctl.flags import GoInt, bool_flag, filename_options
from minikctl.session import Session
from minikctl.targets import Target, from_args, from_manifests

HELP = """Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as
events or controllers. You may select a single object by name, all objects of that type, provide
a name prefix, or label selector. For example:

    $ minikctl describe TYPE NAME_PREFIX

 will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it
will output details for every resource that has a name prefixed with NAME_PREFIX.

Examples:
  # Describe a node
  minikctl describe nodes node-1

  # Describe a pod
  minikctl describe pods/nginx

  # Describe a pod identified by type and name in "pod.json"
  minikctl describe -f pod.json

  # Describe all pods
  minikctl describe pods

  # Describe pods by label name=myLabel
  minikctl describe pods -l name=myLabel

  # Describe all pods managed by the 'frontend' replication controller
  # (rc-created pods get the name of the rc as a prefix in the pod name)
  minikctl describe pods frontend

  # Describe a service: its endpoints come from its EndpointSlices
  minikctl describe svc redis-master"""

NO_TYPE = ('You must specify the type of resource to describe. Use "minikctl api-resources" for '
           "a complete list of supported resources.\n")


def _objects(session: Session, targets: list[Target], query: dict[str, str], chunk: int,
             all_namespaces: bool) -> tuple[list[tuple[Target, dict[str, Any]]], list[ApiError]]:
    found: list[tuple[Target, dict[str, Any]]] = []
    errors: list[ApiError] = []
    for target in targets:
        try:
            if target.name is None:
                scope = Target(target.resource, None, None) if all_namespaces else target
                found.extend(expand(session, scope, query, chunk))
            else:
                found.append((target, get_object(session.client, target)))
        except ApiError as err:
            errors.append(err)
    return found, errors


def _by_prefix(session: Session, kind: str, prefix: str, show_events: bool, chunk: int,
               original: ApiError) -> None:
    """DescribeMatchingResources: every object of the type whose name starts with `prefix`."""
    collection = from_args(session, [kind])[0]
    matches = [(t, o) for t, o in expand(session, collection, {}, chunk)
               if str(t.name).startswith(prefix)]
    if not matches:
        raise original
    for target, obj in matches:
        text = describer_for(target.resource.group, target.resource.kind)(session, obj,
                                                                          show_events)
        click.echo(text)


@kube_command("describe", help=HELP, usage="minikctl describe (-f FILENAME | TYPE [NAME_PREFIX | "
              "-l label] | TYPE/NAME) [options]")
@click.argument("args", nargs=-1)
@filename_options("containing the resource to describe")
@click.option("-l", "--selector", default="",
              help="Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.")
@bool_flag("all-namespaces", False, "If present, list the requested object(s) across all "
           "namespaces. Namespace in current context is ignored even if specified with "
           "--namespace.", short="-A")
@bool_flag("show-events", True, "If true, display events related to the described object. "
           "Defaults to true for a single object, false for multiple objects and prefix matching.")
@click.option("--chunk-size", type=GoInt(), default=500,
              help="Return large lists in chunks rather than all at once. Pass 0 to disable.")
@click.pass_context
def describe(ctx: click.Context, /, args: tuple[str, ...], filenames: tuple[str, ...],
             recursive: bool, selector: str, all_namespaces: bool, show_events: bool,
             chunk_size: int) -> None:
    session: Session = ctx.obj
    arguments = list(args)
    if not arguments and not filenames:
        raise MinikctlError(NO_TYPE)
    source = ctx.get_parameter_source("show_events")
    explicit = source is not None and source.name != "DEFAULT"
    if filenames:
        from minikctl.manifests import iter_manifests

        targets = list(from_manifests(session, iter_manifests(filenames, recursive)))
    else:
        targets = from_args(session, arguments, all_namespaces)
    found, errors = _objects(session, targets, selector_query(selector), chunk_size,
                             all_namespaces)
    if (errors or len(found) > 1) and not explicit:
        show_events = False
    if errors and errors[0].is_not_found() and len(arguments) == 2 and "/" not in arguments[0]:
        _by_prefix(session, arguments[0], arguments[1], show_events, chunk_size, errors[0])
        return
    for index, (target, obj) in enumerate(found):
        text = describer_for(target.resource.group, target.resource.kind)(session, obj,
                                                                          show_events)
        click.echo(text if index == 0 else "\n\n" + text, nl=False)
    if not found and not errors:
        where = "" if all_namespaces else f" in {session.namespace} namespace."
        click.echo("No resources found" + where, err=True)
    if errors:
        raise AggregateError(errors)

