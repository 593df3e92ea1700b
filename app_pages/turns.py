"""Script runs take turns in their server process.

Streamlit runs each session's script in a thread of its own, and Python runs one thread at a
time: twenty officials clicking at once share one core in slices of 5 ms, so every step ends
near the end of the burst, the slowest steps last, and the switching costs CPU of its own.
Taking turns ends the first step after one step's time and the last no later than before; a
rerun waits for the run before it, never longer than `WAIT_S`, so a long run (a big upload)
holds up the others by at most that much and then shares the core as before.
`dashboard.py` runs its body, after the first paint, in `turn()`; a fragment's rerun (an
export's button) runs without a turn.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from typing import Iterator

WAIT_S = 1.0
"""The longest a run waits for its turn; after that it runs beside the one that holds it."""


class Turns:
    """A lock handed to its waiters in the order they came (a plain lock lets a newcomer take
    it before a run that has waited), each waiting at most a given time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, wait_s: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            handed = threading.Event()
            self._waiting.append(handed)
        if handed.wait(wait_s):
            return True
        with self._guard:
            if handed.is_set():  # handed over just as the wait ran out
                return True
            self._waiting.remove(handed)
            return False

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()  # still held: the next in line has it now
            else:
                self._held = False

    @contextlib.contextmanager
    def turn(self, wait_s: float = WAIT_S) -> Iterator[bool]:
        """Holds the turn while the block runs, once the runs that came before have ended or
        `wait_s` has passed; yields whether it was had (False: waited out, running beside)."""
        had = self.acquire(wait_s)
        try:
            yield had
        finally:
            if had:
                self.release()


turn = Turns().turn
"""This process's turns: `with turn(): …`."""
