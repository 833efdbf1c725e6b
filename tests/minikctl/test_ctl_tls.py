"""HTTPS to the API server: the CA from the kubeconfig, insecure mode, and the bearer token.

A real TLS endpoint on 127.0.0.1 (the standard library's HTTP server behind a self-signed
certificate made with the openssl tool) answers every path with a plain-text 404, which is
enough to see the handshake, the certificate check and the Authorization header.
"""

from __future__ import annotations

import base64
import http.server
import shutil
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from minikctl.cli import main

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


class _NotFound(http.server.BaseHTTPRequestHandler):
    seen_auth: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.seen_auth.append(self.headers.get("Authorization", ""))
        body = b"404 page not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True,
                   timeout=60)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def kubeconfig(path: Path, server: str, cluster_extra: str) -> str:
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {server}
{cluster_extra}users:
- name: u
  user:
    token: s3cret
contexts:
- name: x
  context: {{cluster: c, user: u}}
current-context: x
""")
    return str(path)


NOT_FOUND = "Error from server (NotFound): the server could not find the requested resource\n"


def run(capsys: pytest.CaptureFixture[str], config: str, tmp_path: Path) -> tuple[int, str]:
    code = main(["--kubeconfig", config, "--cache-dir", str(tmp_path / "cache"), "get", "pods"])
    return code, capsys.readouterr().err


def test_ca_from_kubeconfig_and_token(https: tuple[str, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    url, cert = https
    config = kubeconfig(tmp_path / "kc", url, f"    certificate-authority: {cert}\n")
    assert run(capsys, config, tmp_path) == (1, NOT_FOUND)
    assert _NotFound.seen_auth[-1] == "Bearer s3cret"
    inline = base64.b64encode(cert.read_bytes()).decode()
    config = kubeconfig(tmp_path / "kc2", url, f"    certificate-authority-data: {inline}\n")
    assert run(capsys, config, tmp_path) == (1, NOT_FOUND)


def test_unknown_authority_and_insecure(https: tuple[str, Path], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = https
    strict = kubeconfig(tmp_path / "strict", url, "")
    assert run(capsys, strict, tmp_path) == (
        1, "Unable to connect to the server: tls: failed to verify certificate: x509: "
           "certificate signed by unknown authority\n")
    insecure = kubeconfig(tmp_path / "insecure", url, "    insecure-skip-tls-verify: true\n")
    assert run(capsys, insecure, tmp_path) == (1, NOT_FOUND)
