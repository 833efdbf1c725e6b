"""What a fresh cluster has before anyone writes: the four system namespaces and the
`default/kubernetes` Service on the first address of the service range."""

from __future__ import annotations

import asyncio

from apiserver import errors
from apiserver.registry import Registry
from apiserver.resources import by_plural

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def _ensure(registry: Registry, plural: str, namespace: str | None, obj: dict) -> None:
    rt = by_plural("", plural)
    assert rt is not None
    if await registry.storage.get(rt.key(namespace, obj["metadata"]["name"])) is not None:
        return  # a restart: creating it again would fail on its allocations before the 409
    try:
        await registry.create(rt, namespace, obj)
    except errors.StatusError as e:
        if e.code != 409:
            raise


async def bootstrap(registry: Registry) -> None:
    # Written together, so a first start commits them in one transaction, not one each.
    await asyncio.gather(*(_ensure(registry, "namespaces", None, {"metadata": {"name": name}})
                           for name in SYSTEM_NAMESPACES))
    first_ip = str(registry.config.service_network.network_address + 1)
    await _ensure(registry, "services", "default", {
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": first_ip, "ports": [
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": registry.config.port}]},
    })
