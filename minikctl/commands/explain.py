"""`minikctl explain TYPE[.FIELD...]`: documentation of a kind or a field, from /openapi/v3."""

from __future__ import annotations

import click

from minikctl.command import kube_command
from minikctl.errors import MinikctlError, PlainError
from minikctl.flags import bool_flag
from minikctl.session import Session

HELP = """Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are
identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]

 Information about each field is retrieved from the server in OpenAPI format.

Examples:
  # Get the documentation of the resource and its fields
  minikctl explain pods

  # Get all the fields in the resource
  minikctl explain pods --recursive

  # Get the explanation for replication controllers in the v1 version
  minikctl explain replicationcontrollers --api-version=v1

  # Get the documentation of a specific field of a resource
  minikctl explain pods.spec.containers"""

OPENAPI_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
NO_TYPE = ('You must specify the type of resource to explain. Use "minikctl api-resources" for a '
           "complete list of supported resources.\n")


@kube_command("explain", help=HELP, usage="minikctl explain TYPE [--recursive=FALSE|TRUE] "
              "[--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2] [options]")
@click.argument("args", nargs=-1)
@bool_flag("recursive", False, "When true, print the name of all the fields recursively. "
           "Otherwise, print the available fields with their description.")
@click.option("--api-version", default="", help="Use given api-version (group/version) of the "
              "resource.")
@click.option("-o", "--output", default="plaintext", help="Format in which to render the "
              "schema (plaintext, plaintext-openapiv2)")
@click.pass_obj
def explain(session: Session, /, args: tuple[str, ...], recursive: bool, api_version: str,
            output: str) -> None:
    from minikctl.explaining import explain as render

    if not args:
        raise MinikctlError(NO_TYPE)
    if len(args) > 1:
        raise MinikctlError("We accept only this format: explain RESOURCE")
    name, *path = args[0].split(".")
    try:
        resource = session.discovery.resolve(name)
    except MinikctlError as err:  # explain alone prints this without "error: "
        raise PlainError(err.message) from None
    if output == "plaintext-openapiv2":  # the server's answer decides, as for kubectl
        from minikctl.client import generic_status
        from minikctl.errors import ApiError

        try:
            session.client.get("/openapi/v2", accept=OPENAPI_V2)
        except ApiError as err:  # kubectl reads no Status from an answer it cannot decode
            raise ApiError(generic_status(err.code, b"")) from None
        raise MinikctlError("minikctl reads only OpenAPI v3; use --output=plaintext")
    if output != "plaintext":
        raise MinikctlError(f"unrecognized format: {output}")
    group, version = resource.group, resource.version
    if api_version:
        group, _, version = api_version.rpartition("/")
        matches = [r for r in session.discovery.resources()
                   if r.plural == resource.plural and r.group == group and r.version == version]
        if not matches:
            raise MinikctlError(f"couldn't find resource for \"{group}/{version}, "
                                f"Resource={resource.plural}\"")
        resource = matches[0]
    document = session.openapi.document(group, version)
    if document is None:
        raise MinikctlError(f"couldn't find resource for \"{resource.group_version}\"")
    text, failure = render(document, group, version, resource.kind, path, recursive)
    click.echo(text, nl=False)
    if failure is not None:
        raise failure
