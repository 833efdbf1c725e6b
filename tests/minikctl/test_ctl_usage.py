"""Usage errors in kubectl's words with exit code 1, help text, and failures without a server.

Expected texts were taken from the real kubectl 1.37 (`kubectl --kubeconfig /dev/null ...`), with
the program name changed to minikctl. Everything here runs without an API server.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from minikctl.cli import COMMANDS, EXAMPLES, main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("args,message", [
    (["scale", "rc", "foo", "--relicas=3"],
     "error: unknown flag: --relicas\nDid you mean --replicas?\n"
     "See 'minikctl scale --help' for usage.\n"),
    (["get", "--bogus"], "error: unknown flag: --bogus\nSee 'minikctl get --help' for usage.\n"),
    (["--bogus", "get"], "error: unknown flag: --bogus\nSee 'minikctl --help' for usage.\n"),
    (["scale", "-xf"], "error: unknown shorthand flag: 'x' in -xf\n"
                       "See 'minikctl scale --help' for usage.\n"),
    (["scale", "--replicas"], "error: flag needs an argument: --replicas\n"
                              "See 'minikctl scale --help' for usage.\n"),
    (["create", "-f"], "error: flag needs an argument: 'f' in -f\n"
                       "See 'minikctl create --help' for usage.\n"),
    (["scale", "rc/x", "--replicas=abc"],
     'error: invalid argument "abc" for "--replicas" flag: strconv.ParseInt: parsing "abc": '
     "invalid syntax\nSee 'minikctl scale --help' for usage.\n"),
    (["-v", "abc", "get", "pods"],
     'error: invalid argument "abc" for "-v, --v" flag: strconv.ParseInt: parsing "abc": '
     "invalid syntax\nSee 'minikctl get --help' for usage.\n"),
    (["get", "pods", "--show-labels=abc"],
     'error: invalid argument "abc" for "--show-labels" flag: strconv.ParseBool: parsing "abc": '
     "invalid syntax\nSee 'minikctl get --help' for usage.\n"),
    (["delete", "rc", "x", "--timeout=abc"],
     'error: invalid argument "abc" for "--timeout" flag: time: invalid duration "abc"\n'
     "See 'minikctl delete --help' for usage.\n"),
    (["scale", "rc", "foo"], 'error: required flag(s) "replicas" not set\n'),
    (["scale", "--replicas=-1", "rc", "x"], "error: The --replicas=COUNT flag is required, and "
                                            "COUNT must be greater than or equal to 0\n"),
    (["create"], "error: must specify one of -f and -k\n"),
    (["create", "-f", "x.yaml", "extra"], "error: Unexpected args: [extra]\n"
                                          "See 'minikctl create -h' for help and examples\n"),
    (["delete", "rc", "x", "--cascade=bad"],
     'error: invalid cascade value (bad). Must be "background", "foreground", or "orphan"\n'),
    (["delete", "rc", "x", "--now", "--grace-period=3"],
     "error: --now and --grace-period cannot be specified together\n"),
    (["get", "pods", "--request-timeout=abc"],
     "error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
     "followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n"),
    (["bogus"], 'error: unknown command "bogus" for "minikctl"\n\nDid you mean this?\n\tlogs\n'),
    (["frobnicate"], 'error: unknown command "frobnicate" for "minikctl"\n'),
    (["lbl"], 'error: unknown command "lbl" for "minikctl"\n\nDid you mean this?\n\tlabel\n'),
    (["gte"], 'error: unknown command "gte" for "minikctl"\n\nDid you mean this?\n\tget\n'),
])
def test_usage_errors_exit_1_in_kubectls_words(capsys: pytest.CaptureFixture[str],
                                               args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (1, "", message)


def test_get_without_a_type(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "get")
    assert code == 1
    assert err == ('You must specify the type of resource to get. Use "minikctl api-resources" '
                   "for a complete list of supported resources.\n\nerror: Required resource not "
                   'specified.\nUse "minikctl explain <resource>" for a detailed description of '
                   "that resource (e.g. minikctl explain pods).\nSee 'minikctl get -h' for help "
                   "and examples\n")


def test_delete_without_resources(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "delete") == (1, "", (
        "error: You must provide one or more resources by argument or filename.\n"
        "Example resource specifications include:\n   '-f rsrc.yaml'\n"
        "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n"))


def test_no_kubeconfig_says_how_to_start_the_server(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "get", "pods")
    assert code == 1
    assert err.startswith("error: no API server configured: start one with `minik-apiserver`")


def test_refused_connection(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run(capsys, "--server", f"http://127.0.0.1:{port}", "get", "pods")
    assert (code, err) == (1, f"The connection to the server 127.0.0.1:{port} was refused - did "
                              f"you specify the right host or port?\n")


def test_unknown_host(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "get", "pods", "-s", "http://nosuchhost.invalid:1")
    assert code == 1
    assert err == "Unable to connect to the server: dial tcp: lookup nosuchhost.invalid: no such host\n"


def test_timeouts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A server that accepts and never answers: kubectl's words for a timed-out discovery
    request and for a timed-out request once discovery is cached."""
    import json

    from minikctl.discovery import CACHE_FILE, cache_dir_for
    from minikctl.resources import Resource

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        server = f"http://127.0.0.1:{silent.getsockname()[1]}"
        code, _, err = run(capsys, "--server", server, "get", "pods", "--request-timeout=1s")
        assert (code, err) == (1, "Unable to connect to the server: context deadline exceeded\n")
        cached = cache_dir_for(tmp_path / "cache", server) / CACHE_FILE
        cached.parent.mkdir(parents=True)
        pods = Resource("", "v1", "pods", "Pod", True, "pod", ("po",), ("all",), ("get", "list"))
        cached.write_text(json.dumps({"resources": [pods.to_json()]}))
        code, _, err = run(capsys, "--server", server, "get", "pods", "--request-timeout=1")
        assert (code, err) == (1, "Unable to connect to the server: context deadline exceeded "
                                  "(Client.Timeout exceeded while awaiting headers)\n")


def test_help_lists_every_command_and_every_command_has_examples(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert set(EXAMPLES) == set(COMMANDS)
    for name, (_, summary, _) in COMMANDS.items():
        assert f"  {name:<15} {summary}\n" in out
        assert f"\n  {EXAMPLES[name]}\n" in out  # the root help shows one example per command
        code, text, _ = run(capsys, name, "--help")
        assert code == 0
        assert "\nExamples:\n  # " in text and f"  minikctl {name}" in text
        assert f"\n  {EXAMPLES[name]}\n" in text  # ... taken from the command's own help
        assert "\nUsage:\n  minikctl " in text


def test_help_shows_flags_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    _, text, _ = run(capsys, "delete", "-h")
    assert "    --wait=true:\n\tIf true, wait for resources to be gone before returning.\n" in text
    assert "    -f, --filename=[]:\n" in text
    assert "--no-wait" not in text
    _, text, _ = run(capsys, "options")
    assert "    -n, --namespace='':\n" in text


def test_help_does_not_import_commands_or_http() -> None:
    import subprocess
    import sys

    code = ("import sys; from minikctl.cli import main; main(['--help']); "
            "print(sorted(m for m in sys.modules if m.startswith('minikctl.commands.') "
            "or m in ('http.client', 'yaml')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]"
