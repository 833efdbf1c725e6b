"""`minikctl logs`: a container's log from the pod's `log` subresource, printed as it arrives.

The pod and container are found as kubectl finds them (minikctl/pods.py). minik's nodes are
simulated, so its server answers every log request with a BadRequest that says so; minikctl
prints that answer as kubectl would, and would print real logs from a server that has them.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from minikctl.command import kube_command
from minikctl.errors import ApiError, MinikctlError, UsageHintError
from minikctl.flags import GoDuration, GoInt, bool_flag
from minikctl.pods import choose_container, container_names, not_found_in_namespace, pod_for
from minikctl.session import Session

HELP = """Print the logs for a container in a pod or specified resource. If the pod has only one container, the container name is optional.

 minik runs pods on simulated nodes, so its containers write no logs: the server says so, and
minikctl prints what it says.

Examples:
  # Return snapshot logs from pod nginx with only one container
  minikctl logs nginx

  # Return snapshot logs from pod nginx, prefixing each line with the source pod and container name
  minikctl logs nginx --prefix

  # Return snapshot logs from pod nginx with multi containers
  minikctl logs nginx --all-containers=true

  # Return snapshot logs from all containers in pods defined by label app=nginx
  minikctl logs -l app=nginx --all-containers=true

  # Return snapshot of previous terminated ruby container logs from pod web-1
  minikctl logs -p -c ruby web-1

  # Begin streaming the logs of the ruby container in pod web-1
  minikctl logs -f -c ruby web-1

  # Display only the most recent 20 lines of output in pod nginx
  minikctl logs --tail=20 nginx

  # Show all logs from pod nginx written in the last hour
  minikctl logs --since=1h nginx

  # Return snapshot logs from first container of a replication controller named frontend
  minikctl logs rc/frontend"""

USAGE_ERROR = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a "
               "required argument for the logs command")


def _query(container: str, opts: dict[str, Any]) -> dict[str, str]:
    query = {"container": container}
    for key, flag in (("follow", "follow"), ("previous", "previous"),
                      ("timestamps", "timestamps"),
                      ("insecureSkipTLSVerifyBackend", "insecure_skip_tls_verify_backend")):
        if opts[flag]:
            query[key] = "true"
    if opts["since"]:
        query["sinceSeconds"] = str(max(1, int(opts["since"] + 0.999)))
    if opts["since_time"]:
        query["sinceTime"] = opts["since_time"]
    if opts["tail"] >= 0:
        query["tailLines"] = str(opts["tail"])
    if opts["limit_bytes"]:
        query["limitBytes"] = str(opts["limit_bytes"])
    return query


def _print_log(session: Session, pod: dict[str, Any], container: str, opts: dict[str, Any],
               prefix: bool) -> None:
    meta = pod["metadata"]
    path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/log"
    head = f"[pod/{meta['name']}/{container}] ".encode() if prefix else b""
    pending = b""
    for chunk in session.client.stream(path, _query(container, opts)):
        if not head:
            sys.stdout.buffer.write(chunk)
        else:
            *lines, pending = (pending + chunk).split(b"\n")
            sys.stdout.buffer.write(b"".join(head + line + b"\n" for line in lines))
        sys.stdout.buffer.flush()
    if pending:
        sys.stdout.buffer.write(head + pending)


def _pods(session: Session, args: tuple[str, ...], opts: dict[str, Any]) -> list[dict[str, Any]]:
    say = click.get_text_stream("stderr").write
    if opts["selector"]:
        if args:
            raise UsageHintError("only a selector (-l) or a POD name is allowed")
        query = {"labelSelector": opts["selector"]}
        pods = list((session.client.get(f"/api/v1/namespaces/{session.namespace}/pods",
                                        query) or {}).get("items") or [])
        if not pods:
            say(f"No resources found in {session.namespace} namespace.\n")
        return pods
    try:
        return [pod_for(session, args[0], opts["pod_running_timeout"], "get the logs from", say)]
    except ApiError as err:
        if err.is_not_found():
            raise not_found_in_namespace(err, session.namespace) from None
        raise


def _streams(pods: list[dict[str, Any]], container: str,
             opts: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    say = click.get_text_stream("stderr").write
    if opts["all_containers"]:
        spec_order = lambda pod: (  # noqa: E731 - kubectl: init, then regular, then ephemeral
            [n for n, label in container_names(pod) if label.endswith("(init)")]
            + [n for n, label in container_names(pod) if n == label]
            + [n for n, label in container_names(pod) if label.endswith("(ephem)")])
        return [(pod, name) for pod in pods for name in spec_order(pod)]
    return [(pod, choose_container(pod, container, say)) for pod in pods]


@kube_command("logs", help=HELP, usage="minikctl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] "
              "[options]")
@click.argument("args", nargs=-1)
@click.option("-c", "--container", default="", help="Print the logs of this container")
@bool_flag("follow", False, "Specify if the logs should be streamed.", short="-f")
@bool_flag("previous", False, "If true, print the logs for the previous instance of the container "
           "in a pod if it exists.", short="-p")
@click.option("--tail", type=GoInt(), default=-1, help="Lines of recent log file to display. "
              "Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector "
              "is provided.")
@click.option("--since", type=GoDuration(), default=0.0, help="Only return logs newer than a "
              "relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of "
              "since-time / since may be used.")
@click.option("--since-time", default="", help="Only return logs after a specific date "
              "(RFC3339). Defaults to all logs. Only one of since-time / since may be used.")
@bool_flag("timestamps", False, "Include timestamps on each line in the log output")
@click.option("--limit-bytes", type=GoInt(), default=0, help="Maximum bytes of logs to return. "
              "Defaults to no limit.")
@bool_flag("all-containers", False, "Get all containers' logs in the pod(s).")
@click.option("-l", "--selector", default="", help="Selector (label query) to filter on, "
              "supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)")
@bool_flag("prefix", False, "Prefix each log line with the log source (pod name and container "
           "name)")
@click.option("--max-log-requests", type=GoInt(), default=5, help="Specify maximum number of "
              "concurrent logs to follow when using by a selector. Defaults to 5.")
@bool_flag("ignore-errors", False, "If watching / following pod logs, allow for any errors that "
           "occur to be non-fatal")
@click.option("--pod-running-timeout", type=GoDuration(), default=20.0, help="The length of time "
              "(like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running")
@bool_flag("insecure-skip-tls-verify-backend", False, "Skip verifying the identity of the kubelet "
           "that logs are requested from.")
@click.pass_obj
def logs(session: Session, /, args: tuple[str, ...], container: str, **opts: Any) -> None:
    if not args and not opts["selector"]:
        raise UsageHintError(USAGE_ERROR)
    if len(args) == 2:  # the old `logs POD CONTAINER` form
        if container:
            raise MinikctlError("only one of -c or an inline [CONTAINER] arg is allowed")
        args, container = args[:1], args[1]
    elif len(args) > 2:
        raise UsageHintError(USAGE_ERROR)
    if opts["since"] and opts["since_time"]:
        raise MinikctlError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    if opts["selector"] and opts["tail"] == -1:
        opts["tail"] = 10
    streams = _streams(_pods(session, args, opts), container, opts)
    if opts["follow"] and len(streams) > opts["max_log_requests"]:
        raise MinikctlError(f"you are attempting to follow {len(streams)} log streams, but maximum "
                            f"allowed concurrency is {opts['max_log_requests']}, use "
                            f"--max-log-requests to increase the limit")
    for pod, name in streams:
        try:
            _print_log(session, pod, name, opts, opts["prefix"])
        except ApiError as err:
            if not opts["ignore_errors"]:
                raise
            click.echo(f"error: {err.message}")  # kubectl writes them into the log output
