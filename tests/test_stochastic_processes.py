"""The stochastic solver gives the same runs whether its second block runs in a forked
child process or a thread, and copes with a child that fails."""

from __future__ import annotations

import os

import numpy as np
import pytest

from csc_model import engine
from csc_model.structure import build

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork and 2 CPUs")


@pytest.fixture(scope="module")
def st(base):
    return build(base.with_values({"years": 2}))


def same(a: engine.Raw, b: engine.Raw) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in engine._RAW_FIELDS)


def test_forked_block_gives_the_same_runs_as_threads(st, monkeypatch) -> None:
    runs = engine.FORK_MIN_RUNS + 1  # odd: blocks of different sizes
    forked = engine.run_stochastic(st, runs, seed=11)
    monkeypatch.setenv("CSC_MODEL_NO_FORK", "1")
    threaded = engine.run_stochastic(st, runs, seed=11)
    assert same(forked, threaded)
    assert forked.stock_stage.shape[1] == runs


def test_a_failed_child_is_replaced_by_running_its_block_here(st, monkeypatch) -> None:
    parent = os.getpid()
    real = engine._chunk

    def chunk(*args):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real(*args)

    monkeypatch.setenv("CSC_MODEL_NO_FORK", "1")
    expected = engine.run_stochastic(st, 100, seed=5)
    monkeypatch.delenv("CSC_MODEL_NO_FORK")
    monkeypatch.setattr(engine, "_chunk", chunk)
    assert same(engine.run_stochastic(st, 100, seed=5), expected)
