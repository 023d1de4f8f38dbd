"""First come, first served turns at one model, with each waiter's place in the line.

A local model on two cores reads one question at a time, and every read of one question
(its passages, then the short tasks after them) must follow the last without another
question's passages in between, or the server's prompt cache would be lost. So a question
holds a turn for all its reads. Waiters see how many questions are ahead of them, and give up
after a maximum wait (the caller then answers from quotes): a question is never dropped.
"""

from __future__ import annotations

import itertools
import threading


class Ticket:
    """A place in the line. `wait` until it is this ticket's turn, `release` when done."""

    def __init__(self, gate: Gate, number: int) -> None:
        self._gate = gate
        self.number = number
        self.holding = False
        self.left = False

    def ahead(self) -> int:
        """How many questions are before this one (the one being answered included)."""
        return self._gate._ahead(self)

    def wait(self, timeout: float | None = None) -> bool:
        """True once it is this ticket's turn; False if `timeout` passed first."""
        return self._gate._wait(self, timeout)

    def release(self) -> None:
        self._gate._release(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Gate:
    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
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
            if ok:
                ticket.holding = True
            return ok

    def _release(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket in self._line:
                self._line.remove(ticket)
            ticket.holding = False
            ticket.left = True
            self._cond.notify_all()
