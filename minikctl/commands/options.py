"""`minikctl options`: the flags every command accepts."""

from __future__ import annotations

import click

from minikctl.command import kube_command

HELP = """Print the list of flags inherited by all commands.

Examples:
  # Print flags inherited by all commands
  minikctl options"""


@kube_command("options", help=HELP, usage="minikctl options [flags] [options]")
def options() -> None:
    from minikctl.cli import global_help

    click.echo(global_help(), nl=False)
