"""minik-apiserver: start the API server, its storage and the in-process controllers."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from apiserver.config import ServerConfig

if TYPE_CHECKING:
    from apiserver.storage import Storage

SHUTDOWN_GRACE = 3  # seconds


def _port_range(value: str) -> tuple[int, int]:
    try:
        low, high = (int(p) for p in value.split("-", 1))
    except ValueError:
        raise click.BadParameter(f'"{value}" is not a port range (like 30000-32767)') from None
    if not 0 < low <= high < 65536:
        raise click.BadParameter(f'"{value}" is not a valid port range')
    return low, high


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path.home() / ".minik",
              show_default=True, help="Where the database and the kubeconfig live.")
@click.option("--bind-address", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=6443, show_default=True,
              help="Port to listen on (kube-apiserver calls it --secure-port).")
@click.option("--storage", type=click.Choice(["sqlite", "memory"]), default="sqlite", show_default=True)
@click.option("--service-cluster-ip-range", default="10.96.0.0/12", show_default=True)
@click.option("--service-node-port-range", default="30000-32767", show_default=True)
@click.option("--nodes", type=click.IntRange(0, 10000), default=1, show_default=True,
              help="Number of simulated nodes.")
@click.option("--max-pods", type=click.IntRange(1, 100000), default=110, show_default=True,
              help="Pods each simulated node advertises, like a kubelet.")
@click.option("--history-revisions", type=click.IntRange(10, 10_000_000), default=5000, show_default=True,
              help="Revisions kept for watches; older watches get 410 Expired.")
@click.option("--pod-start-delay", type=click.FloatRange(0, 3600), default=0.5, show_default=True,
              help="Seconds a bound pod spends in ContainerCreating before it runs.")
@click.option("--controllers/--no-controllers", default=True, show_default=True,
              help="Run the controllers and simulated nodes in this process.")
@click.option("--token-auth-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Require bearer tokens from this CSV file (token,user,uid[,groups]), as kube-apiserver.")
@click.option("--tls-cert-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Serve HTTPS with this PEM certificate (with --tls-private-key-file).")
@click.option("--tls-private-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The PEM private key of --tls-cert-file.")
@click.option("-v", "--verbosity", type=click.IntRange(0, 10), default=0, help="Log level (kube's -v).")
def main(data_dir: Path, bind_address: str, port: int, storage: str, service_cluster_ip_range: str,
         service_node_port_range: str, nodes: int, max_pods: int, history_revisions: int,
         pod_start_delay: float, controllers: bool, token_auth_file: Path | None, tls_cert_file: Path | None,
         tls_private_key_file: Path | None, verbosity: int) -> None:
    """Run the minik control plane: API server, controllers and simulated nodes.

    Example: minik-apiserver --data-dir ~/.minik --port 6443 --nodes 3
    """
    import ipaddress

    # Start-up makes long-lived objects only (modules, the loaded store): rather than rescan
    # them as they pile up, the cyclic collector waits until the server is ready.
    gc.disable()
    try:
        ipaddress.IPv4Network(service_cluster_ip_range, strict=False)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--service-cluster-ip-range") from None
    logging.basicConfig(level=logging.DEBUG if verbosity >= 6 else logging.INFO if verbosity else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = ServerConfig(data_dir=data_dir, bind_address=bind_address, port=port, storage=storage,
                          service_cluster_ip_range=service_cluster_ip_range,
                          service_node_port_range=_port_range(service_node_port_range), nodes=nodes,
                          max_pods=max_pods, history_revisions=history_revisions,
                          pod_start_delay=pod_start_delay, controllers=controllers,
                          token_auth_file=token_auth_file, tls_cert_file=tls_cert_file,
                          tls_private_key_file=tls_private_key_file)
    token = _check_security(config)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = _open_storage_early(config)
    # The server's own imports (the heaviest part of a start) run while the file loads.
    import uvicorn

    from apiserver.app import create_app

    tls = {"ssl_certfile": str(tls_cert_file), "ssl_keyfile": str(tls_private_key_file)} if config.tls else {}
    app = create_app(config, store, on_ready=_when_ready(config, token))
    # Open watches would hold a graceful shutdown forever: they are cut after SHUTDOWN_GRACE.
    server = uvicorn.Server(uvicorn.Config(app, host=bind_address, port=port, log_level="warning",
                                           access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=SHUTDOWN_GRACE, **tls))
    server.run()
    sys.exit(0 if server.started else 1)


def _when_ready(config: ServerConfig, token: str | None) -> Callable[[], None]:
    """What runs once storage is open and the cluster bootstrapped, before /readyz says ok."""
    from apiserver import kubeconfig

    def ready() -> None:
        kubeconfig.write(config, token)
        gc.freeze()  # what start-up built lives on: later collections need not rescan it
        gc.enable()

    return ready


def _open_storage_early(config: ServerConfig) -> Storage:
    """The configured storage, an SQLite file already being read on its own thread."""
    from apiserver.storage import open_storage
    from apiserver.storage.sqlite import SQLiteStorage

    store = open_storage(config.storage, config.data_dir, config.history_revisions)
    if isinstance(store, SQLiteStorage):
        store.open_early()
    return store


def _check_security(config: ServerConfig) -> str | None:
    """Check the TLS and token flags before serving; warn about an open non-loopback bind.
    Returns the token the written kubeconfig carries (the token file's first)."""
    import ssl

    from apiserver.auth import TokenFileError, load_token_file

    if (config.tls_cert_file is None) != (config.tls_private_key_file is None):
        raise click.UsageError("--tls-cert-file and --tls-private-key-file must be given together")
    if config.tls:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                str(config.tls_cert_file), str(config.tls_private_key_file))
        except (OSError, ssl.SSLError) as e:
            raise click.UsageError(f"unable to load the TLS certificate and key: {e}") from None
    token = None
    if config.token_auth_file is not None:
        try:
            token = load_token_file(config.token_auth_file)[0].token
        except TokenFileError as e:
            raise click.UsageError(str(e)) from None
    if token is None and not _is_loopback(config.bind_address):
        click.echo(f"Warning: serving on {config.bind_address} without authentication: anyone who can reach "
                   "this address can read and change every object. Use --token-auth-file with "
                   "--tls-cert-file/--tls-private-key-file.", err=True)
    elif token is not None and not config.tls:
        click.echo("Warning: --token-auth-file without --tls-cert-file: tokens travel in clear text, and "
                   "kubectl sends bearer tokens only over HTTPS (minikctl sends them either way).", err=True)
    return token


def _is_loopback(address: str) -> bool:
    import ipaddress

    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    main()
