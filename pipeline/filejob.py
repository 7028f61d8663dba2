"""One file's way through the driver: a small record whose status each step moves on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.score import MatchResult
from pipeline.stages import Analysis


class Status(StrEnum):
    """In step order; the last five end a file's turn (FAILED and DEFERRED leave it in the inbox for later)."""

    NEW = "new"  # a path, not yet read
    CLAIMED = "claimed"  # hashed, not seen before, within the limits; a document.started event written
    ANALYSED = "analysed"  # the worker parsed and extracted it
    ERRORED = "errored"  # analyse or archive raised (see `error`): quarantined or charged an attempt next
    ARCHIVED = "archived"  # the original is in store/files/<sha256>.<ext>
    SCORED = "scored"  # its matches against the snapshot of the other side are computed
    COMMITTED = "committed"  # document, mentions, matches and events are in the database
    DONE = "done"  # committed and its inbox copy removed
    DUPLICATE = "duplicate"  # the same bytes were ingested before (or earlier in this batch)
    QUARANTINED = "quarantined"  # set aside in inbox/failed with a reason
    FAILED = "failed"  # an attempt was charged; tried again later
    DEFERRED = "deferred"  # the database stayed locked; tried again later, not charged
    SKIPPED = "skipped"  # it disappeared before it could be read
    HELD = "held"  # another watcher holds a live claim on the same bytes; left in the inbox for it


OUTCOME = {
    Status.DONE: "scored",
    Status.DUPLICATE: "duplicate",
    Status.QUARANTINED: "quarantined",
    Status.FAILED: "failed",
    Status.DEFERRED: "failed",
    Status.SKIPPED: "skipped",
    Status.HELD: "held",
}


def label(kind: str) -> str:
    """The kind a file is counted and reported as: a file of unknown kind ("auto") counts as a resume until its
    text is read."""
    return "resume" if kind == "auto" else kind


@dataclass
class Outcome:
    """What happened to one file, as the command line and the watcher report it."""

    path: str
    kind: str
    outcome: str  # scored | duplicate | quarantined | failed | skipped | held
    reason: str = ""
    document_id: int | None = None
    sha256: str = ""


@dataclass
class FileJob:
    path: Path
    kind: str  # resume | job | auto (decided from the text by the analysis)
    status: Status = Status.NEW
    sha256: str = ""
    data: bytes = b""
    size: int = 0
    mtime: float = 0.0
    attempts: int = 0  # failed or crashed attempts before this one (from the database)
    analysis: Analysis | None = None
    error: BaseException | None = None
    features: Any = None  # JobFeatures | ResumeFeatures it was scored with (document_id filled when written)
    matches: list[tuple[str, MatchResult]] = field(default_factory=list)  # (identity of the other side, result)
    reason: str = ""
    document_id: int | None = None

    @property
    def label(self) -> str:
        return label(self.analysis.kind if self.analysis else self.kind)

    def to(self, status: Status, reason: str = "") -> FileJob:
        self.status, self.reason = status, reason or self.reason
        if status in OUTCOME:
            self.data = b""  # a finished file's bytes are not kept
        return self

    def outcome(self) -> Outcome:
        return Outcome(str(self.path), self.label, OUTCOME[self.status], self.reason, self.document_id, self.sha256)
