"""Kubeconfig discovery and merging with kubectl's precedence, and minik's default location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from minikctl.errors import MinikctlError, PlainError
from minikctl.kubeconfig import load, merge


def write(path: Path, server: str, context: str = "c1", namespace: str | None = None,
          current: str | None = "c1", cluster: str = "k1", extra_cluster: str = "") -> str:
    ns = f"\n    namespace: {namespace}" if namespace else ""
    cur = f"current-context: {current}\n" if current else ""
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    server: {server}{extra_cluster}
users:
- name: u1
  user:
    token: secret-{cluster}
contexts:
- name: {context}
  context:
    cluster: {cluster}
    user: u1{ns}
{cur}""")
    return str(path)


def test_explicit_kubeconfig_and_namespace_from_context(tmp_path: Path) -> None:
    path = write(tmp_path / "a", "http://127.0.0.1:1234", namespace="team")
    config = load({"kubeconfig": path}, {})
    assert (config.server, config.namespace, config.token) == (
        "http://127.0.0.1:1234", "team", "secret-k1")
    assert not config.namespace_explicit
    override = load({"kubeconfig": path, "namespace": "other"}, {})
    assert (override.namespace, override.namespace_explicit) == ("other", True)


def test_kubeconfig_list_merges_first_definition_wins(tmp_path: Path) -> None:
    first = write(tmp_path / "a", "http://first:1", current=None, cluster="k1")
    second = write(tmp_path / "b", "http://second:2", current="c1", cluster="k1")
    listed = os.pathsep.join([str(tmp_path / "missing"), first, second])
    config = load({}, {"KUBECONFIG": listed})
    assert config.server == "http://first:1"  # cluster k1 from the first file, context from b
    assert config.namespace == "default"


def test_merge_keeps_first_current_context() -> None:
    merged = merge([{"current-context": ""}, {"current-context": "x"}, {"current-context": "y"}])
    assert merged["current-context"] == "x"


def test_server_flag_alone_needs_no_file(tmp_path: Path) -> None:
    config = load({"server": "127.0.0.1:9"}, {"KUBECONFIG": str(tmp_path / "none")})
    assert config.server == "http://127.0.0.1:9"


def test_context_flag_selects_and_unknown_context_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a", "http://127.0.0.1:1", context="other", current=None)
    assert load({"kubeconfig": path, "context": "other"}, {}).server == "http://127.0.0.1:1"
    with pytest.raises(PlainError, match="^Error in configuration: context was not found for "
                                         "specified context: nope$"):
        load({"kubeconfig": path, "context": "nope"}, {})


def test_missing_explicit_file_and_no_configuration(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MinikctlError, match=f"stat {tmp_path}/nope: no such file or directory"):
        load({"kubeconfig": str(tmp_path / "nope")}, {})
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(MinikctlError, match="start one with `minik-apiserver`"):
        load({}, {})


def test_default_is_the_minik_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".minik").mkdir()
    write(tmp_path / ".minik" / "kubeconfig", "http://127.0.0.1:4242")
    assert load({}, {}).server == "http://127.0.0.1:4242"


def test_relative_certificate_paths_follow_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a", "https://127.0.0.1:6443",
                 extra_cluster="\n    certificate-authority: certs/ca.crt")
    config = load({"kubeconfig": path}, {})
    assert config.ca_file == str(tmp_path / "certs" / "ca.crt")
    assert config.uses_tls
