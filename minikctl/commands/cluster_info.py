"""`minikctl cluster-info`: where the control plane and the cluster services answer."""

from __future__ import annotations

from typing import Any

import click

from minikctl.command import kube_command
from minikctl.session import Session
from minikctl.terminal import for_people

HELP = """Display addresses of the control plane and services with label kubernetes.io/cluster-service=true.

Examples:
  # Print the address of the control plane and cluster services
  minikctl cluster-info"""

# go-colortext's codes, which kubectl writes only to a terminal
GREEN, YELLOW, RESET = "\x1b[0;32m", "\x1b[0;33m", "\x1b[0m"


def _line(name: str, link: str, colour: bool) -> str:
    if colour:
        return f"{GREEN}{name}{RESET} is running at {YELLOW}{link}{RESET}"
    return f"{name} is running at {link}"


def _link(host: str, service: dict[str, Any]) -> str:
    meta, spec = service.get("metadata") or {}, service.get("spec") or {}
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        ip = ingress[0].get("ip") or ingress[0].get("hostname") or ""
        return "".join(f"http://{ip}:{p.get('port')} " for p in spec.get("ports") or [])
    name = str(meta.get("name") or "")
    ports = spec.get("ports") or []
    if ports:
        port = ports[0]
        scheme = "https" if port.get("name") == "https" or port.get("port") == 443 else ""
        port_name = str(port.get("name") or "")
        if scheme:
            name = f"{scheme}:{name}:{port_name}"
        elif port_name:
            name = f"{name}:{port_name}"
    return f"{host}/api/v1/namespaces/{meta.get('namespace')}/services/{name}/proxy"


@kube_command("cluster-info", help=HELP, usage="minikctl cluster-info [flags] [options]")
@click.argument("args", nargs=-1)
@click.pass_obj
def cluster_info(session: Session, /, args: tuple[str, ...]) -> None:
    del args  # kubectl ignores arguments too
    colour = for_people()
    host = session.config.server
    services = session.client.get("/api/v1/namespaces/kube-system/services",
                                  {"labelSelector": "kubernetes.io/cluster-service=true"}) or {}
    click.echo(_line("Kubernetes control plane", host, colour))
    for service in services.get("items") or []:
        labels = (service.get("metadata") or {}).get("labels") or {}
        name = labels.get("kubernetes.io/name") or (service.get("metadata") or {}).get("name")
        click.echo(_line(str(name), _link(host, service), colour))
    click.echo("\nTo further debug and diagnose cluster problems, use 'minikctl get all -A' and "
               "'minikctl describe nodes'.")
