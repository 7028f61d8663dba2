"""SQLModel tables: documents, candidates (people), jobs, skill mentions, matches, decisions, failures, the change
feed, possible duplicates and their merges, reveals and the audit log."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Document(SQLModel, table=True):
    """One file's content, identified by sha256; versions of a candidate or job are documents."""

    __table_args__ = (Index("ix_document_kind_taxonomy", "kind", "taxonomy_version"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8, index=True)  # resume | job
    filename: str = Field(max_length=255)
    format: str = Field(max_length=8)  # pdf | docx | txt | md
    size_bytes: int
    pages: int = 1
    engine: str = Field(max_length=16)
    stored_path: str = Field(max_length=512)
    text: str = Field(sa_column=Column(Text, nullable=False))
    candidate_id: Optional[int] = Field(default=None, foreign_key="candidate.id", index=True, ondelete="CASCADE")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True, ondelete="CASCADE")
    version: int = 1
    years: Optional[float] = None  # resume: estimated years of experience; job: years asked
    taxonomy_version: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    # identity signals read from this document (resumes), and its place among its person's resumes
    email: Optional[str] = Field(default=None, max_length=320, index=True)
    phone: Optional[str] = Field(default=None, max_length=32, index=True)  # E.164
    person_name: Optional[str] = Field(default=None, max_length=200, index=True)  # the name's comparison key
    profiles: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # space-separated
    text_key: Optional[str] = Field(default=None, max_length=64, index=True)  # sha256 of the normalised text
    current: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    replaced_by: Optional[int] = Field(default=None)  # a newer version of the same resume
    same_as: Optional[int] = Field(default=None)  # another file of the same resume (same normalised text)


class Candidate(SQLModel, table=True):
    """A person, known by the signals of their resumes (email, phone, name, profile URLs); never by a file name."""

    id: Optional[int] = Field(default=None, primary_key=True)
    identity: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    email: Optional[str] = Field(default=None, max_length=320)
    current_document_id: Optional[int] = Field(default=None)
    versions: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    merged_into: Optional[int] = Field(default=None, index=True)  # hidden while merged into another person
    touched_at: Optional[datetime] = Field(
        default_factory=utcnow
    )  # last resume, decision, note, reveal or merge: retention


class Job(SQLModel, table=True):
    """A position; identity is the job description's file name."""

    id: Optional[int] = Field(default=None, primary_key=True)
    identity: str = Field(max_length=320, unique=True)
    title: str = Field(max_length=200, index=True)
    current_document_id: Optional[int] = Field(default=None)
    min_years: Optional[int] = None
    status: str = Field(default="open", max_length=8, sa_column_kwargs={"server_default": "open"})  # open | closed
    blind: Optional[bool] = None  # blind review for this job; None follows SHORTLIST_BLIND_REVIEW
    versions: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SkillMention(SQLModel, table=True):
    """A skill found in a document, with where: the evidence behind every match."""

    __tablename__ = "skill_mention"
    __table_args__ = (Index("ix_skill_mention_skill_doc", "skill", "document_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True, ondelete="CASCADE")
    skill: str = Field(max_length=100)
    category: str = Field(max_length=100)
    surface: str = Field(max_length=200)
    start: int
    end: int
    snippet: str = Field(max_length=400)
    requirement: Optional[str] = Field(default=None, max_length=10)  # job only: required | preferred


class Match(SQLModel, table=True):
    """The score of one current resume against one job; `best` marks the resume of its person the ranking uses."""

    __table_args__ = (
        UniqueConstraint("job_id", "resume_document_id", name="uq_match_job_resume"),
        Index("ix_match_job_candidate", "job_id", "candidate_id"),
        Index("ix_match_job_score", "job_id", "score"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", ondelete="CASCADE")
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    resume_document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    job_document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    score: float
    required_total: int
    required_matched: int
    preferred_total: int
    preferred_matched: int
    resume_years: Optional[float] = None
    job_years: Optional[int] = None
    # The score's components in [0, 1] (pipeline/score.py); NULL where unknown (no years, no title read).
    coverage: Optional[float] = None
    depth: Optional[float] = None
    text_relevance: Optional[float] = None
    role_fit: Optional[float] = None
    experience_fit: Optional[float] = None
    model_version: str = Field(default="", max_length=64)
    taxonomy_version: str = Field(max_length=64)
    computed_at: datetime = Field(default_factory=utcnow)
    best: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})


class MatchSkill(SQLModel, table=True):
    """One job skill in one match: matched or missing, required or preferred."""

    __tablename__ = "match_skill"
    # keyed by (match, skill, requirement), without a rowid on SQLite: a match's rows stay together (0006)
    __table_args__ = (Index("ix_match_skill_skill", "skill", "matched"), {"sqlite_with_rowid": False})
    match_id: int = Field(foreign_key="match.id", primary_key=True, ondelete="CASCADE")
    skill: str = Field(max_length=100, primary_key=True)
    requirement: str = Field(max_length=10, primary_key=True)  # required | preferred
    matched: bool
    relation: Optional[str] = Field(default=None, max_length=10)  # exact | implied | related | broader
    via: Optional[str] = Field(default=None, max_length=100)  # the resume skill that implies or relates


class Decision(SQLModel, table=True):
    """A person's call on a candidate for a job; only the web process writes it."""

    __table_args__ = (UniqueConstraint("job_id", "candidate_id", name="uq_decision_job_candidate"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True, ondelete="CASCADE")
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    status: str = Field(default="new", max_length=12)  # new | shortlisted | rejected
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime = Field(default_factory=utcnow)


class Attempt(SQLModel, table=True):
    """Work on a file, recorded before it starts, so a file that kills its worker is noticed."""

    sha256: str = Field(max_length=64, primary_key=True)
    filename: str = Field(max_length=255)
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime = Field(default_factory=utcnow)


class Failure(SQLModel, table=True):
    """A quarantined file and the reason a person can read."""

    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=8)
    filename: str = Field(max_length=255)
    code: str = Field(max_length=32)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    quarantined_path: str = Field(max_length=512)
    attempts: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    retried_at: Optional[datetime] = None


class Event(SQLModel, table=True):
    """The change feed: one row per result, written in the same transaction as the result."""

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(
        max_length=32
    )  # document.scored | document.failed | taxonomy.reloaded | candidate.deleted | decision
    document_id: Optional[int] = None
    candidate_id: Optional[int] = None
    job_id: Optional[int] = None
    sha256: Optional[str] = Field(default=None, max_length=64)
    filename: Optional[str] = Field(default=None, max_length=255)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow)


class SeekerCheck(SQLModel, table=True):
    """A job seeker's private check: one resume against one job description, scored apart from the hiring
    data (no document, candidate, job or match rows) and erased after SHORTLIST_CHECK_RETENTION_MINUTES."""

    __tablename__ = "seeker_check"
    id: str = Field(max_length=64, primary_key=True)  # random; the result page's address is the only key to it
    state: str = Field(max_length=8)  # done | failed
    report: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON when done
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # when failed
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Taxonomy(SQLModel, table=True):
    """Each taxonomy version the pipeline has scored with."""

    version: str = Field(max_length=64, primary_key=True)
    skills: int
    loaded_at: datetime = Field(default_factory=utcnow)


class Heartbeat(SQLModel, table=True):
    """Liveness of long-running processes (the watcher), read by the web's /readyz."""

    process: str = Field(max_length=32, primary_key=True)
    pid: int
    beat_at: datetime = Field(default_factory=utcnow)
    started_at: datetime = Field(default_factory=utcnow)


class Rescore(SQLModel, table=True):
    """Progress of bringing every document and match to the current taxonomy (and model) version.

    The work itself is derived from the versions on `document` and `match`; this row only says what the
    target is, when it changed and how far the batches have got, for the pages and the metrics."""

    process: str = Field(default="pipeline", max_length=32, primary_key=True)
    taxonomy_version: str = Field(max_length=64)
    model_version: str = Field(default="", max_length=64)
    changed_at: datetime = Field(default_factory=utcnow)
    total: int = 0  # documents + matches stale when the target changed (or when a restart found them)
    done: int = 0  # documents re-extracted + matches re-scored since
    documents_left: int = 0
    matches_left: int = 0
    batches: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None


class Claim(SQLModel, table=True):
    """A watcher's lease on a file's content while it works on it: one watcher per sha256 across every host.

    Taken in the claim step (INSERT … ON CONFLICT on the sha256, winning only over an expired lease), renewed
    while the work goes on, deleted in the commit's transaction or when the file's turn ends otherwise. A
    watcher that dies leaves its row; once `lease_until` passes, any watcher may take the file over."""

    sha256: str = Field(max_length=64, primary_key=True)
    owner: str = Field(max_length=255, index=True)  # host:pid of the watcher
    filename: str = Field(max_length=255)
    lease_until: datetime
    claimed_at: datetime = Field(default_factory=utcnow)


class DuplicatePair(SQLModel, table=True):
    """Two people who may be one: proposed by the pipeline, merged or kept apart by a person."""

    __tablename__ = "duplicate_pair"
    __table_args__ = (UniqueConstraint("candidate_id", "other_id", name="uq_duplicate_pair"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")  # the earlier person
    other_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    reasons: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON
    status: str = Field(default="open", max_length=8)  # open | merged | apart
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: Optional[datetime] = None


class PersonChange(SQLModel, table=True):
    """A merge or split of people, with the resumes it moved, so it can be undone."""

    __tablename__ = "person_change"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # merge | split
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")  # kept / split from
    other_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")  # merged away / split off
    moved: str = Field(
        default="{}", sa_column=Column(Text, nullable=False, server_default="{}")
    )  # JSON: documents, decisions
    actor: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    undone_at: Optional[datetime] = None


class Reveal(SQLModel, table=True):
    """Someone chose to see a candidate's identity under blind review."""

    id: Optional[int] = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True, ondelete="CASCADE")
    actor: str = Field(default="", max_length=200)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow)


class Audit(SQLModel, table=True):
    """Who did what and when: decisions, notes, reveals, merges, splits, erasures, exports. Kept after an erasure,
    without the erased person's data."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(default="", max_length=200)
    action: str = Field(max_length=32, index=True)
    candidate_id: Optional[int] = Field(default=None, index=True)
    job_id: Optional[int] = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
