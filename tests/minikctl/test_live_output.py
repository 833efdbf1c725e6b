"""`get -o jsonpath|custom-columns`, `--sort-by` and their errors against a real server, byte for
byte with kubectl. Sixteen pods with repeated label values make `--sort-by` ties, which only an
exact copy of Go's sort.Sort puts in kubectl's order."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from kubectl_parity import assert_same, assert_same_many, drop_namespace, make_namespace
from support import wait_for

TIERS = ("web", "db", "cache", "web", "web", "db")


@pytest.fixture(scope="module")
def pods(server: Any) -> Iterator[tuple[dict[str, str], str]]:
    namespace = make_namespace(server, "ctl-out")
    for index in range(16):
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": f"pod-{index}", "labels": {
                "tier": TIERS[index % len(TIERS)], "rank": str(index % 3)},
                "annotations": {"note": f"n{index % 4}"}},
            "spec": {"containers": [{"name": "c", "image": f"img:{index % 5}",
                                     "ports": [{"containerPort": 8000 + index % 2}]}]}})
        assert status == 201, body
    wait_for(lambda: all(p.get("status", {}).get("phase") == "Running" for p in server.request(
        "GET", f"/api/v1/namespaces/{namespace}/pods")[1]["items"]), timeout=30,
        message="pods running")
    yield dict(server.env), namespace
    drop_namespace(server, namespace)


TEMPLATES = [
    "jsonpath={.items[*].metadata.name}",
    'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels}{"\\n"}{end}',
    'jsonpath={range .items[*]}[{.metadata.name},{range .spec.containers[*]}{.name};{end}]{end}',
    "jsonpath={.items[?(@.metadata.labels.tier==\"db\")].metadata.name}",
    "jsonpath={.items[0].spec.containers[0].ports}", "jsonpath={.items[-2:].metadata.name}",
    "jsonpath={..containerPort}", "jsonpath={.items[*].metadata.nope}",
    "jsonpath-as-json={.items[0:2].metadata.name}",
    "custom-columns=NAME:.metadata.name,TIER:.metadata.labels.tier,PORTS:.spec.containers[*]"
    ".ports[*].containerPort,LABELS:.metadata.labels,NONE:.nope",
]


def test_templates(pods: tuple[dict[str, str], str]) -> None:
    """JSONPath (with range/end, filters, slices) and custom columns."""
    env, namespace = pods
    assert_same_many(env, [["get", "pods", "-n", namespace, "-o", output]
                           for output in TEMPLATES])


SORTS = [
    ["--sort-by=.metadata.labels.tier"], ["--sort-by={.metadata.labels.rank}"],
    ["--sort-by=.metadata.name", "-o", "name"], ["--sort-by=.spec.containers[0].image", "-o",
                                                 "wide"],
    ["--sort-by=.metadata.annotations.note", "-o", "custom-columns=N:.metadata.name"],
    ["--sort-by=.spec.containers[0].ports[0].containerPort", "--no-headers"],
    ["--sort-by=.metadata.nope"], ["-l", "tier=db", "--sort-by=.metadata.name", "-o", "yaml"],
]


def test_sort_by(pods: tuple[dict[str, str], str]) -> None:
    """Sorting, ties included, in every output form."""
    env, namespace = pods
    assert_same_many(env, [["get", "pods", "-n", namespace, *args] for args in SORTS])


BAD_TEMPLATES = [
    "bogus", "jsonpath", "jsonpath={.a", "custom-columns=", "custom-columns=A",
    "jsonpath={.items[40]}", "jsonpath={.items[*].metadata.name}{end}",
]


def test_template_errors(pods: tuple[dict[str, str], str]) -> None:
    """Unknown formats and templates that do not parse or run."""
    env, namespace = pods
    assert_same_many(env, [["get", "pods", "-n", namespace, "-o", output]
                           for output in BAD_TEMPLATES])


def test_single_object_and_files(pods: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, namespace = pods
    assert_same(env, "get", "pod", "pod-3", "-n", namespace, "-o",
                'jsonpath={.metadata.name}:{.spec.containers[0].image}{"\\n"}')
    columns = tmp_path / "columns.txt"
    columns.write_text("NAME IMAGE\n.metadata.name .spec.containers[0].image\n")
    assert_same(env, "get", "pods", "-n", namespace, "-o", f"custom-columns-file={columns}")
    template = tmp_path / "template.txt"
    template.write_text('{range .items[*]}{.metadata.annotations.note}{"\\n"}{end}')
    assert_same(env, "get", "pods", "-n", namespace, "-o", f"jsonpath-file={template}")
