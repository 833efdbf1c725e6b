"""ClusterIP and NodePort allocation for Services (kube's ipallocator/portallocator and
registry/core/service/storage/alloc.go), run as the Service admission hook.

The allocator lives in the server's hook state and is rebuilt lazily from the stored
Services, so a restart loses nothing. Dynamic picks are random and prefer the upper part of
each range, leaving the lower band for values users pin (as kube's static sub-ranges do).
`release` frees only what no stored Service still holds, so it is safe to call after a
delete, after a failed write, or with the old object after an update.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
from typing import Any, Iterable

from apiserver import errors
from apiserver.resources.base import AdmissionContext, Obj

STATE_KEY = "services/allocator"
_RANDOM_TRIES = 32
_rand = random.SystemRandom()


def _pick(used: set[int], lo: int, hi: int) -> int | None:
    """A free value in [lo, hi): a few random tries, then one bounded scan."""
    size = hi - lo
    if size <= 0:
        return None
    for _ in range(min(size, _RANDOM_TRIES)):
        candidate = lo + _rand.randrange(size)
        if candidate not in used:
            return candidate
    start = _rand.randrange(size)
    for i in range(size):
        candidate = lo + (start + i) % size
        if candidate not in used:
            return candidate
    return None


class Pool:
    """Values base..base+size-1; dynamic picks prefer offsets at or above `static_band`."""

    def __init__(self, base: int, size: int, static_band: int) -> None:
        self.base, self.size, self.static_band = base, size, static_band
        self.used: set[int] = set()

    def contains(self, value: int) -> bool:
        return self.base <= value < self.base + self.size

    def take(self, value: int) -> bool:
        offset = value - self.base
        if offset in self.used:
            return False
        self.used.add(offset)
        return True

    def take_next(self) -> int | None:
        band = min(self.static_band, self.size)
        offset = _pick(self.used, band, self.size)
        if offset is None:
            offset = _pick(self.used, 0, band)
        if offset is None:
            return None
        self.used.add(offset)
        return self.base + offset

    def free(self, value: int) -> None:
        self.used.discard(value - self.base)


class Allocator:
    def __init__(self, cidr: str, port_range: tuple[int, int]) -> None:
        self.network = ipaddress.ip_network(cidr, strict=False)
        first = int(self.network.network_address) + 1  # never the network address
        size = self.network.num_addresses - (2 if self.network.version == 4 else 1)  # nor broadcast
        self.ips = Pool(first, max(size, 0), min(max(16, size // 16), 256))
        lo, hi = port_range
        self.ports = Pool(lo, hi - lo + 1, min(max(16, (hi - lo + 1) // 32), 128))
        self.port_range = f"{lo}-{hi}"
        self.loaded = False
        self.lock = asyncio.Lock()

    def record(self, svc: Obj) -> None:
        for ip in cluster_ips(svc):
            value = _ip_int(ip)
            if value is not None and self.ips.contains(value):
                self.ips.take(value)
        for port in node_ports(svc):
            if self.ports.contains(port):
                self.ports.take(port)

    def ip_error(self, ip: str) -> str | None:
        """Reserve a requested IP, or say why not (ipallocator's wording)."""
        value = _ip_int(ip)
        if value is None or not self.ips.contains(value):
            return (f"the provided IP ({ip}) is not in the valid range. "
                    f"The range of valid IPs is {self.network}")
        return None if self.ips.take(value) else "provided IP is already allocated"

    def port_error(self, port: int) -> str | None:
        if not self.ports.contains(port):
            return f"provided port is not in the valid range. The range of valid ports is {self.port_range}"
        return None if self.ports.take(port) else "provided port is already allocated"

    def next_ip(self) -> str | None:
        value = self.ips.take_next()
        return None if value is None else str(ipaddress.ip_address(value))


def _ip_int(ip: str) -> int | None:
    try:
        return int(ipaddress.ip_address(ip))
    except ValueError:
        return None


def cluster_ips(svc: Obj) -> list[str]:
    spec = svc.get("spec") or {}
    ips = list(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []))
    return [ip for ip in ips if ip and ip != "None"]


def node_ports(svc: Obj) -> list[int]:
    spec = svc.get("spec") or {}
    found = [p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, dict)]
    found.append(spec.get("healthCheckNodePort"))
    return [p for p in found if isinstance(p, int) and not isinstance(p, bool) and p > 0]


async def allocator(ctx: AdmissionContext) -> Allocator:
    config = ctx.config
    alloc: Allocator = ctx.state(STATE_KEY, lambda: Allocator(config.service_cluster_ip_range,
                                                              tuple(config.service_node_port_range)))
    if not alloc.loaded:
        async with alloc.lock:
            if not alloc.loaded:
                for svc in await ctx.list_objects("services"):
                    alloc.record(svc)
                alloc.loaded = True
    return alloc


class Reservation:
    """What one admission took, so a failure part-way gives it all back."""

    def __init__(self, alloc: Allocator) -> None:
        self.alloc = alloc
        self.ips: list[int] = []
        self.ports: list[int] = []

    def undo(self) -> None:
        for value in self.ips:
            self.alloc.ips.free(value)
        for port in self.ports:
            self.alloc.ports.free(port)


def _invalid(svc: Obj, path: str, value: Any, detail: str) -> errors.StatusError:
    name = (svc.get("metadata") or {}).get("name", "")
    return errors.invalid("Service", "", name, [errors.invalid_value(path, value, detail)])


def allocate_cluster_ip(svc: Obj, res: Reservation) -> None:
    spec = svc["spec"]
    wanted = (spec.get("clusterIPs") or [""])[0] or spec.get("clusterIP") or ""
    if wanted:
        problem = res.alloc.ip_error(wanted)
        if problem:
            raise _invalid(svc, "spec.clusterIPs", spec.get("clusterIPs") or [wanted],
                           f"failed to allocate IP {wanted}: {problem}")
        ip = wanted
    else:
        picked = res.alloc.next_ip()
        if picked is None:
            raise errors.internal_error("failed to allocate a serviceIP: range is full")
        ip = picked
    res.ips.append(_ip_int(ip) or 0)
    spec["clusterIP"], spec["clusterIPs"] = ip, [ip]


def _take_port(svc: Obj, res: Reservation, port: int, path: str) -> None:
    problem = res.alloc.port_error(port)
    if problem:
        raise _invalid(svc, path, port, problem)
    res.ports.append(port)


def _next_port(res: Reservation) -> int:
    port = res.alloc.ports.take_next()
    if port is None:
        raise errors.internal_error("failed to allocate a nodePort: range is full")
    res.ports.append(port)
    return port


def _service_ports(svc: Obj) -> list[Obj]:
    return [p for p in svc["spec"].get("ports") or [] if isinstance(p, dict)]


def init_node_ports(svc: Obj, res: Reservation, auto: bool) -> None:
    """initNodePorts (create): ports sharing a number (TCP and UDP 53) share one nodePort."""
    ports = _service_ports(svc)
    by_number: dict[Any, int] = {}
    for i, p in enumerate(ports):
        if not p.get("nodePort") and not auto:
            continue  # LoadBalancer without node ports: only honour pinned ones
        path = f"spec.ports[{i}].nodePort"
        shared = by_number.get(p.get("port"), 0)
        if not shared:
            requested = next((q["nodePort"] for q in ports if q.get("port") == p.get("port") and q.get("nodePort")), 0)
            if requested:
                _take_port(svc, res, requested, path)
                p["nodePort"] = requested
            else:
                p["nodePort"] = _next_port(res)
            by_number[p.get("port")] = p["nodePort"]
        elif not p.get("nodePort"):
            p["nodePort"] = shared
        elif p["nodePort"] != shared:
            _take_port(svc, res, p["nodePort"], path)


def update_node_ports(svc: Obj, old_ports: set[int], res: Reservation, auto: bool) -> None:
    """updateNodePorts: ports the old object held stay; new pinned ones are reserved."""
    taken: set[int] = set()
    for i, p in enumerate(_service_ports(svc)):
        port = p.get("nodePort") or 0
        if not port and not auto:
            continue
        if not port:
            p["nodePort"] = _next_port(res)
        elif port not in old_ports and port not in taken:
            _take_port(svc, res, port, f"spec.ports[{i}].nodePort")
            taken.add(port)


def allocate_health_check_port(svc: Obj, held: Iterable[int], res: Reservation) -> None:
    spec = svc["spec"]
    port = spec.get("healthCheckNodePort")
    if port and port in set(held):
        return
    if port:
        problem = res.alloc.port_error(port)
        if problem:
            raise errors.internal_error(f"failed to allocate requested HealthCheck NodePort {port}: {problem}")
        res.ports.append(port)
    else:
        spec["healthCheckNodePort"] = _next_port(res)


async def release_unheld(svc: Obj, ctx: AdmissionContext) -> None:
    alloc = await allocator(ctx)
    stored = await ctx.list_objects("services")
    held_ips = {ip for s in stored for ip in cluster_ips(s)}
    held_ports = {p for s in stored for p in node_ports(s)}
    for ip in cluster_ips(svc):
        value = _ip_int(ip)
        if ip not in held_ips and value is not None and alloc.ips.contains(value):
            alloc.ips.free(value)
    for port in node_ports(svc):
        if port not in held_ports and alloc.ports.contains(port):
            alloc.ports.free(port)
