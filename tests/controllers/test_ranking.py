"""The order in which a replica manager deletes surplus pods (api-semantics §10, rules 1-8)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from apiserver.controllers.podstate import is_active, is_available, pods_to_delete
from apiserver.machinery.duration import format_time

NOW = datetime(2026, 1, 5, 12, 0, 0, tzinfo=timezone.utc)


def pod(name: str, *, node: str = "n1", phase: str = "Running", ready: bool = True, ready_for: float = 3600,
        age: float = 7200, restarts: int = 0, cost: int | None = None, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": f"uid-{name}",
                            "creationTimestamp": format_time(NOW - timedelta(seconds=age))}
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    if deleting:
        meta["deletionTimestamp"] = format_time(NOW)
    conditions = [{"type": "Ready", "status": "True" if ready else "False",
                   "lastTransitionTime": format_time(NOW - timedelta(seconds=ready_for))}]
    return {"metadata": meta, "spec": {"nodeName": node} if node else {},
            "status": {"phase": phase, "conditions": conditions,
                       "containerStatuses": [{"name": "c", "restartCount": restarts}]}}


def order(*pods: dict[str, Any]) -> list[str]:
    return [p["metadata"]["name"] for p in pods_to_delete(list(pods), list(pods), len(pods), NOW)]


def test_unassigned_before_assigned() -> None:
    assert order(pod("bound"), pod("floating", node="", phase="Pending", ready=False)) == ["floating", "bound"]


def test_pending_before_unknown_before_running() -> None:
    assert order(pod("run"), pod("unk", phase="Unknown"), pod("pend", phase="Pending")) == ["pend", "unk", "run"]


def test_not_ready_before_ready() -> None:
    assert order(pod("ready"), pod("unready", ready=False)) == ["unready", "ready"]


def test_lower_deletion_cost_first() -> None:
    assert order(pod("dear", cost=100), pod("cheap", cost=-5), pod("plain")) == ["cheap", "plain", "dear"]


def test_more_related_pods_on_the_same_node_first() -> None:
    assert order(pod("alone", node="n2"), pod("crowd1"), pod("crowd2"))[-1] == "alone"


def test_ready_for_less_time_first_in_log2_buckets() -> None:
    # 10 s vs 3 h are in different buckets; the newly ready pod goes first.
    assert order(pod("old", ready_for=3 * 3600, node="a"), pod("new", ready_for=10, node="b")) == ["new", "old"]


def test_more_restarts_first() -> None:
    assert order(pod("calm", node="a"), pod("flappy", restarts=4, node="b")) == ["flappy", "calm"]


def test_newer_pods_first() -> None:
    assert order(pod("elder", age=86400 * 30, node="a"), pod("young", age=60, node="b")) == ["young", "elder"]


def test_same_bucket_ties_break_by_uid() -> None:
    # 7200 s and 7300 s fall in the same log2(ns) bucket, so creation time does not decide.
    assert order(pod("b", age=7300, node="x"), pod("a", age=7200, node="y")) == ["a", "b"]


def test_earlier_rules_win_over_later_ones() -> None:
    assert order(pod("young-ready", age=10), pod("old-unready", ready=False, age=10**6))[0] == "old-unready"


def test_only_count_pods_are_returned() -> None:
    pods = [pod(f"p{i}", node=f"n{i}") for i in range(5)]
    assert len(pods_to_delete(pods, pods, 2, NOW)) == 2


def test_active_and_available() -> None:
    assert is_active(pod("a"))
    assert not is_active(pod("d", deleting=True))
    assert not is_active(pod("s", phase="Succeeded"))
    assert is_available(pod("r", ready_for=30), 10, NOW)
    assert not is_available(pod("r", ready_for=5), 10, NOW)
    assert not is_available(pod("u", ready=False), 0, NOW)
