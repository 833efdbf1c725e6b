"""Fixtures for the reliability suite: servers of its own, quiet or with controllers."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from support import Server, free_port


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server without controllers: nothing writes but the test, so revisions stay put."""
    srv = Server(tmp_path_factory.mktemp("quiet"), free_port(), ["--no-controllers"])
    srv.start()
    yield srv
    srv.stop()
    # Whatever the module threw at it, the server never failed internally.
    assert srv.log_path is not None and "Traceback" not in srv.log_path.read_text(errors="replace"), srv.log()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start servers of the test's own (`servers("--no-controllers", name="a")`); all are
    stopped at the end, killed if they do not stop."""
    started: list[Server] = []

    def start(*args: str, name: str = "minik", data_dir: Path | None = None) -> Server:
        srv = Server(data_dir or tmp_path / name, free_port(), list(args))
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()
