"""quiet_gc: the collector is off inside, back as it was after, and objects a process froze
itself stay frozen."""

from __future__ import annotations

import gc
from typing import Iterator

import pytest

from minikctl.loading import quiet_gc


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_restored_after(collector: None) -> None:
    gc.enable()
    with quiet_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with quiet_gc():
        pass
    assert not gc.isenabled()


def test_restored_when_the_body_raises(collector: None) -> None:
    gc.enable()
    with pytest.raises(ImportError):
        with quiet_gc():
            raise ImportError("boom")
    assert gc.isenabled()


def test_new_objects_are_aged_but_not_left_frozen(collector: None) -> None:
    with quiet_gc():
        made = [[i] for i in range(5000)]
    # filed in the oldest generation: the young one does not count them any more
    assert gc.get_count()[0] < 1000
    assert gc.get_freeze_count() == 0
    assert len(made) == 5000


def test_a_process_that_freezes_keeps_its_frozen_objects(collector: None) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with quiet_gc():
        [[i] for i in range(100)]
    assert gc.get_freeze_count() == frozen
