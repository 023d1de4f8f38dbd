"""The line of questions at one model: first come, first served, places visible, waits bounded."""

import threading
import time

from assistant.backends.gate import Gate


def test_questions_take_turns_in_order_of_arrival_and_see_their_place():
    gate = Gate(slots=1)
    first, second, third = gate.enter(), gate.enter(), gate.enter()
    assert first.wait(0) and not second.wait(0) and not third.wait(0)
    assert (first.ahead(), second.ahead(), third.ahead()) == (0, 1, 2)
    first.release()
    assert not third.wait(0.05)  # the second is next, not the third
    assert second.wait(0) and third.ahead() == 1
    second.release()
    assert third.wait(0)
    third.release()
    assert gate.waiting() == 0


def test_a_waiter_is_woken_when_the_turn_before_it_ends():
    gate = Gate()
    holder = gate.enter()
    assert holder.wait(0)
    waiter = gate.enter()
    got = []
    t = threading.Thread(target=lambda: got.append(waiter.wait(5)))
    t.start()
    time.sleep(0.1)
    holder.release()
    t.join(5)
    assert got == [True]


def test_leaving_the_line_while_waiting_moves_the_others_up():
    gate = Gate()
    a, b, c = gate.enter(), gate.enter(), gate.enter()
    assert a.wait(0)
    b.release()  # gave up waiting
    assert c.ahead() == 1
    with a:
        pass
    assert c.wait(0)


def test_several_slots_serve_several_at_once():
    gate = Gate(slots=2)
    a, b, c = gate.enter(), gate.enter(), gate.enter()
    assert a.wait(0) and b.wait(0) and not c.wait(0)


def test_the_wait_is_foreseen_from_how_long_turns_last():
    gate = Gate()
    started = time.monotonic()
    first = gate.enter()
    assert first.wait(0)
    waiter = gate.enter()
    assert waiter.expected_wait() == 0.0  # nothing measured yet: nothing to go on
    time.sleep(0.2)
    first.release()
    turn = time.monotonic() - started  # at least the turn the gate measured (sleep overshoots)
    assert waiter.wait(0)
    third = gate.enter()
    fourth = gate.enter()
    # one turn under way (a moment old) and one before it: about one and two turns
    assert 0.1 < third.expected_wait() <= turn + 1e-3
    assert 0.3 < fourth.expected_wait() <= 2 * turn + 1e-3
    for t in (waiter, third, fourth):
        t.release()
