"""The kubeconfig minik-apiserver writes on start (`<data-dir>/kubeconfig`, mode 0600), so
that `minikctl` and `kubectl --kubeconfig` both find the server."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

from apiserver.config import ServerConfig

NAME = "minik"


def render(config: ServerConfig, token: str | None = None) -> str:
    host = config.bind_address
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    user: dict[str, str] = {"token": token} if token else {}
    cluster = {"server": f"{'https' if config.tls else 'http'}://{host}:{config.port}"}
    if config.tls and config.tls_cert_file is not None:
        # The serving certificate (self-signed, or its chain) is what clients must trust.
        cluster["certificate-authority-data"] = base64.b64encode(Path(config.tls_cert_file).read_bytes()).decode()
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": NAME, "cluster": cluster}],
        "users": [{"name": NAME, "user": user}],
        "contexts": [{"name": NAME, "context": {"cluster": NAME, "user": NAME}}],
        "current-context": NAME,
        "preferences": {},
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write(config: ServerConfig, token: str | None = None) -> Path:
    path = Path(config.data_dir) / "kubeconfig"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(render(config, token))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path
