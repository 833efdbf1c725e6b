"""`minikctl exec POD -- COMMAND`: finds the pod and container as kubectl does, with its
messages and errors, then asks the pod's `exec` subresource. minik's nodes are simulated, so the
server refuses with a Status that says why, printed as kubectl prints a refused upgrade. minikctl
cannot stream to a container, so a server that would run the command gets a plain refusal."""

from __future__ import annotations

import sys
from typing import Any

import click

from minikctl.command import KubeCommand
from minikctl.errors import ApiError, MinikctlError, UsageHintError
from minikctl.flags import GoDuration, bool_flag
from minikctl.pods import choose_container, pod_for
from minikctl.session import Session

HELP = """Execute a command in a container.

 minik runs pods on simulated nodes: their containers have no processes, so the server refuses
to run the command and says why.

Examples:
  # Get output from running the 'date' command from pod mypod, using the first container by default
  minikctl exec mypod -- date

  # Get output from running the 'date' command in ruby-container from pod mypod
  minikctl exec mypod -c ruby-container -- date

  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  minikctl exec mypod -c ruby-container -i -t -- bash -il

  # Get output from running 'date' command from the first pod of the replication controller frontend
  minikctl exec rc/frontend -- date"""

COMMAND_KEY = "minikctl.exec.command"
STREAMS = ("minikctl cannot stream to containers; use kubectl to exec into container {container} "
           "of pod {pod}")


class ExecCommand(KubeCommand):
    """Everything after `--` is the command, kept away from click's parser."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            ctx.meta[COMMAND_KEY] = args[at + 1:]
            args = args[:at]
        return super().parse_args(ctx, args)


@click.command("exec", cls=ExecCommand, help=HELP,
               usage="minikctl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND "
                     "[args...] [options]")
@click.argument("args", nargs=-1)
@click.option("-c", "--container", default="", help="Container name. If omitted, use the "
              "kubectl.kubernetes.io/default-container annotation for selecting the container to "
              "be attached or the first container in the pod will be chosen")
@click.option("-f", "--filename", "filenames", multiple=True, help="to use to exec into the "
              "resource")
@bool_flag("stdin", False, "Pass stdin to the container", short="-i")
@bool_flag("tty", False, "Stdin is a TTY", short="-t")
@bool_flag("quiet", False, "Only print output from the remote session", short="-q")
@click.option("--pod-running-timeout", type=GoDuration(), default=60.0, help="The length of time "
              "(like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running")
@click.pass_context
def exec_(ctx: click.Context, /, args: tuple[str, ...], container: str,
          filenames: tuple[str, ...], **opts: Any) -> None:
    session: Session = ctx.obj
    command = list(ctx.meta.get(COMMAND_KEY) or [])
    if filenames:
        raise MinikctlError("minikctl exec does not read pods from files; name the pod")
    if not args:
        raise MinikctlError("pod, type/name or --filename must be specified")
    if len(args) > 1:
        raise UsageHintError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                             "[COMMAND] instead")
    if not command:
        raise MinikctlError("you must specify at least one command for the container")
    say = click.get_text_stream("stderr").write
    pod = pod_for(session, args[0], opts["pod_running_timeout"], "attach to", lambda _: None)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise MinikctlError(f"cannot exec into a container in a completed pod; current phase is "
                            f"{phase}")
    chosen = choose_container(pod, container, say if not opts["quiet"] else lambda _: None)
    if opts["tty"] and opts["stdin"] and not opts["quiet"] and not sys.stdin.isatty():
        say("Unable to use a TTY - input is not a terminal or the right kind of file\n")
    meta = pod["metadata"]
    query: dict[str, Any] = {"command": command, "container": chosen, "stdout": "true",
                             "stderr": "true"}
    query.update({key: "true" for key in ("stdin", "tty") if opts[key]})
    try:
        session.client.request("POST", f"/api/v1/namespaces/{meta['namespace']}/pods/"
                               f"{meta['name']}/exec", query=query)
    except ApiError as err:
        raise MinikctlError(f"unable to upgrade connection: {err.message}") from None
    raise MinikctlError(STREAMS.format(container=chosen, pod=meta["name"]))
