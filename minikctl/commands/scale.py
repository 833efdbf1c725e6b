"""`minikctl scale`: set spec.replicas through the /scale subresource, as kubectl does.

Without preconditions one merge PATCH `{"spec":{"replicas":N}}` per object; with
`--current-replicas` or `--resource-version`, a GET of /scale, the client-side check (`Expected
replicas to be 5, was 2`), then a PUT of the Scale, retried on Conflict.
"""

from __future__ import annotations

import time
from typing import Any

import click

from minikctl.client import MERGE_PATCH
from minikctl.commands.create import dry_run_strategy
from minikctl.command import kube_command
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import resolve_objects
from minikctl.flags import GoDuration, GoInt, bool_flag, dry_run_option, filename_options
from minikctl.printing.output import ObjectPrinter, check_format
from minikctl.session import Session
from minikctl.targets import Target

HELP = """Set a new size for a deployment, replica set, or replication controller.

 Scale also allows users to specify one or more preconditions for the scale action.

 If --current-replicas or --resource-version is specified, it is validated before the scale is
attempted, and it is guaranteed that the precondition holds true when the scale is sent to the
server.

Examples:
  # Scale a replication controller named 'redis-slave' to 3
  minikctl scale rc redis-slave --replicas=3

  # Scale a resource identified by type and name specified in "foo.yaml" to 3
  minikctl scale --replicas=3 -f foo.yaml

  # If the replication controller named frontend's current size is 2, scale it to 3
  minikctl scale --current-replicas=2 --replicas=3 rc/frontend

  # Scale multiple replication controllers
  minikctl scale --replicas=5 rc/example1 rc/example2 rc/example3

  # Scale up and wait (at most two minutes) until every new replica is ready
  minikctl scale rc frontend --replicas=5 --wait --timeout=2m"""

# kubectl retries a scale that met a Conflict every second for five minutes, and polls /scale
# every second while it waits (we poll faster; the outcome is the same).
RETRY_INTERVAL = 1.0
RETRY_TIMEOUT = 300.0
WAIT_INTERVAL = 0.2


def _precondition_error(what: str, expected: Any, actual: Any) -> MinikctlError:
    return MinikctlError(f"Expected {what} to be {expected}, was {actual}")


def _scale_with_preconditions(session: Session, target: Target, replicas: int, current: int,
                              resource_version: str, query: dict[str, str]) -> None:
    path = target.resource.path(target.namespace, target.name, "scale")
    what = f"put {target.resource.qualified_plural} {target.name}"
    deadline = time.monotonic() + RETRY_TIMEOUT
    while True:
        scale: dict[str, Any] = session.client.get(path, what=what) or {}
        actual = int((scale.get("spec") or {}).get("replicas") or 0)
        if current != -1 and actual != current:
            raise _precondition_error("replicas", current, actual)
        version = str((scale.get("metadata") or {}).get("resourceVersion") or "")
        if resource_version and version != resource_version:
            raise _precondition_error("resource version", resource_version, version)
        scale["spec"] = dict(scale.get("spec") or {}, replicas=replicas)
        try:
            session.client.request("PUT", path, query=query, body=scale, what=what)
            return
        except ApiError as err:
            if err.reason != "Conflict":
                raise
        if time.monotonic() + RETRY_INTERVAL > deadline:
            raise MinikctlError("timed out waiting for the condition")
        time.sleep(RETRY_INTERVAL)


def _wait_for_replicas(session: Session, target: Target, replicas: int, timeout: float) -> None:
    """kubectl's --timeout: poll /scale until spec and status agree on the new size, or until
    someone else has changed spec.replicas again (then there is nothing left to wait for)."""
    path = target.resource.path(target.namespace, target.name, "scale")
    deadline = time.monotonic() + timeout
    while True:
        scale = session.client.get(path) or {}
        spec = int((scale.get("spec") or {}).get("replicas") or 0)
        if spec != replicas or int((scale.get("status") or {}).get("replicas") or 0) == replicas:
            return
        if time.monotonic() >= deadline:
            raise MinikctlError(f'timed out waiting for "{target.name}" to be synced')
        time.sleep(min(WAIT_INTERVAL, max(0.0, deadline - time.monotonic())))


def _scale(session: Session, target: Target, opts: dict[str, Any], query: dict[str, str]) -> None:
    if opts["current_replicas"] != -1 or opts["resource_version"]:
        _scale_with_preconditions(session, target, opts["replicas"], opts["current_replicas"],
                                  opts["resource_version"], query)
    else:
        session.client.request(
            "PATCH", target.resource.path(target.namespace, target.name, "scale"), query=query,
            body={"spec": {"replicas": opts["replicas"]}}, content_type=MERGE_PATCH,
            what=f"patch {target.resource.qualified_plural} {target.name}")
    if opts["timeout"] > 0 and not query and not opts["wait"]:
        _wait_for_replicas(session, target, opts["replicas"], opts["timeout"])


@kube_command("scale", help=HELP, usage="minikctl scale [--resource-version=version] "
              "[--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]")
@click.argument("args", nargs=-1)
@click.option("--replicas", type=GoInt(), required=True,
              help="The new desired number of replicas. Required.")
@click.option("--current-replicas", type=GoInt(), default=-1,
              help="Precondition for current size. Requires that the current size of the "
                   "resource match this value in order to scale. -1 (default) for no condition.")
@click.option("--resource-version", default="",
              help="Precondition for resource version. Requires that the current resource "
                   "version match this value in order to scale.")
@click.option("-l", "--selector", default="", help="Selector (label query) to filter on.")
@bool_flag("all", False, "Select all resources in the namespace of the specified resource types")
@click.option("--timeout", type=GoDuration(), default=0.0,
              help="The length of time to wait before giving up on a scale operation, zero "
                   "means don't wait. Any other values should contain a corresponding time unit "
                   "(e.g. 1s, 2m, 3h).")
@bool_flag("wait", False, "Beyond kubectl: after scaling, wait until every scaled object has "
           "all its replicas ready (bounded by --timeout, a week when zero), with a progress bar "
           "on a terminal.")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@dry_run_option
@filename_options("identifying the resource to set a new size")
@click.pass_obj
def scale(session: Session, /, args: tuple[str, ...], selector: str, filenames: tuple[str, ...],
          recursive: bool, output: str, dry_run: str, **opts: Any) -> None:
    if opts["replicas"] < 0:
        raise MinikctlError("The --replicas=COUNT flag is required, and COUNT must be greater "
                            "than or equal to 0")
    check_format(output)
    strategy = dry_run_strategy(dry_run)
    objects, errors = resolve_objects(session, list(args), filenames, recursive, selector,
                                      opts["all"], strict_all=False)
    if opts["resource_version"] and len(objects) > 1:
        raise MinikctlError("cannot use --resource-version with multiple resources")
    if not objects and not errors:
        raise MinikctlError("no objects passed to scale")
    query = {"dryRun": "All"} if strategy == "server" else {}
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    for target, obj in objects:
        try:
            if strategy != "client":
                _scale(session, target, opts, query)
        except (ApiError, MinikctlError) as err:
            errors.append(err)  # kubectl stops at the first object it fails to scale
            break
        if output in ("yaml", "json"):
            printer.print(obj)
        else:
            printer.print_result(target.resource.kind_string, str(target.name), "scaled",
                                 strategy, obj)
    if errors:
        raise AggregateError(errors)
    if opts["wait"] and strategy == "none":
        from minikctl.readiness import wait_ready

        wait_ready(session, [t for t, _ in objects], opts["timeout"])
