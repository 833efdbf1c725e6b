"""`minikctl patch`: a strategic merge, JSON merge or JSON patch sent to the server as given
(YAML accepted), one object at a time; `patched` or `patched (no change)` as kubectl decides it,
by comparing the object before and after. --dry-run=client and --local apply it locally."""

from __future__ import annotations

import copy
from typing import Any

import click

from minikctl.command import kube_command
from minikctl.commands.create import dry_run_strategy
from minikctl.errors import AggregateError, ApiError, MinikctlError
from minikctl.fetch import get_object, what_of
from minikctl.flags import bool_flag, dry_run_option, filename_options
from minikctl.printing.output import ObjectPrinter, kind_string_of
from minikctl.session import Session
from minikctl.strategic.values import deep_equal
from minikctl.targets import Target, from_args, from_manifests

HELP = """Update fields of a resource using strategic merge patch, a JSON merge patch, or a JSON patch.

 JSON and YAML formats are accepted.

Examples:
  # Partially update a node using a strategic merge patch, specifying the patch as JSON
  minikctl patch node node-1 -p '{"spec":{"unschedulable":true}}'

  # Partially update a node using a strategic merge patch, specifying the patch as YAML
  minikctl patch node node-1 -p $'spec:\\n unschedulable: true'

  # Partially update a node identified by the type and name specified in "node.json" using strategic merge patch
  minikctl patch -f node.json -p '{"spec":{"unschedulable":true}}'

  # Update a container's image; spec.containers[*].name is required because it's a merge key
  minikctl patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'

  # Update a container's image using a JSON patch with positional arrays
  minikctl patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'

  # Update a replication controller's replicas through the 'scale' subresource using a merge patch
  minikctl patch rc web --subresource='scale' --type='merge' -p '{"spec":{"replicas":2}}'"""

TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
         "strategic": "application/strategic-merge-patch+json"}


def _patch_text(patch: str, patch_file: str) -> Any:
    from minikctl.yamlin import load_yaml_value

    if patch and patch_file:
        raise MinikctlError("cannot specify --patch and --patch-file together")
    if not patch and not patch_file:
        raise MinikctlError("must specify --patch or --patch-file containing the contents of the "
                            "patch")
    text = patch
    if patch_file:
        try:
            with open(patch_file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as err:
            raise MinikctlError(f"unable to read patch file: open {patch_file}: "
                                f"{(err.strerror or '').lower()}") from None
    if text.lstrip().startswith("{"):  # kubectl sends what looks like JSON untouched
        return text.encode()
    try:
        return load_yaml_value(text)
    except Exception as err:  # noqa: BLE001 - any YAML failure is kubectl's "unable to parse"
        raise MinikctlError(f'unable to parse "{patch}": {err}') from None


def _local(session: Session, target: Target, obj: dict[str, Any], kind: str,
           body: Any) -> dict[str, Any]:
    """kubectl's getPatchedJSON: the patch applied on the client."""
    import json

    from minikctl.jsonpatch import apply_json_patch, merge_patch

    if isinstance(body, bytes):
        try:
            body = json.loads(body)
        except ValueError as err:
            raise MinikctlError(f"unable to parse the patch: {err}") from None

    if kind == "json":
        return apply_json_patch(copy.deepcopy(obj), body)
    if kind == "merge":
        return merge_patch(copy.deepcopy(obj), body)
    from minikctl.strategic import SchemaLookup
    from minikctl.strategic.merge import MergeOptions, merge_map

    res = target.resource
    schema = session.openapi.kind_schema(res.group, res.version, res.kind)
    if schema is None:
        raise MinikctlError(f"strategic merge patch is not supported for {res.group}/"
                            f"{res.version}, Kind={res.kind} locally, try --type merge")
    return merge_map(copy.deepcopy(obj), copy.deepcopy(body),
                     SchemaLookup(schema, session.openapi.schemas(res.group, res.version)),
                     MergeOptions(parallel_lists=True, ignore_unmatched_nulls=True))


@kube_command("patch", help=HELP, usage="minikctl patch (-f FILENAME | TYPE NAME) [-p PATCH|"
              "--patch-file FILE] [options]")
@click.argument("args", nargs=-1)
@click.option("-p", "--patch", default="", help="The patch to be applied to the resource JSON "
              "file.")
@click.option("--patch-file", default="", help="A file containing a patch to be applied to the "
              "resource.")
@click.option("--type", "kind", default="strategic", help="The type of patch being provided; one "
              "of [json merge strategic]")
@click.option("--subresource", default="", help="If specified, patch will operate on the "
              "subresource of the requested object.")
@bool_flag("local", False, "If true, patch will operate on the content of the file, not the "
           "server-side resource.")
@click.option("--field-manager", default="kubectl-patch",
              help="Name of the manager used to track field ownership.")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@dry_run_option
@filename_options("identifying the resource to update")
@click.pass_obj
def patch(session: Session, /, args: tuple[str, ...], patch: str, patch_file: str, kind: str,
          subresource: str, local: bool, field_manager: str, output: str, dry_run: str,
          filenames: tuple[str, ...], recursive: bool) -> None:
    strategy = dry_run_strategy(dry_run)
    body = _patch_text(patch, patch_file)
    if local and args:
        raise MinikctlError("cannot specify --local and server resources")
    if kind.lower() not in TYPES:
        raise MinikctlError(f'--type must be one of [json merge strategic], not "{kind}"')
    kind = kind.lower()  # a bad -o is only found when printing, after the patch (as kubectl)
    if filenames:
        from minikctl.manifests import iter_manifests

        targets = list(from_manifests(session, iter_manifests(filenames, recursive)))
    elif len(args) == 1 and "/" not in args[0]:
        raise MinikctlError("resource(s) were provided, but no name was specified")
    else:
        targets = from_args(session, list(args))
    if not targets:
        raise MinikctlError("no objects passed to patch")
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    errors: list[BaseException] = []
    for target in targets:
        try:
            _one(session, target, body, kind, subresource, local or strategy == "client",
                 strategy, field_manager, printer)
        except ApiError as err:
            errors.append(err)
    if errors:
        raise AggregateError(errors)


def _one(session: Session, target: Target, body: Any, kind: str, subresource: str,
         locally: bool, strategy: str, manager: str, printer: ObjectPrinter) -> None:
    path = target.resource.path(target.namespace, target.name, subresource or None)
    if target.obj is not None:  # kubectl compares with the manifest it was given
        before = target.obj
    elif subresource:
        before = session.client.get(path, what=what_of("get", target)) or {}
    else:
        before = get_object(session.client, target)
    if locally:
        after = _local(session, target, before, kind, body)
    else:
        query = {"fieldManager": manager}
        if strategy == "server":
            query["dryRun"] = "All"
        after = session.client.request("PATCH", path, query=query, body=body,
                                       content_type=TYPES[kind]).json() or {}
    if printer.output in ("yaml", "json"):
        printer.print(after)
        return
    verb = "patched" if not deep_equal(before, after) else "patched (no change)"
    # kubectl names the kind of the object it got back (a Scale for --subresource=scale) and
    # adds no dry-run suffix to `patched`
    kind = kind_string_of(after) if after.get("kind") else target.resource.kind_string
    printer.print_result(kind, str(target.name), verb, obj=after)
