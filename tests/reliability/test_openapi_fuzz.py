"""schemathesis against minik's own OpenAPI documents: every operation of every
group-version, with requests generated from the schemas (valid bodies, valid and invalid
parameters; bounded budget). Never a 5xx, and every 4xx is a v1 Status."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from reliability_support import assert_status

from support import Server

schemathesis = pytest.importorskip("schemathesis")

NS = "openapi-fuzz"
EXAMPLES = 2  # per operation and generation mode
RV_ON_CREATE = "resourceVersion should not be set on objects to be created"


def _documents(server: Server) -> list[str]:
    index = server.request("GET", "/openapi/v3")[1]["paths"]
    return [server.url + entry["serverRelativeURL"] for entry in index.values()]


def _bounded(case: Any) -> None:
    """No endless watches: the generated query may ask for one."""
    if case.query:
        case.query.pop("watch", None)
        if "timeoutSeconds" in case.query:
            case.query["timeoutSeconds"] = 1


def _problem(case: Any, response: Any) -> str | None:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if status == 500 and isinstance(body, dict) and body.get("message") == RV_ON_CREATE:
        return None  # kube answers a create carrying a resourceVersion with this 500 too
    if status >= 500:
        return f"{case.method} {case.formatted_path} {case.query}: {status} {str(body)[:300]}"
    if status >= 400 and status != 404:  # unknown paths answer kube's plain-text 404 page
        try:
            assert_status(status, body, status)
        except AssertionError:
            return f"{case.method} {case.formatted_path}: {status} is not a Status: {str(body)[:300]}"
    return None


def test_every_operation_in_the_openapi_documents(quiet_server: Server) -> None:
    from schemathesis import GenerationMode, openapi

    status, body = quiet_server.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    assert status in (201, 409), body
    problems: list[str] = []
    operations = 0
    for url in _documents(quiet_server):
        for result in openapi.from_url(url).get_all_operations():
            op = result.ok()
            operations += 1
            params = {"namespace": NS} if "{namespace}" in op.path else None
            # Invalid bodies are slow to generate from the big schemas (a Pod takes ~15 s) and
            # test_fuzz sweeps them field by field; invalid parameters are generated here.
            modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if op.method in ("get", "delete") else [])
            for mode in modes:
                @given(case=op.as_strategy(generation_mode=mode, path_parameters=params))
                @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
                def call(case: Any) -> None:
                    _bounded(case)
                    response = case.call(base_url=quiet_server.url, timeout=15)
                    problem = _problem(case, response)
                    if problem:
                        problems.append(problem)

                call()
    assert operations > 50, operations
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:20])
