"""`minikctl run NAME --image=IMG`: one pod (and with --expose a service), built the way
kubectl's run generator builds it, fields in its struct order for `-o json`."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.commands.create import dry_run_strategy
from minikctl.errors import MinikctlError
from minikctl.flags import GoInt, bool_flag, dry_run_option
from minikctl.printing.output import ObjectPrinter, check_format
from minikctl.session import Session

HELP = """Create and run a particular image in a pod.

 minik runs pods on simulated nodes: the pod is scheduled and reported Running, but no process
runs, so attaching to it (-i, -t, --attach, --rm) is refused.

Examples:
  # Start a nginx pod
  minikctl run nginx --image=nginx

  # Start a hazelcast pod and let the container expose port 5701
  minikctl run hazelcast --image=hazelcast/hazelcast --port=5701

  # Start a hazelcast pod and set environment variables "DNS_DOMAIN=cluster" and "POD_NAMESPACE=default" in the container
  minikctl run hazelcast --image=hazelcast/hazelcast --env="DNS_DOMAIN=cluster" --env="POD_NAMESPACE=default"

  # Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container
  minikctl run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"

  # Dry run; print the corresponding API objects without creating them
  minikctl run nginx --image=nginx --dry-run=client -o yaml

  # Start a nginx pod and a service in front of it
  minikctl run web --image=nginx --port=80 --expose

  # Start the nginx pod using a different command and custom arguments
  minikctl run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>"""

POLICIES = ("Always", "OnFailure", "Never")


def parse_pairs(spec: str, what: str) -> dict[str, str]:
    """`a=b,c=d` (kubectl's --labels and --annotations)."""
    out: dict[str, str] = {}
    for part in (p for p in spec.split(",") if p):
        key, eq, value = part.partition("=")
        if not eq:
            raise MinikctlError(f"unexpected {what} spec: {part}")
        out[key] = value
    return out


def build_pod(name: str, namespace: str, opts: dict[str, Any], args: list[str]) -> dict[str, Any]:
    """The Pod in corev1.Pod field order."""
    labels = parse_pairs(opts["labels"], "label") if opts["labels"] else {"run": name}
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if opts["annotations"]:
        metadata["annotations"] = dict(
            parse_pairs(",".join(opts["annotations"]), "annotation"))
    container: dict[str, Any] = {"name": name, "image": opts["image"]}
    if args:
        container["command" if opts["command"] else "args"] = list(args)
    if opts["port"] >= 0:
        container["ports"] = [{"containerPort": opts["port"]}]
    env = []
    for spec in opts["env"]:
        key, eq, value = spec.partition("=")
        if not eq:
            raise MinikctlError(f"invalid env: {spec}")
        env.append({"name": key, "value": value})
    if env:
        container["env"] = env
    container["resources"] = {}
    if opts["image_pull_policy"]:
        container["imagePullPolicy"] = opts["image_pull_policy"]
    spec = {"containers": [container], "restartPolicy": opts["restart"],
            "dnsPolicy": "ClusterFirst"}
    return {"kind": "Pod", "apiVersion": "v1", "metadata": metadata, "spec": spec, "status": {}}


def _check(opts: dict[str, Any]) -> None:
    if opts["restart"] not in POLICIES:
        raise MinikctlError(f"invalid restart policy: {opts['restart']}, valid values are: "
                            f"Always, OnFailure, Never")
    attached = opts["stdin"] or opts["tty"] or opts["attach"]
    if opts["rm"] and not attached:
        raise MinikctlError("--rm should only be used for attached containers")
    if attached:
        raise MinikctlError("minikctl cannot attach to a container: minik runs pods on simulated "
                            "nodes, so containers have no processes to attach to")
    if opts["expose"] and opts["port"] < 0:
        raise MinikctlError("--port must be set when exposing a service")


@kube_command("run", help=HELP, usage="minikctl run NAME --image=image [--env=\"key=value\"] "
              "[--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- "
              "[COMMAND] [args...] [options]")
@click.argument("name", required=False)
@click.argument("args", nargs=-1)
@click.option("--image", required=True, help="The image for the container to run.")
@click.option("--env", multiple=True, help="Environment variables to set in the container.")
@click.option("-l", "--labels", default="", help="Comma separated labels to apply to the pod. "
              "Will override previous values.")
@click.option("--annotations", multiple=True, help="Annotations to apply to the pod.")
@click.option("--port", type=GoInt(), default=-1, help="The port that this container exposes.")
@click.option("--restart", default="Always", help="The restart policy for this Pod.  Legal "
              "values [Always, OnFailure, Never].")
@click.option("--image-pull-policy", default="", help="The image pull policy for the container.")
@bool_flag("command", False, "If true and extra arguments are present, use them as the "
           "'command' field in the container, rather than the 'args' field which is the default.")
@bool_flag("expose", False, "If true, create a ClusterIP service associated with the pod.  "
           "Requires `--port`.")
@bool_flag("stdin", False, "Keep stdin open on the container in the pod.", short="-i")
@bool_flag("tty", False, "Allocate a TTY for the container in the pod.", short="-t")
@bool_flag("attach", False, "If true, wait for the Pod to start running, and then attach to it.")
@bool_flag("rm", False, "If true, delete the pod after it exits.")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@click.option("--field-manager", default="kubectl-run",
              help="Name of the manager used to track field ownership.")
@dry_run_option
@click.pass_obj
def run(session: Session, /, name: str | None, args: tuple[str, ...], output: str,
        dry_run: str, field_manager: str, **opts: Any) -> None:
    if not name:
        raise MinikctlError("NAME is required for run")
    check_format(output)
    _check(opts)
    strategy = dry_run_strategy(dry_run)
    pod = build_pod(name, session.namespace, opts, list(args))
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    create_object(session, "pods", pod, strategy, field_manager, printer)
    if opts["expose"]:
        from minikctl.commands.expose import service_body

        ports = [{"protocol": "TCP", "port": opts["port"], "targetPort": opts["port"]}]
        service = service_body(name, session.namespace, {}, pod["metadata"]["labels"], ports, {})
        create_object(session, "services", service, strategy, field_manager, printer,
                      verb="created")


def create_object(session: Session, plural: str, obj: dict[str, Any], strategy: str, manager: str,
            printer: ObjectPrinter, verb: str = "created") -> None:
    resource = session.discovery.resolve(plural)
    if strategy != "client":
        query = {"fieldManager": manager}
        if strategy == "server":
            query["dryRun"] = "All"
        body = {k: v for k, v in obj.items()}
        body["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "namespace"}
        obj = session.client.request("POST", resource.path(session.namespace), query=query,
                                     body=body).json() or obj
    if printer.output in ("yaml", "json"):
        printer.print(obj, ordered=strategy == "client")
    else:
        printer.print_result(resource.kind_string, str(obj["metadata"].get("name")), verb,
                             strategy, obj)
