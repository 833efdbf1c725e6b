"""Pod addresses: the pod CIDR split into one subnet per node, addresses handed out per node.

Like the host-local IPAM plugin, each node's allocator hands out the next free address after
the last one it gave (wrapping around), so a freed address is reused only after the others:
a new pod rarely inherits the IP of one that just went away. The first host address of each
subnet is the node's gateway and never given to a pod.
"""

from __future__ import annotations

import ipaddress
import math


def node_subnets(pod_cidr: str, count: int) -> list[ipaddress.IPv4Network]:
    """`count` subnets of the pod CIDR: /24s like kube-controller-manager's default
    node-cidr-mask-size, or smaller equal parts when the CIDR is too small for that."""
    network = ipaddress.IPv4Network(pod_cidr, strict=False)
    if count <= 0:
        return []
    needed = math.ceil(math.log2(count)) if count > 1 else 0
    prefix = max(24, network.prefixlen + needed)
    if prefix > 30:
        raise ValueError(f"pod CIDR {pod_cidr} is too small for {count} nodes")
    subnets = network.subnets(new_prefix=prefix)
    return [next(subnets) for _ in range(count)]


class SubnetAllocator:
    def __init__(self, subnet: ipaddress.IPv4Network) -> None:
        self.subnet = subnet
        self._first = int(subnet.network_address) + 2  # .0 network, .1 gateway
        self._last = int(subnet.broadcast_address) - 1
        self._cursor = self._first - 1
        self._used: set[int] = set()

    @property
    def size(self) -> int:
        return max(0, self._last - self._first + 1)

    def reserve(self, ip: str) -> bool:
        value = int(ipaddress.IPv4Address(ip))
        if not self._first <= value <= self._last or value in self._used:
            return False
        self._used.add(value)
        self._cursor = max(self._cursor, value)
        return True

    def allocate(self) -> str:
        for step in range(1, self.size + 1):
            value = self._first + (self._cursor - self._first + step) % self.size
            if value not in self._used:
                self._used.add(value)
                self._cursor = value
                return str(ipaddress.IPv4Address(value))
        raise RuntimeError(f"no free pod address left in {self.subnet}")

    def release(self, ip: str) -> None:
        self._used.discard(int(ipaddress.IPv4Address(ip)))

    def __len__(self) -> int:
        return len(self._used)


class PodAddresses:
    """Addresses by pod key on every node; a pod keeps its address until it is released."""

    def __init__(self, subnets: dict[str, ipaddress.IPv4Network]) -> None:
        self._nodes = {node: SubnetAllocator(net) for node, net in subnets.items()}
        self._by_pod: dict[str, tuple[str, str, str]] = {}  # pod key -> (uid, node, ip)

    def subnet(self, node: str) -> ipaddress.IPv4Network:
        return self._nodes[node].subnet

    def lookup(self, key: str, uid: str) -> str | None:
        held = self._by_pod.get(key)
        return held[2] if held is not None and held[0] == uid else None

    def reserve(self, key: str, uid: str, node: str, ip: str) -> bool:
        """Record an address a pod already has (after a restart)."""
        if node not in self._nodes or not self._nodes[node].reserve(ip):
            return False
        self._by_pod[key] = (uid, node, ip)
        return True

    def assign(self, key: str, uid: str, node: str) -> str:
        current = self.lookup(key, uid)
        if current is not None:
            return current
        self.release(key)  # a previous pod of the same name
        ip = self._nodes[node].allocate()
        self._by_pod[key] = (uid, node, ip)
        return ip

    def release(self, key: str) -> None:
        held = self._by_pod.pop(key, None)
        if held is not None:
            self._nodes[held[1]].release(held[2])
