"""Security: loopback by default and a warning for an open non-loopback bind; bearer tokens
from kube-apiserver's --token-auth-file with kube's 401 (health checks stay anonymous); HTTPS
with --tls-cert-file/--tls-private-key-file; private files; and object content is data, never
something run or interpolated into a shell."""

from __future__ import annotations

import ast
import base64
import http.client
import json
import shutil
import ssl
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from support import REPO, Server, free_port, run, wait_for

UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
TOKENS = 'first-token-0123456789,alice,1001,"admins,devs"\nsecond-token-abcdef,bob,1002\n'
OPEN_WARNING = "without authentication"


def _token_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.csv"
    path.write_text(TOKENS)
    return path


def _get(srv: Server, path: str, token: str | None = None, scheme: str = "http",
         context: ssl.SSLContext | None = None) -> tuple[int, Any]:
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    headers = {"Authorization": token} if token else {}
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode()


def test_bearer_tokens_as_kube_apiserver(servers: Callable[..., Server], tmp_path: Path) -> None:
    srv = servers("--no-controllers", "--token-auth-file", str(_token_file(tmp_path)))
    for header in (None, "Bearer wrong", "Bearer ", "Basic Zmlyc3Q6eA==", "first-token-0123456789",
                   "Bearer first-token-012345678"):
        assert _get(srv, "/api/v1/namespaces", header) == (401, UNAUTHORIZED), header
    assert _get(srv, "/version")[0] == 401
    for path in ("/healthz", "/livez", "/readyz"):
        assert _get(srv, path) == (200, "ok")
    assert _get(srv, "/api/v1/namespaces", "Bearer first-token-0123456789")[0] == 200
    assert _get(srv, "/api/v1/namespaces", "bearer second-token-abcdef")[0] == 200
    # The kubeconfig the server writes carries the first token. (kubectl sends tokens only
    # over HTTPS, see test_https_with_a_token; minikctl sends them over plain HTTP too.)
    config = yaml.safe_load(Path(srv.kubeconfig).read_text())
    assert config["users"][0]["user"] == {"token": "first-token-0123456789"}
    result = run(["minikctl", "get", "namespaces", "-o", "name"], srv)
    assert result.returncode == 0 and "namespace/default" in result.stdout, result.stderr
    result = run(["minikctl", "get", "pods", "--token", "stolen"], srv)
    assert result.returncode == 1 and result.stderr.startswith("error: You must be logged in to the server ("), \
        result.stderr
    assert "kubectl sends bearer tokens only over HTTPS" in srv.log()


@pytest.mark.parametrize("content, message", [
    ("only-token,alice\n", "must have at least 3 columns (token, user name, user uid), found 2"),
    ("", "holds no token"),
])
def test_a_broken_token_file_stops_the_server(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text(content)
    result = subprocess.run([sys.executable, "-m", "apiserver", "--data-dir", str(tmp_path / "d"), "--port",
                             str(free_port()), "--token-auth-file", str(path)],
                            capture_output=True, text=True, timeout=30, cwd=REPO)
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert not (tmp_path / "d" / "kubeconfig").exists()


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the openssl command line if there is one,
    else the `cryptography` package; the test is skipped when neither is available."""
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    if shutil.which("openssl"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=minik",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)
        return cert, key
    crypto = pytest.importorskip("cryptography", reason="neither openssl nor cryptography to make a certificate")
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    assert crypto is not None
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minik")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


class TLSServer(Server):
    """support.Server, polling readiness over HTTPS."""

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"apiserver exited with {self.proc.returncode}: {self.log()}")
        context = ssl.create_default_context(cafile=str(self.data_dir.parent / "tls.crt"))
        try:
            return _get(self, "/readyz", scheme="https", context=context)[0] == 200
        except OSError:
            return False


def test_https_with_a_token(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    srv = TLSServer(tmp_path / "minik", free_port(), ["--no-controllers", "--token-auth-file",
                                                      str(_token_file(tmp_path)), "--tls-cert-file", str(cert),
                                                      "--tls-private-key-file", str(key)])
    try:
        srv.start()
        context = ssl.create_default_context(cafile=str(cert))
        assert _get(srv, "/api/v1/namespaces", scheme="https", context=context) == (401, UNAUTHORIZED)
        status, body = _get(srv, "/api/v1/namespaces", "Bearer second-token-abcdef", "https", context)
        assert status == 200 and body["kind"] == "NamespaceList"
        with pytest.raises(ssl.SSLError):  # an unknown authority is refused
            _get(srv, "/readyz", scheme="https", context=ssl.create_default_context())
        with pytest.raises((OSError, http.client.HTTPException)):  # plain HTTP gets no answer
            _get(srv, "/readyz")
        config = yaml.safe_load(Path(srv.kubeconfig).read_text())
        cluster = config["clusters"][0]["cluster"]
        assert cluster["server"] == f"https://127.0.0.1:{srv.port}"
        assert base64.b64decode(cluster["certificate-authority-data"]) == cert.read_bytes()
        for cli in ("kubectl", "minikctl"):
            result = run([cli, "get", "namespace", "default", "-o", "name"], srv)
            assert (result.returncode, result.stdout) == (0, "namespace/default\n"), (cli, result.stderr)
        denied = [run([cli, "get", "namespaces", "--token", "stolen"], srv) for cli in ("kubectl", "minikctl")]
        assert [d.returncode for d in denied] == [1, 1]
        assert denied[0].stderr.splitlines()[-1] == denied[1].stderr.splitlines()[-1], [d.stderr for d in denied]
        assert "Warning" not in srv.log()
    finally:
        srv.stop()


def _modes(data_dir: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in data_dir.iterdir()
            if p.name.startswith("minik.db") or p.name == "kubeconfig"}


def test_private_files_and_loopback_by_default(servers: Callable[..., Server]) -> None:
    srv = servers("--no-controllers")
    srv.request("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "x"}})
    modes = _modes(srv.data_dir)
    assert {"kubeconfig", "minik.db", "minik.db-wal"} <= modes.keys(), modes
    assert all(mode == 0o600 for mode in modes.values()), {k: oct(v) for k, v in modes.items()}
    assert yaml.safe_load(Path(srv.kubeconfig).read_text())["clusters"][0]["cluster"]["server"] == \
        f"http://127.0.0.1:{srv.port}"
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{srv.port}"], capture_output=True, text=True) \
        if shutil.which("ss") else None
    if listening is not None and listening.returncode == 0:
        assert f"127.0.0.1:{srv.port}" in listening.stdout, listening.stdout
    assert OPEN_WARNING not in srv.log()


def test_open_binds_warn_unless_authenticated(servers: Callable[..., Server], tmp_path: Path) -> None:
    open_srv = servers("--no-controllers", "--bind-address", "0.0.0.0", name="open")
    assert OPEN_WARNING in open_srv.log()
    cert, key = _certificate(tmp_path)
    tls = TLSServer(tmp_path / "closed", free_port(), ["--no-controllers", "--bind-address", "0.0.0.0",
                                                       "--token-auth-file", str(_token_file(tmp_path)),
                                                       "--tls-cert-file", str(cert), "--tls-private-key-file",
                                                       str(key)])
    try:
        tls.start()
        assert "Warning" not in tls.log()
    finally:
        tls.stop()
    plain = servers("--no-controllers", "--bind-address", "0.0.0.0", "--token-auth-file",
                    str(_token_file(tmp_path)), name="cleartext")
    assert "in clear text" in plain.log() and OPEN_WARNING not in plain.log()


# -- no object content is ever executed ---------------------------------------------------------

_FORBIDDEN_CALLS = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "execl"),
                    ("os", "spawnl"), ("pickle", "loads"), ("pickle", "load"), ("marshal", "loads"),
                    ("yaml", "unsafe_load"), ("yaml", "full_load"), ("shelve", "open")}
_UNSAFE_YAML_LOADERS = {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}


def _dangerous(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("eval", "exec", "compile", "__import__"):
            found.append(f"{func.id}()")
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if (func.value.id, func.attr) in _FORBIDDEN_CALLS:
                found.append(f"{func.value.id}.{func.attr}()")
            if func.value.id == "yaml" and func.attr in ("load", "load_all"):
                loaders = [k.value for k in node.keywords if k.arg == "Loader"]
                if not loaders or any(isinstance(v, ast.Attribute) and v.attr in _UNSAFE_YAML_LOADERS
                                      for v in loaders):
                    found.append("yaml.load() without a safe loader")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                found.append("a call with shell=True")
    return found


def test_no_code_path_executes_or_shells_out_content() -> None:
    problems = []
    for package in ("apiserver", "minikctl"):
        for path in sorted((REPO / package).rglob("*.py")):
            for problem in _dangerous(ast.parse(path.read_text(), str(path))):
                problems.append(f"{path.relative_to(REPO)}: {problem}")
    assert not problems, problems


HOSTILE = ["$(touch {m}-1)", "`touch {m}-2`", "; touch {m}-3", "| touch {m}-4", "{{{{.}}}} %s %n {m}"]


def test_object_content_is_never_run(servers: Callable[..., Server], tmp_path: Path) -> None:
    """A pod whose command would create a marker file runs on a simulated node; hostile
    strings in its metadata travel through every printer; no marker file ever appears."""
    srv = servers("--pod-start-delay", "0.1")
    marker = tmp_path / "pwned"
    strings = [s.format(m=marker) for s in HOSTILE]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "hostile", "annotations": {f"example.com/a{i}": s for i, s in enumerate(strings)},
        "labels": {"app": "hostile"}},
        "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", f"touch {marker}-0"],
                                 "args": strings, "env": [{"name": "X", "value": strings[0]}]}]}}
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(yaml.safe_dump(pod))
    result = run(["minikctl", "create", "-f", str(manifest)], srv)
    assert result.returncode == 0, result.stderr
    wait_for(lambda: srv.request("GET", "/api/v1/namespaces/default/pods/hostile")[1]
             .get("status", {}).get("phase") == "Running", 15, 0.1, "the pod to run")
    for args in (["get", "pods", "-o", "wide"], ["get", "pod", "hostile", "-o", "yaml"],
                 ["get", "pods", "-l", "app=hostile", "-o", "json"]):
        for cli in ("minikctl", "kubectl"):
            assert run([cli, *args], srv).returncode == 0, (cli, args)
    assert not list(tmp_path.glob("pwned*")), list(tmp_path.glob("pwned*"))
