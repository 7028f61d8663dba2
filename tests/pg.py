"""A throw-away PostgreSQL cluster for tests and benchmarks: initdb in a temp folder, 127.0.0.1 on a free port.

Plain functions, no pytest: tests/conftest.py wraps them as a session fixture; bench/ imports them too.
initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user on a folder it owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.instance import free_port

# Durability off: a test cluster lives for one session and is thrown away (bench/ keeps the defaults).
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def pg_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries (the newest version installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """One PostgreSQL server: `start()`, `create_database(name)` (returns its SQLAlchemy URL), `stop()`."""

    def __init__(self, fast: bool = True, options: tuple[str, ...] = ()) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`: initdb not found)")
        self.bin = binaries
        self.fast = fast
        self.options = options  # more server settings, "name=value"
        self.folder = Path(tempfile.mkdtemp(prefix="shortlist-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            _as_owner(list(command)), cwd=self.folder, check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> "Cluster":
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-k {self.folder}",
            "-c max_connections=200",
            *(f"-c {o}" for o in (*(FAST if self.fast else ()), *self.options)),
        ]
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        for _ in range(50):
            try:
                shutil.rmtree(self.folder)
                return
            except OSError:
                time.sleep(0.1)
