"""Fixtures: one real apiserver per session (fresh SQLite data dir), a namespace per test."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from support import Server, free_port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("minik"), free_port(), ["--nodes", "3", "--pod-start-delay", "0.2"])
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def namespace(server: Server) -> Iterator[str]:
    name = "t-" + uuid.uuid4().hex[:10]
    status, body = server.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status == 201, body
    yield name
    server.request("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, for tests that restart or kill it."""
    srv = Server(tmp_path / "minik", free_port(), ["--pod-start-delay", "0.1"])
    yield srv
    srv.stop()
