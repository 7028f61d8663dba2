"""Files on disk: which names are junk, what kind a path is, hashing, and the durable copies the driver makes."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from store.settings import Settings

JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
KEEP_BYTES_UP_TO = 256 << 20  # larger files are hashed but not kept in memory (they are quarantined as too large)


def is_junk(path: Path) -> bool:
    """Temporary, hidden and system files that are never documents."""
    name = path.name
    return (
        name.startswith((".", "~$", "._"))
        or name.lower() in JUNK_NAMES
        or name.endswith((".part", ".tmp", ".crdownload", ".swp", "~", ".reason.txt"))
    )


def sha256_file(path: Path) -> tuple[str, bytes | None, int]:
    """Hash a file in chunks; keep its bytes only when they are small enough to parse."""
    digest = hashlib.sha256()
    chunks: list[bytes] | None = []
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
            if chunks is not None:
                chunks.append(block)
                if size > KEEP_BYTES_UP_TO:
                    chunks = None
    return digest.hexdigest(), (b"".join(chunks) if chunks is not None else None), size


def kind_of(settings: Settings, path: Path) -> str:
    """resume or job by inbox folder; outside the inbox by a `jobs` or `resumes` folder, else "auto"."""
    try:
        relative = path.resolve().relative_to(settings.inbox.resolve())
    except ValueError:
        parts = [p.lower() for p in path.resolve().parts]
        return "job" if "jobs" in parts else "resume" if "resumes" in parts else "auto"
    return "job" if relative.parts[0] == "jobs" else "resume"


def in_inbox(settings: Settings, path: Path) -> bool:
    try:
        path.resolve().relative_to(settings.inbox.resolve())
        return True
    except ValueError:
        return False


def remove_from_inbox(settings: Settings, path: Path) -> None:
    """The inbox copy is no longer needed once its result is committed (files elsewhere are left alone)."""
    if in_inbox(settings, path):
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def archive_bytes(settings: Settings, sha256: str, fmt: str, data: bytes) -> Path:
    """The original, durably at store/files/<sha256>.<ext> (fsync, atomic rename) before anything is committed."""
    target = settings.files_dir / f"{sha256}.{fmt}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)
    return target


def set_aside(settings: Settings, path: Path, sha256: str, note: str) -> Path:
    """Move (inbox) or copy (elsewhere) a file to inbox/failed with `<name>.reason.txt` beside it."""
    failed = settings.failed_dir
    failed.mkdir(parents=True, exist_ok=True)
    target = failed / path.name
    if target.exists() or target.with_name(target.name + ".reason.txt").exists():
        target = failed / f"{path.stem}-{sha256[:8]}{path.suffix}"
    if in_inbox(settings, path):
        os.replace(path, target)
    else:
        shutil.copyfile(path, target)
    target.with_name(target.name + ".reason.txt").write_text(note, encoding="utf-8")
    return target
