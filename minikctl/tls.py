"""TLS settings from the kubeconfig: CA (file or data), insecure mode, client certificates.

Kept apart from client.py so plain-http runs never import `ssl`.
"""

from __future__ import annotations

import os
import ssl
import tempfile

from minikctl.errors import MinikctlError
from minikctl.kubeconfig import ClientConfig


def _load_client_cert(context: ssl.SSLContext, config: ClientConfig) -> None:
    """`ssl` only loads certificates from files, so inline data goes through a private temp file."""
    if not (config.cert_file or config.cert_data):
        return
    paths: list[str] = []
    try:
        cert, key = config.cert_file, config.key_file
        for data, which in ((config.cert_data, "cert"), (config.key_data, "key")):
            if data:
                fd, path = tempfile.mkstemp(prefix="minikctl-")
                paths.append(path)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                cert, key = (path, key) if which == "cert" else (cert, path)
        context.load_cert_chain(str(cert), str(key) if key else None)
    except (OSError, ssl.SSLError) as err:
        raise MinikctlError(f"unable to load client certificate: {err}") from None
    finally:
        for path in paths:
            os.unlink(path)


def ssl_context(config: ClientConfig) -> ssl.SSLContext:
    if config.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        try:
            context = ssl.create_default_context(
                cafile=config.ca_file,
                cadata=config.ca_data.decode() if config.ca_data else None)
        except (OSError, ssl.SSLError, ValueError) as err:
            raise MinikctlError(f"unable to load root certificates: {err}") from None
    _load_client_cert(context, config)
    return context
