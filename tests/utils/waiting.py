"""Waiting on a condition, never on the clock (issue 32, 8): a fixed sleep is too short on a loaded machine and too
long everywhere else. `wait_until` is the one place a test polls; tests/test_structure.py fails on a sleep
anywhere else in the tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Dash's renderer keeps the callbacks it has asked the server for in its store until they are answered (what
# dash.testing's wait_for_callbacks reads): none pending means every request a click sent has come back.
PENDING_CALLBACKS_JS = """
if (!window.store) { return 0; }
var state = Object.assign({}, window.store.getState().callbacks);
delete state.stored;
delete state.completed;
return [].concat.apply([], Object.values(state)).length;
"""


def wait_until(
    condition: Callable[[], T],
    timeout: float = 15.0,
    what: str = "condition",
    interval: float = 0.1,
    ignoring: tuple[type[BaseException], ...] = (Exception,),
    describe: Callable[[], str] | None = None,
) -> T:
    """The condition's first truthy value, asked every `interval` seconds for at most `timeout`; an exception of
    the `ignoring` kinds counts as not yet (a page between two renders, a server still starting)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            last = condition()
            if last:
                return last
        except ignoring as e:
            last = e
        if time.monotonic() >= deadline:
            more = f"; {describe()}" if describe else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r}){more}")
        time.sleep(interval)


def settled(read: Callable[[], T], timeout: float = 15.0, what: str = "a settled value", reads: int = 3) -> T:
    """A value that has stopped changing: the same `reads` times running (a layout after a resize, charts whose
    shapes arrive after their first draw)."""
    seen: list[T] = []

    def same_again() -> bool:
        seen.append(read())
        return len(seen) >= reads and all(v == seen[-1] for v in seen[-reads:])

    wait_until(same_again, timeout, what, interval=0.2)
    return seen[-1]


def callbacks_done(driver) -> bool:
    """Every callback the page has sent is answered (Dash's store holds none pending)."""
    return driver.execute_script(PENDING_CALLBACKS_JS) == 0
