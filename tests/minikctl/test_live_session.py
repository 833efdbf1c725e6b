"""Configuration and discovery against a real server: kubeconfig lists, contexts, --server,
the discovery cache and its refresh, and legacy discovery agreeing with aggregated discovery."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kubectl_parity import minikctl
from minikctl.client import Client
from minikctl.discovery import CACHE_FILE, Discovery, cache_dir_for
from minikctl.kubeconfig import ClientConfig


def kubeconfig(path: Path, server: str, namespace: str = "", current: str = "ctx") -> str:
    ns = f"\n    namespace: {namespace}" if namespace else ""
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {server}
users:
- name: u
  user:
    token: not-checked
contexts:
- name: ctx
  context:
    cluster: c
    user: u{ns}
current-context: {current}
""")
    return str(path)


def test_kubeconfig_list_context_namespace_and_server_flag(server: Any, namespace: str,
                                                           tmp_path: Path) -> None:
    env = dict(server.env)
    broken = kubeconfig(tmp_path / "first", "http://127.0.0.1:1", current="")
    real = kubeconfig(tmp_path / "second", server.url, namespace=namespace)
    env["KUBECONFIG"] = os.pathsep.join([str(tmp_path / "missing"), real, broken])
    made = minikctl(env, "create", "-f", "-", stdin=(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"))
    assert (made.code, made.out) == (0, "service/web created\n")
    listed = minikctl(env, "get", "svc", "-o", "name")
    assert listed.out == "service/web\n"
    bare = dict(server.env, KUBECONFIG=str(tmp_path / "none"))
    via_flag = minikctl(bare, "--server", server.url, "get", "svc", "web", "-n", namespace,
                        "-o", "name")
    assert (via_flag.code, via_flag.out) == (0, "service/web\n")
    wrong = minikctl(env, "get", "svc", "--context", "nope")
    assert (wrong.code, wrong.err) == (1, "Error in configuration: context was not found for "
                                          "specified context: nope\n")


def test_discovery_is_cached_and_refreshed_for_unknown_names(server: Any, tmp_path: Path) -> None:
    env = dict(server.env, KUBECACHEDIR=str(tmp_path / "cache"))
    assert minikctl(env, "get", "pods", "-n", "default").code == 0
    cached = cache_dir_for(tmp_path / "cache", server.url) / CACHE_FILE
    resources = json.loads(cached.read_text())["resources"]
    assert {"replicationcontrollers", "pods", "services"} <= {r["plural"] for r in resources}
    # a cache that lacks a kind is refreshed once when a name does not resolve
    cached.write_text(json.dumps({"resources": [r for r in resources if r["plural"] == "pods"]}))
    result = minikctl(env, "get", "rc", "-n", "default")
    assert result.code == 0, result.err
    assert len(json.loads(cached.read_text())["resources"]) == len(resources)
    unknown = minikctl(env, "get", "widgets")
    assert (unknown.code, unknown.err) == (
        1, 'error: the server doesn\'t have a resource type "widgets"\n')
    by_flag = minikctl(dict(env, KUBECACHEDIR=""), "--cache-dir", str(tmp_path / "other"),
                       "get", "svc", "-n", "default")
    assert by_flag.code == 0
    assert (cache_dir_for(tmp_path / "other", server.url) / CACHE_FILE).exists()


def test_discovery_cache_is_dropped_when_the_server_lacks_a_cached_kind(
        server: Any, tmp_path: Path) -> None:
    """A kind removed from the server (a stale cache) answers a bare 404; the next run asks
    discovery again instead of trusting the cache for six hours."""
    env = dict(server.env, KUBECACHEDIR=str(tmp_path / "cache"))
    assert minikctl(env, "get", "pods", "-n", "default").code == 0
    cached = cache_dir_for(tmp_path / "cache", server.url) / CACHE_FILE
    resources = json.loads(cached.read_text())["resources"]
    gone = dict(next(r for r in resources if r["plural"] == "pods"), plural="widgets",
                singular="widget", kind="Widget", group="example.com", shortNames=[])
    cached.write_text(json.dumps({"resources": resources + [gone]}))
    stale = minikctl(env, "get", "widgets", "-n", "default")
    assert (stale.code, stale.err) == (
        1, 'Error from server (NotFound): Unable to list "example.com/v1, Resource=widgets": the '
           "server could not find the requested resource (get widgets.example.com)\n")
    assert not cached.exists()
    fresh = minikctl(env, "get", "widgets", "-n", "default")
    assert (fresh.code, fresh.err) == (
        1, 'error: the server doesn\'t have a resource type "widgets"\n')
    assert "widgets" not in cached.read_text()


def test_legacy_discovery_agrees_with_aggregated(server: Any) -> None:
    client = Client(ClientConfig(server=server.url, namespace="default"))
    discovery = Discovery(client, None)
    aggregated = {(r.group, r.version, r.plural, r.kind, r.namespaced)
                  for r in discovery.resources()}
    legacy = discovery._legacy_core(client.get("/api"))
    legacy += discovery._legacy_groups(client.get("/apis"))
    assert {(r.group, r.version, r.plural, r.kind, r.namespaced) for r in legacy} == aggregated
    rc = next(r for r in legacy if r.plural == "replicationcontrollers")
    assert "rc" in rc.short_names and "all" in rc.categories
    client.close()
