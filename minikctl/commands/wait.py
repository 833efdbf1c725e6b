"""`minikctl wait --for=...`: block until objects reach a condition, one after another."""

from __future__ import annotations

import time
from typing import Any

import click

from minikctl.command import kube_command
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import expand, get_object, selector_query
from minikctl.flags import GoDuration, bool_flag, filename_options
from minikctl.session import Session
from minikctl.targets import NO_RESOURCES, Target, from_args, from_manifests
from minikctl.terminal import Progress
from minikctl.waiting import (Condition, check_once, met, parse_all, wait_created,
                              wait_for)

HELP = """Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the
Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted
by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been
met. You can use -o option to change to output destination.

 When stdout is a terminal, minikctl shows how many of the objects are done while it waits.

Examples:
  # Wait for the pod "busybox1" to contain the status condition of type "Ready"
  minikctl wait --for=condition=Ready pod/busybox1

  # The default value of status condition is true; you can wait for other targets after an equal delimiter
  minikctl wait --for=condition=Ready=false pod/busybox1

  # Wait for the pod "busybox1" to contain the status phase to be "Running"
  minikctl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1

  # Wait for every pod of the frontend replication controller to be ready
  minikctl wait --for=condition=Ready pods -l name=frontend --timeout=60s

  # Wait for pod "busybox1" to be Ready, by a JSONPath filter
  minikctl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1

  # Wait for the secret "busybox1" to be created, with a timeout of 30s
  minikctl wait --for=create secret/busybox1 --timeout=30s

  # Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
  minikctl delete pod/busybox1 --wait=false
  minikctl wait --for=delete pod/busybox1 --timeout=60s

  # Wait for pod "busybox1" to be created AND reach the "Ready" status condition
  minikctl wait --for=condition=Ready --for=create pod/busybox1"""


def _targets(session: Session, args: list[str], filenames: tuple[str, ...], recursive: bool,
             opts: dict[str, Any]) -> list[Target]:
    if opts["local"] and not filenames:
        raise MinikctlError(NO_RESOURCES.replace(
            "You must provide one or more resources by argument or filename.",
            "you must specify resources by --filename when --local is set.").replace(
            "\n   '<resource> <name>'\n   '<resource>'", ""))
    if filenames:
        from minikctl.manifests import iter_manifests

        return list(from_manifests(session, iter_manifests(filenames, recursive)))
    if not args:
        raise MinikctlError(NO_RESOURCES)
    return from_args(session, args, opts["all_namespaces"])


def _objects(session: Session, targets: list[Target], conditions: list[Condition],
             opts: dict[str, Any]) -> list[tuple[Target, str | None]]:
    """(target, uid) of every object to wait on; with only `delete`, missing ones are done."""
    found: list[tuple[Target, str | None]] = []
    query = selector_query(opts["selector"], opts["field_selector"])
    only_delete = all(c.kind == "delete" for c in conditions)
    for target in targets:
        if target.name is None:
            if not (opts["all"] or opts["selector"] or opts["field_selector"]):
                raise MinikctlError("resource(s) were provided, but no name was specified")
            found.extend((t, str((o.get("metadata") or {}).get("uid") or ""))
                         for t, o in expand(session, target, query))
            continue
        try:
            obj = target.obj if opts["local"] else get_object(session.client, target)
        except ApiError as err:
            if only_delete and err.is_not_found():
                continue
            raise
        found.append((target, str(((obj or {}).get("metadata") or {}).get("uid") or "")))
    return found


def _wait_one(session: Session, target: Target, uid: str | None, condition: Condition,
              deadline: float | None, local: bool) -> None:
    """Returns once the condition holds; raises why it does not (a timeout, an error)."""
    if condition.kind == "create":
        return
    if local:
        if not met(condition, target.obj or {}):
            raise MinikctlError(f"condition not met for {target.resource.plural}/{target.name}")
    elif deadline is None:
        check_once(session, target, condition, uid)
    elif not wait_for(session, target, condition, deadline, uid):
        raise MinikctlError(f"timed out waiting for the condition on "
                            f"{target.resource.plural}/{target.name}")


@kube_command("wait", help=HELP, usage="minikctl wait ([-f FILENAME] | resource.group/resource.name"
              " | resource.group [(-l label | --all)]) [--for=create|--for=delete|"
              "--for condition=available|--for=jsonpath='{}'[=value]] [options]")
@click.argument("args", nargs=-1)
@click.option("--for", "for_", multiple=True,
              help="The condition to wait on: [create|delete|condition=condition-name["
                   "=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The "
                   "default condition-value is true. Condition values are compared after Unicode "
                   "simple case folding, which is a more general form of case-insensitivity. "
                   "Multiple conditions are supported and AND'ed to each other in a sequential "
                   "order. If --for=create is passed, it is always waited first.")
@bool_flag("local", False, "If true, check the conditions on the objects in the files without "
           "contacting the server.")
@click.option("--timeout", type=GoDuration(), default=30.0,
              help="The length of time to wait before giving up. Zero means check once and "
                   "don't wait, negative means wait for a week.")
@click.option("-l", "--selector", default="", help="Selector (label query) to filter on, "
              "supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)")
@click.option("--field-selector", default="", help="Selector (field query) to filter on, "
              "supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The "
              "server only supports a limited number of field queries per type.")
@bool_flag("all", False, "Select all resources in the namespace of the specified resource types")
@bool_flag("all-namespaces", False, "If present, list the requested object(s) across all "
           "namespaces. Namespace in current context is ignored even if specified with "
           "--namespace.", short="-A")
@click.option("-o", "--output", default="", help="Output format. One of: (name).")
@filename_options("identifying the resource.")
@click.pass_obj
def wait(session: Session, /, args: tuple[str, ...], for_: tuple[str, ...], timeout: float,
         filenames: tuple[str, ...], recursive: bool, output: str, **opts: Any) -> None:
    conditions = parse_all(for_)
    targets = _targets(session, list(args), filenames, recursive, opts)
    deadline = None if timeout == 0 else (
        time.monotonic() + (168 * 3600.0 if timeout < 0 else timeout))
    if any(c.kind == "create" for c in conditions) and not opts["local"]:
        query = selector_query(opts["selector"], opts["field_selector"])
        wait_created(session, targets, query, deadline or time.monotonic())
    objects = _objects(session, targets, conditions, opts)
    if not objects and any(c.kind != "delete" for c in conditions):
        raise MinikctlError("no matching resources found")
    errors: list[BaseException] = []
    with Progress(f"waiting for {', '.join(for_)}", len(objects)) as bar:
        for done, (target, uid) in enumerate(objects):
            for condition in conditions:
                try:
                    _wait_one(session, target, uid, condition, deadline, opts["local"])
                except (MinikctlError, ApiError) as err:
                    errors.append(err)
                    break
                bar.echo(f"{target.resource.kind_string}/{target.name}"
                         + ("" if output == "name" else " condition met"))
            bar.update(done + 1)
    if errors:
        raise AggregateError(errors)
