"""`minikctl create -f`: one POST per manifest object, in file order."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import NoOptOption, kube_command
from minikctl.errors import AggregateError, ApiError, MinikctlError, UsageHintError, with_source
from minikctl.flags import dry_run_option, filename_options
from minikctl.manifests import expand_paths, iter_manifests
from minikctl.printing.output import ObjectPrinter, check_format
from minikctl.session import Session
from minikctl.targets import Target, from_manifest

HELP = """Create a resource from a file or from stdin.

 JSON and YAML formats are accepted; a file may hold several YAML documents separated by
"---" or a List. Objects are created in file order; when one fails the others are still
created, and minikctl exits 1 at the end.

Examples:
  # Create a replication controller using the data in redis-master-controller.yaml
  minikctl create -f redis-master-controller.yaml

  # Create everything described by the manifests in a directory
  minikctl create -f manifests/guestbook/

  # Create a pod based on the JSON passed into stdin
  cat pod.json | minikctl create -f -

  # Show the object that would be created, without creating it
  minikctl create -f rc.yaml --dry-run=client -o yaml"""

_VALIDATION = {"strict": "Strict", "true": "Strict", "warn": "Warn", "ignore": "Ignore",
               "false": "Ignore"}


def dry_run_strategy(value: str) -> str:
    """kubectl's --dry-run values; a bare `--dry-run` is the deprecated spelling of client."""
    if value == "unchanged":
        click.echo("warning: --dry-run is deprecated and can be replaced with --dry-run=client.",
                   err=True)
        return "client"
    if value not in ("none", "client", "server"):
        raise MinikctlError(f'Invalid dry-run value ({value}). Must be "none", "server", or '
                            f'"client".')
    return value


def field_validation(value: str) -> str:
    try:
        return _VALIDATION[value.lower()]
    except KeyError:
        raise MinikctlError(f'invalid - validate option "{value}"; must be one of: strict (or '
                            f"true), warn, ignore (or false)") from None


def _body(target: Target) -> dict[str, Any]:
    """The manifest as sent: the namespace filled in for namespaced kinds."""
    obj = dict(target.obj or {})
    if target.namespace is not None:
        obj["metadata"] = dict(obj.get("metadata") or {}, namespace=target.namespace)
    return obj


def _create_one(session: Session, target: Target, query: dict[str, str], dry_run: str,
                printer: ObjectPrinter) -> None:
    body = _body(target)
    if dry_run == "client":
        created = body
    else:
        path = target.resource.path(target.namespace)
        created = session.client.request("POST", path, query=query, body=body).json() or body
    if printer.output in ("yaml", "json"):
        printer.print(created)
    else:
        name = str((created.get("metadata") or {}).get("name") or target.name or "")
        printer.print_result(target.resource.kind_string, name, "created", dry_run, created)


@kube_command("create", help=HELP, usage="minikctl create -f FILENAME [options]")
@click.argument("args", nargs=-1)
@filename_options("to use to create the resource")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@dry_run_option
@click.option("--validate", default="strict", cls=NoOptOption, no_opt_default="strict",
              help="Must be one of: strict (or true), warn, ignore (or false). The server checks "
                   "fields in the chosen mode.")
@click.option("--field-manager", default="kubectl-create",
              help="Name of the manager used to track field ownership.")
@click.pass_obj
def create(session: Session, args: tuple[str, ...], filenames: tuple[str, ...], recursive: bool,
           output: str, dry_run: str, validate: str, field_manager: str) -> None:
    if args:
        raise UsageHintError(f"Unexpected args: [{' '.join(args)}]")
    if not filenames:
        raise MinikctlError("must specify one of -f and -k")
    check_format(output)
    strategy = dry_run_strategy(dry_run)
    query = {"fieldManager": field_manager, "fieldValidation": field_validation(validate)}
    if strategy == "server":
        query["dryRun"] = "All"
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    errors: list[BaseException] = []
    count = 0
    for path in expand_paths(filenames, recursive):
        try:
            for manifest in iter_manifests([path]):
                count += 1
                try:
                    target = from_manifest(session, manifest)
                    _create_one(session, target, query, strategy, printer)
                except ApiError as err:
                    errors.append(with_source("creating", manifest.source, err))
                except MinikctlError as err:
                    errors.append(err)
        except MinikctlError as err:  # the file itself is broken: its later documents are lost
            errors.append(err)
    if errors:
        raise AggregateError(errors)
    if count == 0:
        raise MinikctlError("no objects passed to create")
