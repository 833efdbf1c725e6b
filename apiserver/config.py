"""Server settings, from minik-apiserver's flags (kube-apiserver's names where they exist)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path = field(default_factory=lambda: Path.home() / ".minik")
    bind_address: str = "127.0.0.1"
    port: int = 6443
    storage: str = "sqlite"
    service_cluster_ip_range: str = "10.96.0.0/12"
    service_node_port_range: tuple[int, int] = (30000, 32767)
    nodes: int = 1
    max_pods: int = 110
    pod_cidr: str = "10.244.0.0/16"
    history_revisions: int = 5000
    # Seconds a bound pod waits in ContainerCreating before it runs (the node agent's stage delay).
    pod_start_delay: float = 0.5
    controllers: bool = True
    # kube-apiserver's --token-auth-file (CSV: token,user,uid[,groups]); None: no authentication.
    token_auth_file: Path | None = None
    # kube-apiserver's --tls-cert-file/--tls-private-key-file; both set: serve HTTPS.
    tls_cert_file: Path | None = None
    tls_private_key_file: Path | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None and self.tls_private_key_file is not None

    @property
    def service_network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.service_cluster_ip_range, strict=False)

    @property
    def server_url(self) -> str:
        host = f"[{self.bind_address}]" if ":" in self.bind_address else self.bind_address
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"
