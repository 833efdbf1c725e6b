"""`config` against kubectl on twin copies of the same kubeconfig files: the same sequence of
commands prints the same output and leaves byte-identical files. No server is needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubectl_parity import Outcome, as_minikctl, run_pair

FIRST = """apiVersion: v1
kind: Config
current-context: one
clusters:
- name: k1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: Q0VSVA==
- name: k2
  cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true}
contexts:
- name: one
  context: {cluster: k1, user: u1, namespace: shop}
- name: two
  context: {cluster: k2, user: u2}
users:
- name: u1
  user: {token: s3cret, client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
- name: u2
  user: {username: admin, password: pa55}
"""
SECOND = """apiVersion: v1
kind: Config
clusters:
- name: k3
  cluster: {server: "http://127.0.0.1:9090"}
contexts:
- name: three
  context: {cluster: k3, user: u1}
users: []
"""

STEPS = [
    ["view"], ["view", "--raw"], ["view", "--minify"], ["view", "-o", "json"],
    ["view", "-o", "jsonpath={.contexts[*].name}"], ["view", "--minify", "--context=two"],
    ["view", "--context=nope"], ["view", "--minify", "--context=nope"],
    ["view", "--minify", "--raw", "-o", "json"], ["current-context"], ["get-contexts"],
    ["get-contexts", "two"], ["get-contexts", "nope"], ["get-contexts", "-o", "name"],
    ["get-contexts", "--no-headers"], ["get-clusters"], ["get-users"],
    ["use-context", "two"], ["current-context"], ["use-context", "nope"], ["use-context"],
    ["set-context", "--current", "--namespace=web"], ["get-contexts"],
    ["set-context", "four", "--cluster=k1", "--user=u2"], ["set-context", "one", "--namespace=x"],
    ["set-context", "one", "--current"], ["use-context", "three"], ["view"],
    ["set-context", "--current", "--namespace=three-ns"], ["view", "--minify"],
    ["bogus"], [],
]


def _twin(root: Path) -> dict[str, str]:
    root.mkdir()
    (root / "home").mkdir()
    (root / "first").write_text(FIRST)
    (root / "second").write_text(SECOND)
    env = dict(os.environ, HOME=str(root / "home"), TZ="UTC", NO_COLOR="1",
               KUBECONFIG=f"{root / 'first'}{os.pathsep}{root / 'second'}")
    return env


@pytest.mark.parametrize("flags", [[], ["--kubeconfig"]], ids=["merged", "one-file"])
def test_config_matches_kubectl(tmp_path: Path, flags: list[str]) -> None:
    theirs_root, ours_root = tmp_path / "k", tmp_path / "m"
    theirs_env, ours_env = _twin(theirs_root), _twin(ours_root)
    for step in STEPS:
        theirs_args = [*step, f"--kubeconfig={theirs_root / 'first'}"] if flags else step
        ours_args = [*step, f"--kubeconfig={ours_root / 'first'}"] if flags else step
        theirs, ours = run_pair(["config", *theirs_args], theirs_env, ["config", *ours_args],
                                ours_env)
        theirs = as_minikctl(theirs, {str(theirs_root): "<root>"})
        if step == ["use-context"]:  # both print their own help first
            assert ours.out.startswith("Set the current-context in a kubeconfig file.\n")
            ours, theirs = Outcome(ours.code, "", ours.err), Outcome(theirs.code, "", theirs.err)
        if not step:  # both print their own help on stderr
            assert ours.err.startswith("Modify kubeconfig files using subcommands")
            assert ours.err.endswith("(applies to all commands).\n")
            ours, theirs = Outcome(ours.code, ours.out, ""), Outcome(theirs.code, theirs.out, "")
        if step == ["get-clusters"]:  # kubectl lists clusters in Go's random map order
            theirs = Outcome(theirs.code, "".join(sorted(theirs.out.splitlines(True)[1:])),
                             theirs.err)
            assert ours.out.startswith("NAME\n")
            ours = Outcome(ours.code, ours.out[len("NAME\n"):], ours.err)
        ours = Outcome(ours.code, ours.out.replace(str(ours_root), "<root>"),
                       ours.err.replace(str(ours_root), "<root>"))
        assert ours == theirs, f"config {step}\n--- kubectl\n{theirs}\n--- minikctl\n{ours}"
        for name in ("first", "second"):
            assert (ours_root / name).read_text() == (theirs_root / name).read_text(), \
                f"config {step}: {name} differs"
