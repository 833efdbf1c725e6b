"""run_controllers as the server runs it: the collector pause around the first sync ends."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from pathlib import Path

import pytest

from apiserver.controllers.manager import run_controllers
from controller_harness import FAST, open_cluster, wait_for

pytestmark = pytest.mark.anyio


async def started() -> None:
    """A few turns of the loop: the controllers' first steps, long before any cache syncs
    (that needs the node registered first, a commit on the writer thread)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_collector_is_paused_only_until_the_caches_sync(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path)
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    task = asyncio.create_task(run_controllers(cluster.registry, cluster.config, FAST))
    try:
        await started()
        assert not gc.isenabled()  # the caches are filling

        async def collector_on() -> bool:
            return gc.isenabled()

        await wait_for(collector_on, message="the collector back on")
        assert gc.get_freeze_count() > frozen  # what the sync built is out of its view
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        gc.unfreeze()
        gc.enable()
        await cluster.storage.close()


async def test_stopping_before_the_sync_turns_the_collector_back_on(tmp_path: Path) -> None:
    cluster = await open_cluster(tmp_path)
    task = asyncio.create_task(run_controllers(cluster.registry, cluster.config, FAST))
    try:
        await started()
        assert not gc.isenabled()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        assert gc.isenabled()
    finally:
        gc.enable()
        await cluster.storage.close()
