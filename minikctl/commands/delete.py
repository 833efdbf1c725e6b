"""`minikctl delete`: one DELETE per object with kubectl's DeleteOptions body, then wait.

Names are deleted without a GET first; `-l` and `--all` LIST and delete each item (never a
deletecollection). After the deletes, minikctl waits (by default, like kubectl) until every
deleted object is gone: a GET answering NotFound, or an object with another uid.
"""

from __future__ import annotations

import time
from typing import Any

import click

from minikctl.command import NoOptOption, kube_command
from minikctl.commands.create import dry_run_strategy
from minikctl.errors import AggregateError, ApiError, MinikctlError, with_source
from minikctl.fetch import expand, selector_query
from minikctl.flags import GoDuration, GoInt, bool_flag, dry_run_option, filename_options
from minikctl.session import Session
from minikctl.targets import Target, select
from minikctl.terminal import Progress

HELP = """Delete resources by file names, stdin, resources and names, or by resources and label selector.

 JSON and YAML formats are accepted. Only one type of argument may be specified: file names,
resources and names, or resources and label selector.

 By default minikctl waits until the deleted objects are gone (--wait=true); --timeout bounds
the wait (zero means a week, as in kubectl). Dependents of a deleted object are removed by the
server's garbage collector according to --cascade.

Examples:
  # Delete a replication controller using the type and name specified in rc.yaml
  minikctl delete -f rc.yaml

  # Delete a replication controller and a service by type and name
  minikctl delete rc/redis-master svc/redis-master

  # Delete pods and services with label name=myLabel
  minikctl delete pods,services -l name=myLabel

  # Delete a pod with minimal delay
  minikctl delete pod foo --now

  # Delete all pods, leaving the objects they own
  minikctl delete pods --all --cascade=orphan"""

WEEK = 168 * 3600.0
POLL_START, POLL_MAX = 0.05, 0.5
_POLICIES = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}


def _policy(cascade: str) -> str:
    value = {"true": "background", "false": "orphan"}.get(cascade, cascade)
    if value not in _POLICIES:
        raise MinikctlError(f'invalid cascade value ({cascade}). Must be "background", '
                            f'"foreground", or "orphan"')
    return _POLICIES[value]


def _grace_period(opts: dict[str, Any]) -> int:
    """kubectl's rules: --now is 1 s; 0 without --force becomes 1; --force alone means 0."""
    grace = opts["grace_period"]
    if opts["now"]:
        if grace != -1:
            raise MinikctlError("--now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not opts["force"]:
        grace = 1
    if opts["force"] and grace < 0:
        grace = 0
    if opts["force"] and grace > 0:
        raise MinikctlError("--force and --grace-period greater than 0 cannot be specified "
                            "together")
    return int(grace)


def _message(target: Target, grace: int, dry_run: str, output: str) -> str:
    kind = target.resource.kind_string
    if output == "name":
        return f"{kind}/{target.name}\n"
    operation = "force deleted" if grace == 0 else "deleted"
    where = f" from {target.namespace} namespace" if target.namespace else ""
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
    return f'{kind} "{target.name}" {operation}{where}{suffix}\n'


def _delete(session: Session, target: Target, body: dict[str, Any]) -> str | None:
    """DELETE one object; the uid of what was deleted, if the server says."""
    what = f"delete {target.resource.qualified_plural} {target.name}"
    answer = session.client.request("DELETE", target.path, body=body, what=what).json()
    if isinstance(answer, dict):
        holder = answer.get("details") if answer.get("kind") == "Status" else answer.get("metadata")
        if isinstance(holder, dict) and holder.get("uid"):
            return str(holder["uid"])
    return None


def _gone(session: Session, target: Target, uid: str | None) -> bool:
    try:
        live = session.client.get(target.path) or {}
    except ApiError as err:
        if err.is_not_found():
            return True
        raise
    return uid is not None and (live.get("metadata") or {}).get("uid") != uid


def _wait_one(session: Session, target: Target, uid: str | None, deadline: float,
              errors: list[BaseException]) -> None:
    pause = POLL_START
    try:
        while not _gone(session, target, uid):
            if time.monotonic() >= deadline:
                errors.append(MinikctlError(f"timed out waiting for the condition on "
                                            f"{target.resource.plural}/{target.name}"))
                return
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
    except ApiError as err:
        if err.reason not in ("Forbidden", "MethodNotAllowed"):
            errors.append(err)


def _wait(session: Session, deleted: list[tuple[Target, str | None]], timeout: float) -> None:
    """Poll until each object is gone, backing off to POLL_MAX; bounded by `timeout`."""
    deadline = time.monotonic() + (timeout or WEEK)
    errors: list[BaseException] = []
    with Progress("waiting for deletion", len(deleted)) as bar:
        for done, (target, uid) in enumerate(deleted):
            _wait_one(session, target, uid, deadline, errors)
            bar.update(done + 1)
    if errors:
        raise AggregateError(errors)


def _visit(session: Session, targets: list[Target], query: dict[str, str],
           all_namespaces: bool) -> tuple[list[Target], list[BaseException]]:
    """Named targets as they are; collections listed into one target per object."""
    out: list[Target] = []
    errors: list[BaseException] = []
    for target in targets:
        if target.name is not None:
            out.append(target)
            continue
        if target.obj is not None:  # a manifest without a name
            errors.append(MinikctlError("resource name may not be empty"))
            continue
        if all_namespaces:
            target = Target(target.resource, None, None)
        try:
            out.extend(t for t, _ in expand(session, target, query))
        except ApiError as err:
            errors.append(err)
    return out, errors


def _check(opts: dict[str, Any], selector: str, field_selector: str, output: str) -> None:
    if output and output != "name":
        raise MinikctlError(f"unexpected -o output mode: {output}. We only support '-o name'")
    if opts["all"] and (selector or field_selector):
        raise MinikctlError("setting 'all' parameter but found a non empty selector. ")


@kube_command("delete", help=HELP, usage="minikctl delete ([-f FILENAME] | TYPE [(NAME | -l "
              "label | --all)]) [options]")
@click.argument("args", nargs=-1)
@filename_options("containing the resource to delete.")
@click.option("-l", "--selector", default="", help="Selector (label query) to filter on.")
@click.option("--field-selector", default="", help="Selector (field query) to filter on.")
@bool_flag("all", False, "Delete all resources, in the namespace of the specified resource types.")
@bool_flag("all-namespaces", False, "If present, list the requested object(s) across all "
           "namespaces.", short="-A")
@bool_flag("ignore-not-found", False, 'Treat "resource not found" as a successful delete. '
           "Defaults to \"true\" when --all is specified.")
@click.option("--cascade", default="background", cls=NoOptOption, no_opt_default="background",
              help='Must be "background", "orphan", or "foreground". Defaults to background.')
@click.option("--grace-period", type=GoInt(), default=-1,
              help="Period of time in seconds given to the resource to terminate gracefully. "
                   "Ignored if negative. Set to 1 for immediate shutdown.")
@bool_flag("force", False, "If true, immediately remove resources from API and bypass graceful "
           "deletion.")
@bool_flag("now", False, "If true, resources are signaled for immediate shutdown (same as "
           "--grace-period=1).")
@bool_flag("wait", True, "If true, wait for resources to be gone before returning.")
@click.option("--timeout", type=GoDuration(), default=0.0,
              help="The length of time to wait before giving up on a delete, zero means "
                   "determine a timeout from the size of the object")
@click.option("-o", "--output", default="", help='Output mode. Use "-o name" for shorter output '
              "(resource/name).")
@dry_run_option
@click.pass_context
def delete(ctx: click.Context, /, args: tuple[str, ...], filenames: tuple[str, ...],
           recursive: bool, selector: str, field_selector: str, output: str, dry_run: str,
           **opts: Any) -> None:
    session: Session = ctx.obj
    _check(opts, selector, field_selector, output)
    policy, strategy, grace = _policy(opts["cascade"]), dry_run_strategy(dry_run), _grace_period(opts)
    source = ctx.get_parameter_source("ignore_not_found")
    ignore = opts["ignore_not_found"] or ((opts["all"] or bool(selector or field_selector))
                                          and (source is None or source.name == "DEFAULT"))
    if opts["force"] and grace == 0:
        click.echo("Warning: Immediate deletion does not wait for confirmation that the running "
                   "resource has been terminated. The resource may continue to run on the "
                   "cluster indefinitely.", err=True)
    targets = select(session, list(args), filenames, recursive, selector or field_selector,
                     opts["all"])
    query = selector_query(selector, field_selector)
    found, errors = _visit(session, targets, query, opts["all_namespaces"])
    body: dict[str, Any] = {"gracePeriodSeconds": grace} if grace >= 0 else {}
    body["propagationPolicy"] = policy
    if strategy == "server":
        body["dryRun"] = ["All"]
    warn_scope = session.namespace_explicit and not opts["all_namespaces"]
    deleted: list[tuple[Target, str | None]] = []
    for target in found:
        if warn_scope and not target.resource.namespaced:
            click.echo("Warning: deleting cluster-scoped resources, not scoped to the provided "
                       "namespace", err=True)
            warn_scope = False
        try:
            uid = None if strategy == "client" else _delete(session, target, body)
        except ApiError as err:
            errors.append(with_source("deleting", target.source, err))
            deleted.append((target, None))
            continue
        deleted.append((target, uid))
        click.echo(_message(target, grace, strategy, output), nl=False)
    errors = [e for e in errors if not (ignore and isinstance(e, ApiError) and e.is_not_found())]
    if errors:
        raise AggregateError(errors)
    if not found:
        click.echo("No resources found")
        return
    if opts["wait"] and strategy == "none":
        _wait(session, deleted, opts["timeout"])
