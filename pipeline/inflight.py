"""A journal of the files inside a parse worker right now, one per watcher process, so that the next start
counts an attempt against exactly the files a dead watcher was working on.

Journals are named <host>@<pid>.txt: on a store shared by watchers on several hosts, a watcher judges only its
own host's journals (a pid means nothing elsewhere), and takes a dead one by renaming it first, so two
watchers starting at once never both charge its files."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class InFlight:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.host = socket.gethostname().replace("@", "_").replace("/", "_")
        self.path = folder / f"{self.host}@{os.getpid()}.txt"
        self._files: dict[str, str] = {}
        self._lock = threading.Lock()

    def _write(self) -> None:
        temp = self.path.with_suffix(".tmp")
        temp.write_text("".join(f"{sha}\t{name}\n" for sha, name in self._files.items()), encoding="utf-8")
        os.replace(temp, self.path)

    def add(self, sha256: str, filename: str) -> None:
        with self._lock:
            self._files[sha256] = filename.replace("\t", " ").replace("\n", " ")
            self._write()

    def remove(self, sha256: str) -> None:
        with self._lock:
            self._files.pop(sha256, None)
            self._write()

    def orphans(self) -> list[tuple[str, str]]:
        """(sha256, file name) of files left in flight by watcher processes that are gone; their journals go."""
        found: list[tuple[str, str]] = []
        for journal in self.folder.glob("*.txt"):
            host, _, pid_text = journal.stem.rpartition("@")
            try:
                pid = int(pid_text)
            except ValueError:
                continue
            if host not in ("", self.host) or pid == os.getpid() or _alive(pid):
                continue
            taken = journal.with_name(f"{journal.name}.{os.getpid()}.taken")
            try:
                os.rename(journal, taken)  # only one starting watcher wins the rename
            except FileNotFoundError:
                continue
            for line in taken.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition("\t")
                if len(sha) == 64:
                    found.append((sha, name))
            taken.unlink(missing_ok=True)
        return found

    def close(self) -> None:
        self.path.unlink(missing_ok=True)
