"""Session: the kubeconfig, namespace, HTTP client and discovery of one run, built on first use.

Commands receive the Session as `ctx.obj`; nothing touches the network or the kubeconfig until a
command asks for it, so `--help` and usage errors stay fast and never need a server.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from minikctl.client import Client
from minikctl.discovery import Discovery
from minikctl.flags import parse_request_timeout
from minikctl.kubeconfig import ClientConfig, load

if TYPE_CHECKING:
    from minikctl.openapi import OpenAPI


def configure_logging(verbosity: int) -> None:
    """`-v=N` as kubectl's klog levels: 6 and up log every request to stderr."""
    if verbosity <= 0:
        return
    import logging

    level = logging.DEBUG if verbosity >= 6 else logging.INFO if verbosity >= 4 else logging.WARNING
    logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname).1s %(message)s")


def default_cache_dir(env: Mapping[str, str]) -> Path:
    if env.get("KUBECACHEDIR"):
        return Path(os.path.expanduser(env["KUBECACHEDIR"]))
    return Path.home() / ".minik" / "cache"


class Session:
    def __init__(self, flags: dict[str, Any], env: Mapping[str, str] | None = None) -> None:
        self.flags = flags  # the live dict: verb-level flags are parsed after the root
        self.env = dict(os.environ if env is None else env)

    @cached_property
    def config(self) -> ClientConfig:
        return load(self.flags, self.env)

    @cached_property
    def client(self) -> Client:
        timeout = parse_request_timeout(str(self.flags.get("request_timeout") or "0"))
        configure_logging(int(self.flags.get("v") or 0))
        return Client(self.config, timeout=timeout)

    @cached_property
    def cache_root(self) -> Path:
        given = self.flags.get("cache_dir")
        return Path(os.path.expanduser(given)) if given else default_cache_dir(self.env)

    @cached_property
    def discovery(self) -> Discovery:
        found = Discovery(self.client, self.cache_root)
        self.client.on_unknown_path = found.forget
        return found

    @cached_property
    def openapi(self) -> OpenAPI:
        from minikctl.discovery import cache_dir_for
        from minikctl.openapi import OpenAPI

        host = cache_dir_for(self.cache_root, self.config.server).relative_to(
            self.cache_root / "discovery")
        return OpenAPI(self.client, self.cache_root / "openapi" / host)

    @property
    def namespace(self) -> str:
        return self.config.namespace

    @property
    def namespace_explicit(self) -> bool:
        return self.config.namespace_explicit

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
