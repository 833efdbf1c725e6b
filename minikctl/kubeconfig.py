"""Kubeconfig loading and merging, with kubectl's precedence rules.

Where the server is: `--server`, else the kubeconfig chosen by `--kubeconfig`, else the
colon-separated `$KUBECONFIG` list (merged: the first file that names a cluster, user or context
wins, and the first non-empty `current-context` wins), else `~/.minik/kubeconfig`, which
`minik-apiserver` writes on start. `--context`, `--cluster`, `--user`, `--token` and
`-n/--namespace` override what the files say. Relative certificate paths are resolved against
the file that contains them, as clientcmd does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from minikctl import plainyaml
from minikctl.errors import MinikctlError, PlainError

DEFAULT_NAMESPACE = "default"
_PATH_KEYS = ("certificate-authority", "client-certificate", "client-key", "tokenFile")


# a NamedTuple, not a dataclass: every run builds this class, and a dataclass costs ~1 ms
class ClientConfig(NamedTuple):
    """Everything needed to talk to one API server."""

    server: str
    namespace: str
    namespace_explicit: bool = False
    ca_file: str | None = None
    ca_data: bytes | None = None
    insecure: bool = False
    token: str | None = None
    username: str | None = None
    password: str | None = None
    cert_file: str | None = None
    cert_data: bytes | None = None
    key_file: str | None = None
    key_data: bytes | None = None

    @property
    def uses_tls(self) -> bool:
        return self.server.startswith("https://")


def default_kubeconfig() -> Path:
    return Path.home() / ".minik" / "kubeconfig"


def _parse(text: str, path: Path) -> Any:
    """The file's YAML; PyYAML (slow to import) only for what `plainyaml` leaves to it."""
    data = plainyaml.load(text)
    if data is not None:
        return data
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        raise MinikctlError(f'error loading config file "{path}": {err}') from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise MinikctlError(f"stat {path}: no such file or directory") from None
    except OSError as err:
        raise MinikctlError(f"open {path}: {err.strerror or err}") from None
    data = _parse(text, path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MinikctlError(f'error loading config file "{path}": not a kubeconfig mapping')
    return _absolutise(data, path.parent)


def _absolutise(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """clientcmd resolves relative file references against the kubeconfig's directory."""
    for section, inner in (("clusters", "cluster"), ("users", "user")):
        for entry in data.get(section) or []:
            body = entry.get(inner) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            for key in _PATH_KEYS:
                value = body.get(key)
                if isinstance(value, str) and value and not os.path.isabs(value):
                    body[key] = str(base / value)
    return data


def merge(configs: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge kubeconfigs the way clientcmd does: the first definition of anything wins."""
    merged: dict[str, Any] = {"clusters": {}, "users": {}, "contexts": {}, "current-context": ""}
    for config in configs:
        for section, inner in (("clusters", "cluster"), ("users", "user"),
                               ("contexts", "context")):
            for entry in config.get(section) or []:
                if isinstance(entry, dict) and entry.get("name") is not None:
                    merged[section].setdefault(str(entry["name"]), entry.get(inner) or {})
        if not merged["current-context"] and config.get("current-context"):
            merged["current-context"] = str(config["current-context"])
    return merged


def _config_files(flags: Mapping[str, Any], env: Mapping[str, str]) -> list[Path]:
    if flags.get("kubeconfig"):
        path = Path(os.path.expanduser(str(flags["kubeconfig"])))
        if not path.exists():
            raise MinikctlError(f"stat {path}: no such file or directory")
        return [path]
    listed = env.get("KUBECONFIG", "")
    if listed:
        paths = [Path(os.path.expanduser(p)) for p in listed.split(os.pathsep) if p]
        return [p for p in paths if p.exists()]
    default = default_kubeconfig()
    return [default] if default.exists() else []


def _no_server() -> MinikctlError:
    return MinikctlError(
        f"no API server configured: start one with `minik-apiserver` (it writes "
        f"{default_kubeconfig()}), or pass --server or --kubeconfig")


def _decode(value: Any) -> bytes | None:
    if not (isinstance(value, str) and value):
        return None
    import base64  # only for inline certificates

    return base64.b64decode(value)


def _token(user: Mapping[str, Any]) -> str | None:
    if user.get("token"):
        return str(user["token"])
    if user.get("tokenFile"):
        try:
            return Path(str(user["tokenFile"])).read_text().strip()
        except OSError as err:
            raise MinikctlError(f"open {user['tokenFile']}: {err.strerror or err}") from None
    return None


def load(flags: Mapping[str, Any], env: Mapping[str, str]) -> ClientConfig:
    """The effective client configuration for this run."""
    files = _config_files(flags, env)
    merged = merge([_read_file(p) for p in files])
    context_name = flags.get("context") or merged["current-context"]
    context: Mapping[str, Any] = {}
    if context_name:
        if context_name not in merged["contexts"]:
            raise PlainError("Error in configuration: context was not found for specified "
                             f"context: {context_name}")
        context = merged["contexts"][context_name] or {}
    cluster_name = flags.get("cluster") or context.get("cluster") or ""
    cluster: Mapping[str, Any] = merged["clusters"].get(cluster_name) or {}
    user: Mapping[str, Any] = merged["users"].get(flags.get("user") or context.get("user") or "") or {}
    server = flags.get("server") or cluster.get("server")
    if not server:
        if cluster_name and files:
            raise PlainError(f'Error in configuration: no server found for cluster "{cluster_name}"')
        raise _no_server()
    namespace = flags.get("namespace")
    return ClientConfig(
        server=_with_scheme(str(server), cluster),
        namespace=str(namespace or context.get("namespace") or DEFAULT_NAMESPACE),
        namespace_explicit=bool(namespace),
        ca_file=cluster.get("certificate-authority"),
        ca_data=_decode(cluster.get("certificate-authority-data")),
        insecure=bool(flags.get("insecure_skip_tls_verify") or cluster.get("insecure-skip-tls-verify")),
        token=flags.get("token") or _token(user),
        username=user.get("username"),
        password=user.get("password"),
        cert_file=user.get("client-certificate"),
        cert_data=_decode(user.get("client-certificate-data")),
        key_file=user.get("client-key"),
        key_data=_decode(user.get("client-key-data")),
    )


def _with_scheme(server: str, cluster: Mapping[str, Any]) -> str:
    """client-go assumes http:// for a bare host:port unless TLS settings are present."""
    if "://" in server:
        return server.rstrip("/")
    tls = any(cluster.get(k) for k in ("certificate-authority", "certificate-authority-data",
                                        "insecure-skip-tls-verify"))
    return ("https://" if tls else "http://") + server.rstrip("/")
