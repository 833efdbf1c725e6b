"""Fixtures for the live minikctl tests (test_live_*.py), on top of tests/conftest.py's `server`."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from kubectl_parity import drop_namespace, make_namespace


@pytest.fixture
def env(server: Any) -> dict[str, str]:
    return dict(server.env)


@pytest.fixture
def twins(server: Any) -> Iterator[tuple[str, str]]:
    """Two fresh namespaces: kubectl acts in the first, minikctl in the second."""
    names = (make_namespace(server, "ctl-k"), make_namespace(server, "ctl-m"))
    yield names
    for name in names:
        drop_namespace(server, name)
