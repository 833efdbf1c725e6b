"""`minikctl expose`: a Service in front of a replication controller, pod or service, as
kubectl's service generator builds it (selector and ports taken from the object unless given)."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.commands.create import dry_run_strategy
from minikctl.commands.run import create_object, parse_pairs
from minikctl.errors import MinikctlError
from minikctl.fetch import get_object
from minikctl.flags import dry_run_option, filename_options
from minikctl.printing.output import ObjectPrinter, check_format
from minikctl.session import Session
from minikctl.targets import Target, from_args, from_manifests

HELP = """Expose a resource as a new Kubernetes service.

 Looks up a replication controller, service or pod by name and uses the selector for that
resource as the selector for a new service on the specified port. A replication controller is
exposed as a service only if its selector is convertible to a selector that service supports,
i.e. when the selector contains only the matchLabels component.

 If no port is specified via --port and the exposed resource has multiple ports, all will be
re-used by the new service. Also if no labels are specified, the new service will re-use the
labels from the resource it exposes.

 Possible resources include (case insensitive): pod (po), service (svc), replicationcontroller
(rc).

Examples:
  # Create a service for a replicated nginx, which serves on port 80 and connects to the containers on port 8000
  minikctl expose rc nginx --port=80 --target-port=8000

  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
  minikctl expose pod valid-pod --port=444 --name=frontend

  # Create a second service based on the above service, exposing the container port 8443 as port 443 with the name "nginx-https"
  minikctl expose service nginx --port=443 --target-port=8443 --name=nginx-https

  # Expose the guestbook frontend on a node port
  minikctl expose rc frontend --port=80 --type=NodePort --name=frontend-np"""


def service_body(name: str, namespace: str, labels: dict[str, str], selector: dict[str, str],
                 ports: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
    """A Service in corev1.Service field order (kubectl prints -o json of its own objects so)."""
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    spec: dict[str, Any] = {"ports": ports, "selector": selector}
    spec.update(extra)
    return {"kind": "Service", "apiVersion": "v1", "metadata": metadata, "spec": spec,
            "status": {"loadBalancer": {}}}


def _introspect(obj: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(selector, container or service ports) of the exposed object, by its shape."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Service":
        return dict(spec.get("selector") or {}), list(spec.get("ports") or [])
    if kind == "ReplicationController":
        pod_spec = ((spec.get("template") or {}).get("spec") or {})
        return dict(spec.get("selector") or {}), _container_ports(pod_spec)
    if kind == "Pod":
        return dict((obj.get("metadata") or {}).get("labels") or {}), _container_ports(spec)
    raise MinikctlError(f"cannot expose a {kind}")


def _container_ports(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for c in pod_spec.get("containers") or [] for p in c.get("ports") or []]


def _target(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _atoi(text: str) -> int:
    """Go's strconv.Atoi, with its error wording."""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise MinikctlError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    value = int(text)
    if not -(2 ** 63) <= value < 2 ** 63:
        raise MinikctlError(f'strconv.Atoi: parsing "{text}": value out of range')
    return value


def _ports(found: list[dict[str, Any]], opts: dict[str, Any]) -> list[dict[str, Any]]:
    protocol = opts["protocol"] or "TCP"
    if opts["port"]:
        port = _atoi(opts["port"])
        target = _target(opts["target_port"]) if opts["target_port"] else port
        return [{"protocol": protocol, "port": port, "targetPort": target}]
    if not found:
        raise MinikctlError("couldn't find port via --port flag or introspection")
    ports = []
    for index, port in enumerate(found):
        number = port.get("port", port.get("containerPort"))
        entry: dict[str, Any] = {}
        if len(found) > 1:
            entry["name"] = port.get("name") or f"port-{index + 1}"
        entry.update(protocol=opts["protocol"] or port.get("protocol") or "TCP", port=number,
                     targetPort=_target(opts["target_port"]) if opts["target_port"] else number)
        ports.append(entry)
    return ports


def _extra(opts: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if opts["cluster_ip"]:
        extra["clusterIP"] = opts["cluster_ip"]
    if opts["type"]:
        extra["type"] = opts["type"]
    if opts["external_ip"]:
        extra["externalIPs"] = [opts["external_ip"]]
    if opts["session_affinity"]:
        extra["sessionAffinity"] = opts["session_affinity"]
    if opts["load_balancer_ip"]:
        extra["loadBalancerIP"] = opts["load_balancer_ip"]
    return extra


@kube_command("expose", help=HELP, usage="minikctl expose (-f FILENAME | TYPE NAME) [--port=port]"
              " [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] "
              "[--external-ip=external-ip-of-service] [--type=type] [options]")
@click.argument("args", nargs=-1)
@click.option("--port", default="", help="The port that the service should serve on. Copied "
              "from the resource being exposed, if unspecified")
@click.option("--target-port", default="", help="Name or number for the port on the container "
              "that the service should direct traffic to. Optional.")
@click.option("--protocol", default="", help="The network protocol for the service to be "
              "created. Default is 'TCP'.")
@click.option("--name", default="", help="The name for the newly created object.")
@click.option("--type", default="", help="Type for this service: ClusterIP, NodePort, "
              "LoadBalancer, or ExternalName. Default is 'ClusterIP'.")
@click.option("--selector", default="", help="A label selector to use for this service. Only "
              "equality-based selector requirements are supported.")
@click.option("-l", "--labels", default="", help="Labels to apply to the service created by "
              "this call.")
@click.option("--cluster-ip", default="", help="ClusterIP to be assigned to the service. Leave "
              "empty to auto-allocate, or set to 'None' to create a headless service.")
@click.option("--external-ip", default="", help="Additional external IP address (not managed by "
              "Kubernetes) to accept for the service.")
@click.option("--load-balancer-ip", default="", help="IP to assign to the LoadBalancer.")
@click.option("--session-affinity", default="", help="If non-empty, set the session affinity "
              "for the service to this; legal values: 'None', 'ClientIP'")
@click.option("-o", "--output", default="", help="Output format. One of: (json, yaml, name).")
@click.option("--field-manager", default="kubectl-expose",
              help="Name of the manager used to track field ownership.")
@dry_run_option
@filename_options("identifying the resource to expose a service")
@click.pass_obj
def expose(session: Session, /, args: tuple[str, ...], output: str, dry_run: str,
           field_manager: str, filenames: tuple[str, ...], recursive: bool,
           **opts: Any) -> None:
    check_format(output)
    strategy = dry_run_strategy(dry_run)
    targets = _targets(session, list(args), filenames, recursive)
    printer = ObjectPrinter(output, lambda text: click.echo(text, nl=False))
    for target in targets:
        obj = get_object(session.client, target)
        selector, found = _introspect(dict(obj, kind=obj.get("kind") or target.resource.kind))
        if opts["selector"]:
            selector = parse_pairs(opts["selector"], "selector")
        labels = (parse_pairs(opts["labels"], "label") if opts["labels"]
                  else dict((obj.get("metadata") or {}).get("labels") or {}))
        name = opts["name"] or str(target.name)
        service = service_body(name, session.namespace, labels, selector, _ports(found, opts),
                               _extra(opts))
        create_object(session, "services", service, strategy, field_manager, printer,
                      verb="exposed")


def _targets(session: Session, args: list[str], filenames: tuple[str, ...],
             recursive: bool) -> list[Target]:
    if filenames:
        from minikctl.manifests import iter_manifests

        return list(from_manifests(session, iter_manifests(filenames, recursive)))
    if len(args) == 1 and "/" not in args[0]:
        raise MinikctlError("resource(s) were provided, but no name was specified")
    if not args:
        raise MinikctlError("You must provide one or more resources by argument or filename.\n"
                            "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                            "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    return from_args(session, args)
