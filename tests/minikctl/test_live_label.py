"""`label` and `annotate` against a real server: the same sequence of commands in twin
namespaces gives kubectl's lines, errors and exit codes, and the same labels on the server."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_parity import assert_same_effect, minikctl

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{app: shop, tier: web}}\n"
       "spec:\n  containers:\n  - {{name: c, image: busybox}}\n")


def _pods(server: Any, namespace: str) -> None:
    for name in ("one", "two"):
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": name, "labels": {"app": "shop", "tier": "web"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        assert status == 201, body


LABEL_STEPS = [
    ["label", "pod", "one", "env=prod"], ["label", "pod", "one", "env=prod"],
    ["label", "pod", "one", "env=dev"], ["label", "pod", "one", "env=dev", "--overwrite"],
    ["label", "pod", "one", "env-"], ["label", "pod", "one", "env-"],
    ["label", "pod", "one", "a=1", "tier-"], ["label", "pod", "one", "a-", "b=2", "--overwrite"],
    ["label", "pod", "one"], ["label", "pod", "one", "a=1", "a-"],
    ["label", "pod", "one", "a=b=c"], ["label", "pods", "--all", "c=3"],
    ["label", "pods", "-l", "app=shop", "d=4"], ["label", "pods", "-l", "app=shop", "d=5"],
    ["label", "pod/one", "pod/nosuch", "f=1"], ["label", "pod", "one", "x=1", "pod"],
    ["label", "pod", "one", "e=1", "--dry-run=server"], ["label", "pod", "one", "e=1",
                                                         "--dry-run=client", "-o", "name"],
    ["label", "pods", "f=1"], ["label", "pods", "--all", "-l", "a=b", "g=1"],
    ["label", "pod", "one", "bad value=x"], ["label", "--list", "pod", "one", "-o", "yaml"],
    ["label", "pod", "one", "h=1", "--resource-version=1"],
    ["get", "pods", "--show-labels", "--no-headers", "-o", "name"],
]
ANNOTATE_STEPS = [
    ["annotate", "pod", "one", "x=1"], ["annotate", "pod", "one", "x=2"],
    ["annotate", "pod", "one", "x=2", "--overwrite"], ["annotate", "pod", "one", "x-"],
    ["annotate", "pod", "one", "x-"], ["annotate", "pods", "--all", "y=1", "z=2"],
    ["annotate", "pod", "one", "w=1", "--dry-run=client", "-o", "name"],
    ["annotate", "pod", "nosuch", "w=1"], ["annotate", "pod", "one"],
]


@pytest.mark.parametrize("steps", [LABEL_STEPS, ANNOTATE_STEPS], ids=["label", "annotate"])
def test_sequence_matches_kubectl(env: dict[str, str], twins: tuple[str, str], server: Any,
                                  steps: list[list[str]]) -> None:
    for namespace in twins:
        _pods(server, namespace)
    for step in steps:
        assert_same_effect(env, lambda ns, s=step: [*s, "-n", ns], twins)  # type: ignore[misc]
    theirs = server.request("GET", f"/api/v1/namespaces/{twins[0]}/pods")[1]["items"]
    ours = server.request("GET", f"/api/v1/namespaces/{twins[1]}/pods")[1]["items"]
    for field in ("labels", "annotations"):
        assert [p["metadata"].get(field) for p in ours] == [p["metadata"].get(field)
                                                            for p in theirs]


def test_list_is_sorted(env: dict[str, str], twins: tuple[str, str], server: Any) -> None:
    """Deliberate difference: kubectl prints --list in Go's random map order."""
    _pods(server, twins[1])
    listed = minikctl(env, "label", "pod", "one", "--list", "-n", twins[1])
    assert (listed.code, listed.out) == (0, "app=shop\ntier=web\n")
    several = minikctl(env, "label", "pods", "--all", "--list", "-n", twins[1])
    assert several.out.startswith("Listing labels for Pod./one:\n app=shop\n tier=web\n")
