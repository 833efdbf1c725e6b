"""WorkQueue: fair, stingy, delayed and rate-limited adds, shutdown; and the run loop."""

from __future__ import annotations

import asyncio

import pytest

from apiserver.controllers.runtime import Controller
from apiserver.controllers.workqueue import WorkQueue

pytestmark = pytest.mark.anyio


async def test_fair_keys_come_out_in_the_order_they_went_in() -> None:
    q = WorkQueue()
    for key in ("a", "b", "c"):
        q.add(key)
    assert [await q.get() for _ in range(3)] == ["a", "b", "c"]


async def test_duplicate_adds_collapse() -> None:
    q = WorkQueue()
    for key in ("a", "b", "a", "a"):
        q.add(key)
    assert len(q) == 2
    assert [await q.get(), await q.get()] == ["a", "b"]


async def test_key_added_while_processing_waits_for_done_then_goes_last() -> None:
    q = WorkQueue()
    q.add("a")
    q.add("b")
    assert await q.get() == "a"
    q.add("a")  # changed again while a worker holds it
    assert len(q) == 1  # only b: a is not handed to a second worker
    assert await q.get() == "b"
    q.done("a")
    assert await q.get() == "a"


async def test_no_key_is_processed_by_two_workers_at_once() -> None:
    q = WorkQueue()
    running: set[str] = set()
    overlaps: list[str] = []
    calls: list[str] = []

    async def reconcile(key: str) -> None:
        if key in running:
            overlaps.append(key)
        running.add(key)
        calls.append(key)
        await asyncio.sleep(0.01)
        if len(calls) < 20:
            q.add(key)  # keep re-adding the same keys while they are being processed
        running.discard(key)

    controller = Controller("t", reconcile, workers=4, queue=q)
    for key in ("x", "y"):
        q.add(key)
    task = asyncio.create_task(controller.run())
    for _ in range(200):
        if len(calls) >= 20 and not running:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls) >= 20
    assert overlaps == []


async def test_backoff_is_exponential_and_capped_and_forget_resets_it() -> None:
    q = WorkQueue(base_delay=0.01, max_delay=1.0)
    assert [q.backoff(n) for n in range(4)] == [0.01, 0.02, 0.04, 0.08]
    assert q.backoff(10) == 1.0
    assert q.backoff(10_000) == 1.0
    q.add_rate_limited("k")
    q.add_rate_limited("k")
    assert q.num_requeues("k") == 2
    q.forget("k")
    assert q.num_requeues("k") == 0


async def test_rate_limited_key_comes_back_after_its_delay() -> None:
    q = WorkQueue(base_delay=0.05)
    loop = asyncio.get_running_loop()
    start = loop.time()
    q.add_rate_limited("k")
    assert len(q) == 0
    assert await asyncio.wait_for(q.get(), 2) == "k"
    assert loop.time() - start >= 0.04


async def test_add_after_keeps_the_earliest_time() -> None:
    q = WorkQueue()
    q.add_after("k", 5.0)
    q.add_after("k", 0.02)
    q.add_after("k", 3.0)
    assert await asyncio.wait_for(q.get(), 1) == "k"


async def test_shutdown_wakes_every_waiting_worker() -> None:
    q = WorkQueue()
    waiters = [asyncio.create_task(q.get()) for _ in range(3)]
    await asyncio.sleep(0)
    q.shutdown()
    assert await asyncio.wait_for(asyncio.gather(*waiters), 1) == [None, None, None]
    q.add("late")
    assert len(q) == 0


async def test_failing_reconcile_is_retried_and_a_delay_result_requeues() -> None:
    attempts: list[str] = []

    async def reconcile(key: str) -> float | None:
        attempts.append(key)
        if len(attempts) < 3:
            raise RuntimeError("transient")
        return 0.01 if len(attempts) == 3 else None

    controller = Controller("t", reconcile, queue=WorkQueue(base_delay=0.01))
    controller.queue.add("k")
    task = asyncio.create_task(controller.run())
    for _ in range(200):
        if len(attempts) >= 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert attempts == ["k", "k", "k", "k"]
    assert controller.queue.num_requeues("k") == 0  # success forgets the failures
