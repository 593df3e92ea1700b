"""Script runs take turns in their process (app_pages/turns.py): in the order they came, none
waiting longer than its limit, the turn given back however a run ends."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app_pages.turns import WAIT_S, Turns


def _waiting(turns: Turns, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(turns._waiting) < count:
        assert time.monotonic() < deadline, "the runs never started waiting"
        time.sleep(0.001)


def test_runs_have_their_turns_in_the_order_they_came():
    turns, order = Turns(), []

    def run(number: int) -> None:
        with turns.turn(10) as had:
            order.append((number, had))

    with turns.turn() as had:
        assert had
        threads = []
        for number in range(6):  # each waiting before the next comes
            threads.append(threading.Thread(target=run, args=(number,)))
            threads[-1].start()
            _waiting(turns, number + 1)
    for thread in threads:
        thread.join(10)
    assert [(number, True) for number in range(6)] == order


def test_a_run_waits_no_longer_than_its_limit_and_leaves_the_turn_to_its_holder():
    turns, seen = Turns(), {}

    def run() -> None:
        started = time.monotonic()
        with turns.turn(0.05) as had:
            seen.update(had=had, waited=time.monotonic() - started)

    with turns.turn():
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
        assert seen["had"] is False and 0.05 <= seen["waited"] < 5
        assert not turns.acquire(0), "the run that waited out gave back a turn it never had"
        assert not turns._waiting
    assert turns.acquire(0)


def test_a_run_that_fails_gives_its_turn_back():
    turns = Turns()
    with pytest.raises(RuntimeError), turns.turn():
        raise RuntimeError("a rerun, a stop, a bug: any exception leaves the block")
    assert turns.acquire(0)


def test_the_turn_passes_to_the_next_in_line_not_to_a_newcomer():
    turns, had = Turns(), []
    assert turns.acquire(1)
    waiter = threading.Thread(target=lambda: had.append(turns.acquire(10)))
    waiter.start()
    _waiting(turns, 1)
    turns.release()
    assert not turns.acquire(0), "a newcomer took the turn from the run that waited"
    waiter.join(10)
    assert [True] == had


def test_the_readme_and_the_deployment_guide_say_how_long_a_run_waits():
    root = Path(__file__).resolve().parents[1]
    words = {1.0: "at most a second"}[WAIT_S]
    assert f"A run waits {words} (`turns.WAIT_S`)" in " ".join(
        (root / "README.md").read_text("utf-8").split())
    assert f"a rerun waits {words}," in " ".join(
        (root / "docs" / "deploy.md").read_text("utf-8").split())
