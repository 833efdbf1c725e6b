"""`completion`: the bash script, run by a real bash against a real server, completes commands,
flags, kinds and live object names; the hidden `__complete` it calls answers the same for zsh
and fish; usage errors are kubectl's."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Iterator

import pytest

from kubectl_parity import REPO, assert_same, drop_namespace, make_namespace, minikctl


@pytest.fixture(scope="module")
def shell_env(server: Any, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[dict[str, str], str]]:
    """An environment whose PATH has a `minikctl`, and a namespace with two pods and an RC."""
    bin_dir = tmp_path_factory.mktemp("bin")
    program = bin_dir / "minikctl"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m minikctl "$@"\n')
    program.chmod(0o755)
    namespace = make_namespace(server, "ctl-comp")
    for name in ("alpha", "beta"):
        status, body = server.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "x"}]}})
        assert status == 201, body
    env = dict(server.env, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=str(REPO))
    yield env, namespace
    drop_namespace(server, namespace)


def _bash(env: dict[str, str], words: list[str]) -> list[str]:
    """COMPREPLY after typing `words` (the last one is the word being completed)."""
    quoted = " ".join(f"'{w}'" for w in ["minikctl", *words])
    script = (f"source <(minikctl completion bash)\nCOMP_WORDS=({quoted})\n"
              f"COMP_CWORD={len(words)}\n_minikctl\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=30, check=True)
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_kinds_names_and_flags(
        shell_env: tuple[dict[str, str], str]) -> None:
    env, namespace = shell_env
    assert _bash(env, ["ap"]) == ["apply", "api-resources", "api-versions"]
    assert "pods" in _bash(env, ["get", ""]) and "leases.coordination.k8s.io" in _bash(
        env, ["get", ""])
    assert _bash(env, ["-n", namespace, "get", "pods", ""]) == ["alpha", "beta"]
    assert _bash(env, ["get", "pods", "alpha", "-n", namespace, ""]) == ["beta"]
    assert _bash(env, ["describe", "--namespace", namespace, "pod/b"]) == ["pod/beta"]
    assert _bash(env, ["logs", f"--namespace={namespace}", "a"]) == ["alpha"]
    assert _bash(env, ["get", "po,se"]) == ["po,secrets", "po,services"]
    assert _bash(env, ["get", "--no-h"]) == ["--no-headers"]
    assert namespace in _bash(env, ["get", "pods", "-n", "ctl-comp"])
    assert _bash(env, ["config", "use-context", ""]) == ["minik"]
    assert _bash(env, ["completion", "z"]) == ["zsh"]
    assert _bash(env, ["-s", "http://127.0.0.1:1", "get", "pods", ""]) == []


def test_complete_for_zsh_and_fish(shell_env: tuple[dict[str, str], str]) -> None:
    env, namespace = shell_env
    answer = minikctl(env, "__complete", "-n", namespace, "get", "pod", "")
    assert (answer.code, answer.out, answer.err) == (0, "alpha\nbeta\n", "")
    verbs = minikctl(env, "__complete", "des").out
    assert verbs == "describe\tShow details of a specific resource or group of resources\n"


def test_scripts_and_usage(shell_env: tuple[dict[str, str], str]) -> None:
    env, _ = shell_env
    for shell in ("bash", "zsh", "fish"):
        script = minikctl(env, "completion", shell)
        assert script.code == 0 and "minikctl __complete" in script.out
    bash = minikctl(env, "completion", "bash").out
    assert subprocess.run(["bash", "-n"], input=bash, text=True).returncode == 0
    for args in ([], ["bash", "zsh"], ["tcsh"]):
        assert_same(env, "completion", *args)


def test_hidden_command_is_not_offered(shell_env: tuple[dict[str, str], str]) -> None:
    env, _ = shell_env
    assert "__complete" not in minikctl(env, "--help").out
    assert "__complete" not in minikctl(env, "__complete", "").out
    unknown = minikctl(env, "__compl")
    assert unknown.code == 1 and "__complete" not in unknown.err
