"""`minikctl apply -f`: make the server's objects match manifests, as `kubectl apply` does."""

from __future__ import annotations

from typing import Any

import click

from minikctl.applying import Applier
from minikctl.command import NoOptOption, kube_command
from minikctl.commands.create import dry_run_strategy, field_validation
from minikctl.errors import AggregateError, ApiError, MinikctlError, UsageHintError
from minikctl.flags import GoDuration, bool_flag, dry_run_option, filename_options
from minikctl.manifests import expand_paths, iter_manifests
from minikctl.printing.output import ObjectPrinter, as_list, check_format
from minikctl.session import Session
from minikctl.targets import Target, from_manifest

HELP = """Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted.

 Client-side apply (the default) records the applied manifest in the
kubectl.kubernetes.io/last-applied-configuration annotation and sends a three-way strategic
merge patch computed from the server's OpenAPI schemas, exactly as kubectl does; objects that
already match print "unchanged" and are not written. --server-side sends the manifest as an
apply patch instead.

 Beyond kubectl: --wait also waits until the applied replication controllers (and other
objects with replicas) are ready, with a progress bar when stdout is a terminal.

Examples:
  # Apply the configuration in pod.json to a pod
  minikctl apply -f ./pod.json

  # Apply every manifest in a directory
  minikctl apply -f manifests/guestbook/

  # Apply the JSON passed into stdin to a pod
  cat pod.json | minikctl apply -f -

  # Apply on the server side, taking over fields managed by others
  minikctl apply --server-side --force-conflicts -f rc.yaml

  # Apply, then wait until the replicas are ready
  minikctl apply -f rc.yaml --wait --timeout=60s"""


def _collect(session: Session, filenames: tuple[str, ...],
             recursive: bool) -> tuple[list[Target], list[BaseException]]:
    """Every manifest object first (as kubectl's builder does), errors kept for the end."""
    targets: list[Target] = []
    errors: list[BaseException] = []
    for path in expand_paths(filenames, recursive):
        try:
            for manifest in iter_manifests([path]):
                try:
                    targets.append(from_manifest(session, manifest))
                except MinikctlError as err:
                    errors.append(err)
        except MinikctlError as err:
            errors.append(err)
    return targets, errors


def _body(target: Target) -> dict[str, Any]:
    obj = dict(target.obj or {})
    if target.namespace is not None:
        obj["metadata"] = dict(obj.get("metadata") or {}, namespace=target.namespace)
    return obj


def _check(args: tuple[str, ...], filenames: tuple[str, ...], server_side: bool,
           strategy: str, output: str) -> None:
    if args:
        raise UsageHintError(f"Unexpected args: [{' '.join(args)}]")
    if not filenames:
        raise MinikctlError("must specify one of -f and -k")
    check_format(output)
    if server_side and strategy == "client":
        raise MinikctlError("--dry-run=client doesn't work with --server-side (did you mean "
                            "--dry-run=server instead?)")


@kube_command("apply", help=HELP, usage="minikctl apply (-f FILENAME | -k DIRECTORY) [options]")
@click.argument("args", nargs=-1)
@filename_options("that contains the configuration to apply")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@dry_run_option
@bool_flag("server-side", False, "If true, apply runs in the server instead of the client.")
@bool_flag("force-conflicts", False, "If true, server-side apply will force the changes against "
           "conflicts.")
@click.option("--field-manager", default="kubectl-client-side-apply",
              help="Name of the manager used to track field ownership.")
@click.option("--validate", default="strict", cls=NoOptOption, no_opt_default="strict",
              help="Must be one of: strict (or true), warn, ignore (or false).")
@bool_flag("wait", False, "If true, wait until the applied objects are ready (minikctl: objects "
           "with replicas wait for all of them to be ready).")
@click.option("--timeout", type=GoDuration(), default=0.0,
              help="The length of time to wait before giving up, zero means wait forever.")
@click.pass_context
def apply(ctx: click.Context, /, args: tuple[str, ...], filenames: tuple[str, ...],
          recursive: bool, output: str, dry_run: str, server_side: bool, force_conflicts: bool,
          field_manager: str, validate: str, wait: bool, timeout: float) -> None:
    session: Session = ctx.obj
    strategy = dry_run_strategy(dry_run)
    _check(args, filenames, server_side, strategy, output)
    manager_given = ctx.get_parameter_source("field_manager")
    if server_side and (manager_given is None or manager_given.name == "DEFAULT"):
        field_manager = "kubectl"
    query = {"fieldManager": field_manager, "fieldValidation": field_validation(validate)}
    targets, errors = _collect(session, filenames, recursive)
    if not targets and not errors:
        raise MinikctlError("no objects passed to apply")
    applier = Applier(session, query, strategy, lambda text: click.echo(text, err=True, nl=False))
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    results: list[dict[str, Any]] = []
    for target in targets:
        try:
            body = _body(target)
            obj, verb = (applier.server_side(target, body, force_conflicts) if server_side
                         else applier.client_side(target, body))
        except (ApiError, MinikctlError) as err:
            errors.append(err)
            continue
        results.append(obj)
        if output not in ("yaml", "json"):
            printer.print_result(target.resource.kind_string, str(target.name), verb, strategy,
                                 obj)
    if output in ("yaml", "json") and results:
        printer.print(results[0] if len(results) == 1 else as_list(results, False))
    if errors:
        raise AggregateError(errors)
    if wait and strategy == "none":
        from minikctl.readiness import wait_ready

        wait_ready(session, targets, timeout)
