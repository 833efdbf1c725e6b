"""`python -m apiserver.daemon start|stop|status`: run minik-apiserver in the background
(what `make up` / `make down` do), with a pid file and a log in the data dir."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

READY_TIMEOUT = 30.0


def _pid(data_dir: Path) -> int | None:
    try:
        pid = int((data_dir / "apiserver.pid").read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@click.group()
def cli() -> None:
    """Run minik-apiserver in the background."""


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--port", type=int, default=6443)
def start(data_dir: Path, port: int) -> None:
    url = f"http://127.0.0.1:{port}"
    if _pid(data_dir) and _ready(url):
        click.echo(f"minik is already running at {url}")
        return
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(data_dir / "apiserver.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "apiserver", "--data-dir", str(data_dir),
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    (data_dir / "apiserver.pid").write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"minik-apiserver exited; see {data_dir / 'apiserver.log'}")
        if _ready(url):
            click.echo(f"minik is running at {url}\nkubeconfig: {data_dir / 'kubeconfig'}\n"
                       f"try: {Path(sys.executable).parent / 'minikctl'} get nodes")
            return
        time.sleep(0.05)
    raise click.ClickException(f"minik-apiserver did not become ready; see {data_dir / 'apiserver.log'}")


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), required=True)
def stop(data_dir: Path) -> None:
    pid = _pid(data_dir)
    if pid is None:
        click.echo("minik is not running")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _pid(data_dir):
        time.sleep(0.05)
    if _pid(data_dir):
        os.kill(pid, signal.SIGKILL)
    (data_dir / "apiserver.pid").unlink(missing_ok=True)
    click.echo("minik stopped")


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), required=True)
def status(data_dir: Path) -> None:
    pid = _pid(data_dir)
    click.echo(f"minik-apiserver running (pid {pid})" if pid else "minik is not running")


if __name__ == "__main__":
    cli()
