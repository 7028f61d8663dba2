"""Reading the change feed by id when ids are not commit order: a horizon that waits briefly at every gap.

On SQLite one writer commits at a time, so event ids become visible in order and `id > last` misses nothing.
On PostgreSQL a sequence hands ids out at insert time: transaction A may take id 7, transaction B id 8, and B
commit first. A reader that moved its cursor to 8 would never see 7. The horizon publishes events strictly in
id order: an event behind a missing id is held until the missing one appears, or until `lag` seconds have
passed (an id a rolled-back transaction burnt never appears). The feed table stays the source of truth: an
event that commits later than the lag is not pushed live, and pages read the tables when they load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

Event = dict[str, Any]


class Horizon:
    """`accept(events read with id > last)` returns the events now safe to publish, in id order."""

    def __init__(self, lag: float, last: int = 0, clock: Callable[[], float] = time.monotonic) -> None:
        self.lag = lag
        self.last = last  # every id up to here is published or given up
        self.clock = clock
        self.pending: dict[int, Event] = {}
        self.gap_since: float | None = None  # when the id after `last` was first found missing
        self.gaps_skipped = 0

    def accept(self, events: Iterable[Event]) -> list[Event]:
        for event in events:
            if event["id"] > self.last:
                self.pending[event["id"]] = event
        ready: list[Event] = []
        while self.pending:
            following = self.last + 1
            if following in self.pending:
                ready.append(self.pending.pop(following))
                self.last, self.gap_since = following, None
                continue
            now = self.clock()
            if self.gap_since is None:
                self.gap_since = now
            if now - self.gap_since < self.lag:
                break  # the missing id may belong to a transaction still committing
            self.gaps_skipped += 1
            self.last, self.gap_since = min(self.pending) - 1, None
        return ready

    @property
    def waiting(self) -> bool:
        """Events are held behind a gap: poll again soon even without a wake-up."""
        return bool(self.pending)
