"""The commands that describe the server rather than objects: api-resources, api-versions,
explain, version and cluster-info, byte for byte with kubectl (version and cluster-info where
minikctl deliberately differs: its own client version, no Kustomize, no `cluster-info dump`)."""

from __future__ import annotations

import json
from typing import Any

from kubectl_parity import assert_same, assert_same_many, kubectl, minikctl


API_RESOURCES_CASES = [
    [], ["-o", "wide"], ["-o", "name"], ["--namespaced=false"], ["--namespaced"],
    ["--api-group="], ["--api-group=apps"], ["--verbs=list,watch"], ["--sort-by=name"],
    ["--sort-by=kind", "-o", "wide"], ["-o", "json"], ["-o", "yaml"], ["--no-headers"],
    ["--categories=all"], ["-o", "bogus"], ["--sort-by=bogus"], ["--cached"],
    ["--api-group=coordination.k8s.io", "-o", "name"], ["extra"],
]


def test_api_resources(env: dict[str, str]) -> None:
    """Every listing form and filter of api-resources, and its errors."""
    assert_same_many(env, [["api-resources", *args] for args in API_RESOURCES_CASES])


def test_api_versions(env: dict[str, str]) -> None:
    assert_same(env, "api-versions")
    assert_same(env, "api-versions", "extra")


EXPLAIN_CASES = [
    ["pods"], ["pods.spec.containers"], ["pod.spec.containers.ports"], ["rc", "--recursive"],
    ["svc.spec", "--api-version=v1"], ["nodes.status.conditions"], ["pods.nope"], ["nope"],
    ["namespaces"], ["configmaps.data"], ["endpointslices"], ["leases.spec", "--recursive"],
    ["pods.metadata.labels"], ["events.involvedObject"], [], ["pods", "svc"],
    ["pods", "--api-version=v2"], ["pods", "--output=plaintext-openapiv2"],
    ["pods", "--output=bogus"],
]


def test_explain(env: dict[str, str]) -> None:
    """Kinds, fields, --recursive and --api-version, and the errors."""
    assert_same_many(env, [["explain", *args] for args in EXPLAIN_CASES])


def test_version(env: dict[str, str]) -> None:
    theirs = json.loads(kubectl(env, "version", "-o", "json").out)
    ours_run = minikctl(env, "version", "-o", "json")
    assert ours_run.code == 0 and ours_run.err == ""
    ours = json.loads(ours_run.out)
    assert ours["serverVersion"] == theirs["serverVersion"]
    assert list(ours["clientVersion"]) == [k for k in theirs["clientVersion"]]
    assert ours["clientVersion"]["gitVersion"] == theirs["clientVersion"]["gitVersion"] + \
        "-minikctl"
    server = theirs["serverVersion"]["gitVersion"]
    plain = minikctl(env, "version")
    assert plain.out == f"Client Version: v1.37.1-minikctl\nServer Version: {server}\n"
    assert minikctl(env, "version", "--client").out == "Client Version: v1.37.1-minikctl\n"
    assert minikctl(env, "version", "-o", "yaml").out.startswith("clientVersion:\n  buildDate:")
    bad, theirs_bad = minikctl(env, "version", "-o", "x"), kubectl(env, "version", "-o", "x")
    assert (bad.code, bad.out, bad.err) == (theirs_bad.code, theirs_bad.out, theirs_bad.err)


def test_cluster_info(env: dict[str, str], server: Any) -> None:
    theirs, ours = kubectl(env, "cluster-info"), minikctl(env, "cluster-info")
    assert ours.code == theirs.code == 0
    assert ours.out.split("\n\n")[0] == theirs.out.split("\n\n")[0]
    assert ours.out.startswith(f"Kubernetes control plane is running at {server.url}\n")
    assert "minikctl describe nodes" in ours.out
    assert minikctl(env, "cluster-info", "extra").out == ours.out
