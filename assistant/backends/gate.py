"""First come, first served turns at one model, with each waiter's place in the line.

A local model on two cores reads one question at a time, and every read of one question
(its passages, then the short tasks after them) must follow the last without another
question's passages in between, or the server's prompt cache would be lost. So a question
holds a turn for all its reads. Waiters see how many questions are ahead of them, and give up
after a maximum wait (the caller then answers from quotes): a question is never dropped.
The gate also keeps how long a turn lasts (a moving average), so that a waiter can tell at
once when its turn cannot come within the wait it has left, instead of waiting it out.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time


class Ticket:
    """A place in the line. `wait` until it is this ticket's turn, `release` when done."""

    def __init__(self, gate: Gate, number: int) -> None:
        self._gate = gate
        self.number = number
        self.holding = False
        self.left = False
        self.since: float | None = None  # when its turn began

    def ahead(self) -> int:
        """How many questions are before this one (the one being answered included)."""
        return self._gate._ahead(self)

    def wait(self, timeout: float | None = None) -> bool:
        """True once it is this ticket's turn; False if `timeout` passed first."""
        return self._gate._wait(self, timeout)

    def release(self) -> None:
        self._gate._release(self)

    def expected_wait(self) -> float:
        """Seconds until this ticket's turn, from the turns measured so far (0 while nothing
        has been measured: then there is nothing to go on, and it waits)."""
        return self._gate._expected_wait(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Gate:
    # Weight of the newest turn in the moving average of turn lengths.
    SMOOTHING = 0.3

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self.turn_s: float | None = None  # how long a turn lasts, on average
        self._cond = threading.Condition()
        self._numbers = itertools.count()
        self._line: list[Ticket] = []  # waiting and holding, in order of arrival

    def enter(self) -> Ticket:
        with self._cond:
            ticket = Ticket(self, next(self._numbers))
            self._line.append(ticket)
            return ticket

    def waiting(self) -> int:
        """Questions in the line, the ones being answered included."""
        with self._cond:
            return len(self._line)

    def _ahead(self, ticket: Ticket) -> int:
        with self._cond:
            return self._line.index(ticket) if ticket in self._line else 0

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: ticket in self._line and self._line.index(ticket) < self.slots, timeout
            )
            if ok and not ticket.holding:
                ticket.holding = True
                ticket.since = time.monotonic()
            return ok

    def _expected_wait(self, ticket: Ticket) -> float:
        with self._cond:
            if self.turn_s is None or ticket not in self._line:
                return 0.0
            place = self._line.index(ticket)
            if place < self.slots:
                return 0.0
            # the turns under way are partly done; each slot then takes the next in line
            now = time.monotonic()
            free = sorted(
                max(0.0, self.turn_s - (now - t.since)) if t.since is not None else self.turn_s
                for t in self._line[: self.slots]
            )
            for _ in range(place - self.slots):
                heapq.heappush(free, heapq.heappop(free) + self.turn_s)
            return free[0]

    def _release(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.holding and ticket.since is not None:
                took = time.monotonic() - ticket.since
                a = self.SMOOTHING
                self.turn_s = took if self.turn_s is None else a * took + (1 - a) * self.turn_s
            if ticket in self._line:
                self._line.remove(ticket)
            ticket.holding = False
            ticket.left = True
            self._cond.notify_all()
