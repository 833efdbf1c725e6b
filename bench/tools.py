"""External tools the suite uses when present: wrk (installed from Debian's packages when
missing and we are root), and py-spy / pyinstrument for `--profile`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.harness import BIN, PYTHON, REPO

_INSTALL_TIMEOUT = 240.0


def ensure_wrk() -> tuple[str | None, str]:
    """(path to wrk or None, a note for the report)."""
    found = shutil.which("wrk")
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "wrk is not installed and cannot be installed here (needs root and apt-get)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "install", "-y", "-q", "wrk"],
                ["sh", "-c", "apt-get update -q && apt-get install -y -q wrk"]):
        try:
            subprocess.run(cmd, env=env, capture_output=True, timeout=_INSTALL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            break
        found = shutil.which("wrk")
        if found:
            return found, "wrk was installed from Debian's packages by this run"
    return None, "installing wrk with apt-get failed"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rate: float
    non_2xx: int
    errors: int
    p50_ms: float
    p99_ms: float


def run_wrk(wrk: str, url: str, script: Path, *, connections: int, threads: int, seconds: int) -> WrkResult:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return parse_wrk(out)


def wrk_command(url: str, script: str, *, connections: int, threads: int, seconds: int) -> str:
    return f"wrk -t{threads} -c{connections} -d{seconds}s --latency -s {script} {url}"


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def parse_wrk(out: str) -> WrkResult:
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    assert total, out
    seconds = float(total.group(2)) * {"s": 1.0, "ms": 1e-3, "m": 60.0}.get(total.group(3), 1.0)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    requests = int(total.group(1))
    non_2xx = int(non.group(1)) if non else 0
    return WrkResult(requests, seconds, (requests - non_2xx) / seconds, non_2xx,
                     sum(int(g) for g in errs.groups()) if errs else 0,
                     _ms(p50.group(1)) if p50 else float("nan"), _ms(p99.group(1)) if p99 else float("nan"))


def lua_post(path: Path, body: bytes) -> Path:
    """A wrk script that POSTs the same JSON body on every request."""
    text = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    path.write_text("wrk.method = 'POST'\n"
                    f"wrk.body = '{text}'\n"
                    "wrk.headers['Content-Type'] = 'application/json'\n"
                    "wrk.headers['Accept'] = 'application/json'\n")
    return path


def ensure_profilers() -> bool:
    """py-spy and pyinstrument, as pinned by pyproject's `bench` extra, installed into this
    venv if missing (only those two: the project's own editable install is left alone)."""
    if (BIN / "py-spy").exists() and _importable("pyinstrument"):
        return True
    import tomllib
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["bench"]
    proc = subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", *extra],
                          capture_output=True, timeout=_INSTALL_TIMEOUT, check=False)
    return proc.returncode == 0 and (BIN / "py-spy").exists()


def _importable(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None
