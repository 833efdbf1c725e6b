"""Broken manifests in minikctl, as in kubectl: in a multi-document file the documents before
a YAML syntax error are created and processing stops there; a document the server rejects is
reported and the rest are still created; the exit code is 1 either way. Each case runs through
the real kubectl and through minikctl, each in a namespace of its own, and must agree."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from support import Server, run

SYNTAX_ERROR = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: three
  data: [
---
apiVersion: v1
kind: ConfigMap
metadata: {name: four}
"""

REJECTED = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: Not_A_Name}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: typed}
data: [1, 2]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data: {k: v}
"""


def _names(srv: Server, namespace: str) -> list[str]:
    status, body = srv.request("GET", f"/api/v1/namespaces/{namespace}/configmaps")
    assert status == 200, body
    return sorted(o["metadata"]["name"] for o in body["items"] if o["metadata"]["name"] != "kube-root-ca.crt")


@pytest.fixture
def server(servers: Callable[..., Server]) -> Server:
    srv = servers("--no-controllers")
    for ns in ("with-kubectl", "with-minikctl"):
        assert srv.request("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})[0] == 201
    return srv


@pytest.mark.parametrize("content, created", [(SYNTAX_ERROR, ["one", "two"]), (REJECTED, ["a", "b"])])
def test_broken_manifests_like_kubectl(server: Server, tmp_path: Path, content: str, created: list[str]) -> None:
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(content)
    results = {cli: run([cli, "create", "-f", str(manifest), "-n", f"with-{cli}"], server)
               for cli in ("kubectl", "minikctl")}
    for cli, result in results.items():
        assert result.returncode == 1, (cli, result.stderr)
        assert _names(server, f"with-{cli}") == created, (cli, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    kubectl, minikctl = results["kubectl"], results["minikctl"]
    assert minikctl.stdout == kubectl.stdout
    if content is REJECTED:
        assert minikctl.stderr == kubectl.stderr
    else:
        # kubectl counts the line inside the failing document; only the report's form is compared.
        prefix = f"error: error parsing {manifest}: error converting YAML to JSON: yaml: line "
        assert kubectl.stderr.startswith(prefix) and minikctl.stderr.startswith(prefix), results
