"""`minikctl api-resources` and `minikctl api-versions`, both read from fresh discovery (the
cache is refreshed, as kubectl refreshes it, unless --cached)."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.errors import MinikctlError, UsageHintError
from minikctl.flags import bool_flag
from minikctl.printing.tabwriter import TabWriter
from minikctl.resources import Resource
from minikctl.session import Session

RESOURCES_HELP = """Print the supported API resources on the server.

Examples:
  # Print the supported API resources
  minikctl api-resources

  # Print the supported API resources with more information
  minikctl api-resources -o wide

  # Print the supported API resources sorted by a column
  minikctl api-resources --sort-by=name

  # Print the supported namespaced resources
  minikctl api-resources --namespaced=true

  # Print the supported non-namespaced resources
  minikctl api-resources --namespaced=false

  # Print the supported API resources with a specific APIGroup
  minikctl api-resources --api-group=discovery.k8s.io"""

VERSIONS_HELP = """Print the supported API versions on the server, in the form of "group/version".

Examples:
  # Print the supported API versions
  minikctl api-versions"""


def _selected(session: Session, opts: dict[str, Any]) -> list[Resource]:
    if not opts["cached"]:
        session.discovery.refresh()
    found = [r for r in session.discovery.resources() if r.preferred]
    if opts["api_group"] is not None:
        found = [r for r in found if r.group == opts["api_group"]]
    source = click.get_current_context().get_parameter_source("namespaced")
    if source is not click.core.ParameterSource.DEFAULT:  # only a given flag filters
        found = [r for r in found if r.namespaced == opts["namespaced"]]
    verbs = [v for spec in opts["verbs"] for v in spec.split(",") if v]
    found = [r for r in found if all(v in r.verbs for v in verbs)]
    categories = [c for spec in opts["categories"] for c in spec.split(",") if c]
    found = [r for r in found if all(c in r.categories for c in categories)]
    by_group: dict[str, list[Resource]] = {}
    for resource in found:
        by_group.setdefault(resource.group, []).append(resource)
    ordered = [r for group in by_group.values() for r in sorted(group, key=lambda r: r.plural)]
    if opts["sort_by"] == "name":
        ordered.sort(key=lambda r: r.plural)
    elif opts["sort_by"] == "kind":
        ordered.sort(key=lambda r: r.kind)
    return ordered


def _entry(resource: Resource) -> dict[str, Any]:
    """A metav1.APIResource in its struct field order."""
    entry: dict[str, Any] = {"name": resource.plural, "singularName": resource.singular,
                             "namespaced": resource.namespaced}
    if resource.group:
        entry["group"] = resource.group
    entry.update(version=resource.version, kind=resource.kind, verbs=list(resource.verbs))
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    return entry


def _table(resources: list[Resource], wide: bool, no_headers: bool) -> None:
    writer = TabWriter(lambda text: click.echo(text, nl=False))
    columns = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if wide:
        columns += ["VERBS", "CATEGORIES"]
    if not no_headers:
        writer.write("\t".join(columns) + "\n")
    for res in resources:
        cells = [res.plural, ",".join(res.short_names), res.group_version,
                 "true" if res.namespaced else "false", res.kind]
        if wide:
            cells += [",".join(res.verbs), ",".join(res.categories)]
        writer.write("\t".join(cells) + "\n")
    writer.flush()


def _no_args(args: tuple[str, ...]) -> None:
    if args:
        raise UsageHintError(f"unexpected arguments: [{' '.join(args)}]")


@kube_command("api-resources", help=RESOURCES_HELP, usage="minikctl api-resources [flags] "
              "[options]")
@click.option("-o", "--output", default="", help="Output format. One of: (json, name, wide, "
              "yaml).")
@click.option("--api-group", default=None, help="Limit to resources in the specified API group.")
@bool_flag("namespaced", True, "If false, non-namespaced resources will be returned, otherwise "
           "returning namespaced resources by default.")
@click.option("--verbs", multiple=True, help="Limit to resources that support the specified "
              "verbs.")
@click.option("--categories", multiple=True, help="Limit to resources that belong to the "
              "specified categories.")
@click.option("--sort-by", default="", help="If non-empty, sort list of resources using "
              "specified field. The field can be either 'name' or 'kind'.")
@bool_flag("no-headers", False, "When using the default or custom-column output format, don't "
           "print headers (default print headers).")
@bool_flag("cached", False, "Use the cached list of resources if available.")
@click.argument("args", nargs=-1)
@click.pass_obj
def api_resources(session: Session, /, args: tuple[str, ...], output: str, **opts: Any) -> None:
    _no_args(args)
    if output not in ("", "wide", "name", "json", "yaml"):
        raise MinikctlError(f'unable to match a printer suitable for the output format '
                            f'"{output}", allowed formats are: json,kyaml,name,wide,yaml')
    if opts["sort_by"] not in ("", "name", "kind"):
        raise MinikctlError("--sort-by accepts only name or kind")
    resources = _selected(session, opts)
    if output == "name":
        for res in resources:
            click.echo(f"{res.plural}.{res.group}" if res.group else res.plural)
    elif output in ("json", "yaml"):
        doc = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "",
               "resources": [_entry(r) for r in resources]}
        from minikctl.printing.output import ObjectPrinter

        ObjectPrinter(output, lambda text: click.echo(text, nl=False)).print(doc, ordered=True)
    else:
        _table(resources, output == "wide", opts["no_headers"])


@kube_command("api-versions", help=VERSIONS_HELP, usage="minikctl api-versions [options]")
@click.argument("args", nargs=-1)
@click.pass_obj
def api_versions(session: Session, /, args: tuple[str, ...]) -> None:
    _no_args(args)
    session.discovery.refresh()
    versions = sorted({r.group_version for r in session.discovery.resources()})
    for version in versions:
        click.echo(version)
