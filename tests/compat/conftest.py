"""Fixtures for the compatibility suite: the real kubectl and the official client, per test
namespace, on the session's server (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from kubernetes import client

from compat_tools import Kubectl, api_client
from support import Server


@pytest.fixture
def kubectl(server: Server, namespace: str, tmp_path: Path) -> Kubectl:
    return Kubectl(server, namespace, tmp_path)


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[client.ApiClient]:
    with api_client(server) as c:
        yield c


@pytest.fixture
def core(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)
