"""PostgreSQL LISTEN as the change feed's wake-up: a thread holds one connection and pokes the feed on NOTIFY.

Migration 0005 makes every insert into `event` send NOTIFY shortlist_events when its transaction commits, from
any process on any host. The notification carries nothing: the feed reads the table (ui/feed.py), which stays
the source of truth; a lost notification (a reconnect) costs at most one fallback poll interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

log = logging.getLogger("shortlist.ui.listen")
CHANNEL = "shortlist_events"


def conninfo(engine: Engine) -> str:
    """The engine's URL as libpq takes it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """LISTENs on CHANNEL and calls `poke()` for each notification; reconnects after an error."""

    def __init__(self, engine: Engine, poke: Callable[[], None]) -> None:
        self.url = conninfo(engine)
        self.poke = poke
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.thread = threading.Thread(target=self._run, name="feed-listen", daemon=True)

    def start(self) -> "Listener":
        self.thread.start()
        return self

    def _run(self) -> None:
        import psycopg

        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self.poke()  # anything committed while (re)connecting is read now
                    while not self.stopping.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.poke()
            except Exception as exc:
                self.listening.clear()
                log.warning("LISTEN %s failed, retrying: %s", CHANNEL, exc)
                self.stopping.wait(2.0)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
