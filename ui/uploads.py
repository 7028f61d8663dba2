"""Browser uploads into inbox/: safe names, size and type checks, an atomic write the watcher never sees half-done."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from pipeline.parse.detect import ACCEPTED_EXTENSIONS, detect_format
from pipeline.parse.errors import ParseError, megabytes, size_and_limit

ACCEPTED = {"resume": ACCEPTED_EXTENSIONS, "job": ACCEPTED_EXTENSIONS}  # the pipeline's rule, for the form's hints
_UNSAFE = re.compile(r"[^\w.\- ()]+")
_RUNS = re.compile(r"[\s_]+")
_name_lock = threading.Lock()


class UploadError(HTTPException):
    """A refused file: the HTTP status (400, 413, 415) and a sentence for the person who sent it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)

    @property
    def message(self) -> str:
        return self.detail


@dataclass(frozen=True)
class Stored:
    filename: str  # as sent by the browser
    stored_as: str  # the sanitised name in inbox/
    kind: str
    sha256: str
    size: int

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "stored_as": self.stored_as,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "status": "queued",
            "detail": "",
        }


def safe_name(raw: str | None, default: str = "upload") -> str:
    """A plain file name from whatever the browser sent: no folders, no leading dots, no control or odd characters."""
    name = unicodedata.normalize("NFKC", (raw or "").replace("\\", "/").split("/")[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _RUNS.sub("_", _UNSAFE.sub("_", name)).strip("._- ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip("._- ")[:100] or default
    suffix = suffix.lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def check_type(data: bytes, name: str) -> str:
    """Refuse (415) what the pipeline would quarantine for its type, with the pipeline's own reason:
    the same rule (pipeline.parse.detect) decides for the inbox and for the form."""
    try:
        return detect_format(data, name)
    except ParseError as exc:
        raise UploadError(415, exc.reason) from None


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while target.exists():
        target = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return target


def write_atomic(folder: Path, name: str, chunks, limit: int) -> tuple[Path, str, int]:
    """Write chunks to a hidden .part file in `folder`, fsync, rename to a free name; returns (path, sha256, size)."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".upload-{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "xb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadError(413, f"{name} is larger than the {megabytes(limit)} limit.")
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        with _name_lock:
            target = _free_name(folder, name)
            os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest(), size


def _read_chunks(upload: UploadFile, size: int = 1 << 20):
    upload.file.seek(0)
    while chunk := upload.file.read(size):
        yield chunk


def store_upload(upload: UploadFile, kind: str, folder: Path, limit: int, stem: str | None = None) -> Stored:
    """Validate one uploaded file and write it into `folder` (runs in a worker thread), as its own safe
    name or as `stem` plus its extension."""
    original = upload.filename or ""
    name = safe_name(original)
    if stem is not None:
        name = stem + Path(name).suffix
    upload.file.seek(0, os.SEEK_END)
    size = upload.file.tell()
    if size == 0:
        raise UploadError(400, f"{original or 'The file'} is empty.")
    if size > limit:
        said, allowed = size_and_limit(size, limit)
        raise UploadError(413, f"{original} is {said}; the limit is {allowed} per file.")
    upload.file.seek(0)
    check_type(upload.file.read(), safe_name(original))
    target, sha, written = write_atomic(folder, name, _read_chunks(upload), limit)
    return Stored(filename=original, stored_as=target.name, kind=kind, sha256=sha, size=written)


def store_text(text: str, kind: str, folder: Path, name: str, limit: int) -> Stored:
    """Write pasted text (a job description) as a .txt file in `folder`."""
    data = text.encode("utf-8")
    if not text.strip():
        raise UploadError(400, "The pasted text is empty.")
    if len(data) > limit:
        said, allowed = size_and_limit(len(data), limit)
        raise UploadError(413, f"The pasted text is {said}; the limit is {allowed}.")
    target, sha, size = write_atomic(folder, name, [data], limit)
    return Stored(filename=name, stored_as=target.name, kind=kind, sha256=sha, size=size)


class BodyLimitMiddleware:
    """Refuse request bodies over `limit` bytes with a readable 413, before or while they stream in."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        message = (
            f"The upload is larger than the {megabytes(self.limit)} a single request may carry. "
            f"Send fewer or smaller files at a time."
        )
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            said, allowed = size_and_limit(int(length), self.limit)
            message = (
                f"The upload is {said}; a single request may carry at most {allowed}. "
                f"Send fewer or smaller files at a time."
            )
            from starlette.requests import Request

            from ui.render import error

            await error(Request(scope), 413, message)(scope, receive, send)
            return
        received = 0

        async def limited_receive():
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, message)
            return event

        await self.app(scope, limited_receive, send)
