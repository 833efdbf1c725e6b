"""`minikctl version`: the client's version (kubectl 1.37 compatible) and the server's /version,
with kubectl's layout, -o json|yaml and its version-skew warning."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.errors import MinikctlError
from minikctl.flags import bool_flag

HELP = """Print the client and server version information for the current context.

 minikctl speaks kubectl 1.37's dialect, so it reports itself as v1.37.1-minikctl; it has no
Kustomize.

Examples:
  # Print the client and server versions for the current context
  minikctl version

  # Print only the client version, as JSON
  minikctl version --client -o json"""

CLIENT = {"major": "1", "minor": "37", "gitVersion": "v1.37.1-minikctl", "gitCommit": "",
          "gitTreeState": "", "buildDate": "", "goVersion": "", "compiler": "cpython",
          "platform": "linux/amd64"}
SUPPORTED_SKEW = 1


def _skew_warning(server: dict[str, Any]) -> str | None:
    try:
        minor = int(str(server.get("minor") or "").rstrip("+"))
    except ValueError:
        return None
    if str(server.get("major")) == "1" and abs(minor - 37) > SUPPORTED_SKEW:
        return (f"WARNING: version difference between client (1.37) and server (1.{minor}) "
                f"exceeds the supported minor version skew of +/-1")
    return None


@kube_command("version", help=HELP, usage="minikctl version [flags] [options]")
@bool_flag("client", False, "If true, shows client version only (no server required).")
@click.option("-o", "--output", default="", help="One of 'yaml' or 'json'.")
@click.pass_obj
def version(session: Any, /, client: bool, output: str) -> None:
    if output not in ("", "json", "yaml"):
        raise MinikctlError("--output must be 'yaml' or 'json'")
    doc: dict[str, Any] = {"clientVersion": CLIENT}
    server: dict[str, Any] | None = None
    if not client:
        server = session.client.get("/version", accept="application/json, */*") or {}
        doc["serverVersion"] = server
    if output == "json":
        from minikctl.printing.jsonout import to_json

        click.echo(to_json(doc, ordered=True, step="  "), nl=False)
    elif output == "yaml":
        from minikctl.printing.yamlout import to_yaml

        click.echo(to_yaml(doc) + "\n", nl=False)
    else:
        click.echo(f"Client Version: {CLIENT['gitVersion']}")
        if server is not None:
            click.echo(f"Server Version: {server.get('gitVersion', '')}")
    warning = _skew_warning(server) if server is not None else None
    if warning:
        click.echo(warning, err=True)
