"""Claims on files' content in the database, with a lease: many watchers, on one host or many, take each file once.

A claim is a row of the `claim` table keyed by the file's sha256. `take` inserts it, or takes over a row whose
lease has expired (INSERT … ON CONFLICT (sha256) DO UPDATE … WHERE lease_until < now), in the caller's
transaction, and returns the hashes it won. The holder renews its leases while it works (`Leases`, a thread)
and deletes the row in the commit's transaction (`release`); a watcher killed mid-file leaves the row, and
once its lease has passed another watcher takes the file over. Work stays idempotent on the sha256 besides:
a document whose bytes were committed meanwhile is a duplicate, never a second document.

Time is the database's on PostgreSQL (one clock for every host) and this host's on SQLite (one host).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Claim, utcnow

log = logging.getLogger("shortlist.claims")
CLAIM: Table = Claim.__table__  # type: ignore[attr-defined]


def owner_name() -> str:
    """This watcher process, as its claims name it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def now(session: Session) -> datetime:
    if session.get_bind().dialect.name == "postgresql":
        found = session.scalar(select(func.now()))
        assert isinstance(found, datetime)
        return found
    return utcnow()


def take(session: Session, owner: str, files: Iterable[tuple[str, str]], lease_s: float) -> set[str]:
    """Claim (sha256, file name) pairs for `owner`; returns the hashes won (free, expired, or already ours)."""
    rows = [{"sha256": sha, "filename": name[:255]} for sha, name in dict(files).items()]
    if not rows:
        return set()
    start = now(session)
    until = start + timedelta(seconds=lease_s)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = CLAIM
    statement = dialect.insert(table).values(
        [{**row, "owner": owner, "lease_until": until, "claimed_at": start} for row in rows]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.sha256],
        set_={"owner": owner, "lease_until": until, "claimed_at": start, "filename": statement.excluded.filename},
        where=(table.c.lease_until < start) | (table.c.owner == owner),
    ).returning(table.c.sha256)
    return set(session.scalars(statement))


def renew(session: Session, owner: str, lease_s: float) -> int:
    """Push every lease `owner` holds `lease_s` past now; returns how many it holds."""
    until = now(session) + timedelta(seconds=lease_s)
    result = session.execute(update(CLAIM).where(CLAIM.c.owner == owner).values(lease_until=until))
    return result.rowcount or 0  # type: ignore[attr-defined]


def release(session: Session, owner: str, hashes: Iterable[str]) -> None:
    hashes = list(hashes)
    if hashes:
        session.execute(delete(CLAIM).where(CLAIM.c.owner == owner, CLAIM.c.sha256.in_(hashes)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_here(session: Session, owner: str) -> int:
    """Drop the claims of this host's watchers that are gone (a supervisor restarting a killed watcher need not
    wait out its leases); watchers on other hosts are judged by their leases alone. Returns how many."""
    host = owner.rpartition(":")[0]
    dead = []
    for (other,) in session.execute(select(CLAIM.c.owner).where(CLAIM.c.owner.like(f"{host}:%")).distinct()):
        pid_text = other.rpartition(":")[2]
        if other != owner and other.rpartition(":")[0] == host and pid_text.isdigit() and not _alive(int(pid_text)):
            dead.append(other)
    if not dead:
        return 0
    result = session.execute(delete(CLAIM).where(CLAIM.c.owner.in_(dead)))
    return result.rowcount or 0  # type: ignore[attr-defined]


def release_files(session: Session, hashes: list[str]) -> None:
    """The files' results are committed in this transaction: nobody needs a claim on them any more."""
    if hashes:
        session.execute(delete(CLAIM).where(CLAIM.c.sha256.in_(hashes)))


class Leases:
    """This process's claims: who it is, how long a lease lasts, and a thread that renews them while it works."""

    def __init__(self, engine: Engine, lease_s: float, owner: str | None = None) -> None:
        self.engine = engine
        self.lease_s = lease_s
        self.owner = owner or owner_name()
        self.held = 0
        self.progress: Callable[[], float] | None = None  # when the owner's loop last moved (time.monotonic())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_loop, name="claim-leases", daemon=True)
        self._thread.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            if not self.held:
                continue
            if self.progress is not None and time.monotonic() - self.progress() > self.lease_s:
                log.error("no progress for over %.0f s: claims left to lapse for other watchers", self.lease_s)
                continue  # a hung loop must not keep its files from the others by renewing from this thread
            try:
                with Session(self.engine) as session:
                    renew(session, self.owner, self.lease_s)
                    session.commit()
            except Exception as exc:  # a busy database: the next turn tries again, well within the lease
                log.warning("claims not renewed: %s", exc)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
