"""Rows for UI tests, benchmarks and screenshots, written by the real pipeline and nothing else.

A seeded document goes through the same calls the ingest driver makes: the pipeline's own stages
(`pipeline.stages.run_stages`: parse, then `analyse_text`) with the real taxonomy, the original archived
under files/<sha256>.<ext>, then the driver's own score step (`pipeline.steps.score`, pure, over a
snapshot of the other side) and its write (`pipeline.steps.write`, the writer's calls) in one transaction.
There is no second skill finder and no second score formula here: what a test expects is computed from
what the pipeline read (`Seeded.analysis`), never typed in.

Plain functions, no pytest: bench/ and docs/screenshots/ import this module too.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from pipeline import matching, record, steps
from pipeline.filejob import FileJob, Status
from pipeline.model import model_for
from pipeline.score import MatchResult
from pipeline.snapshot import read_snapshot
from pipeline.stages import Analysis, Limits, run_stages
from pipeline.taxonomy import Taxonomy, load_taxonomy
from store.models import Document
from store.settings import Settings


@functools.cache
def taxonomy_of(skills: Path) -> Taxonomy:
    """The taxonomy in `skills`, loaded once per process (tests never edit the repo's skills/)."""
    return load_taxonomy(skills)


@dataclass(frozen=True)
class Seeded:
    """One document the pipeline wrote: its owner's id (job or candidate) and what it read from the text."""

    id: int
    document_id: int
    sha256: str
    analysis: Analysis

    @property
    def skills(self) -> set[str]:
        return {mention.skill for mention in self.analysis.mentions}

    @property
    def requirements(self) -> dict[str, str]:
        return dict(self.analysis.requirements)

    @property
    def years(self) -> float | None:
        return self.analysis.years

    @property
    def name(self) -> str:
        """The name the writer gives the candidate (or the title it gives the job)."""
        if self.analysis.kind == "job":
            return (self.analysis.title or record.display_name(self.analysis))[:200]
        return record.display_name(self.analysis)[:200]


def expected_match(resume: Seeded, job: Seeded, skills: Path | None = None) -> MatchResult:
    """The match the pipeline's own score function gives this resume for this job (what a test should expect):
    the driver's own features (pipeline.matching.features_of) and model, built from what the pipeline read."""
    taxonomy = taxonomy_of(skills or Path(__file__).resolve().parent.parent / "skills")
    model = model_for(taxonomy, skills)
    have = matching.features_of(resume.analysis, model, resume.name)
    want = matching.features_of(job.analysis, model)
    return matching.score_one(have, want, model)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- generated text


def job_text(title: str, required: Iterable[str], preferred: Iterable[str] = (), years: int = 0) -> str:
    """A short job description the way people write them: a title, the years asked, what is required, a plus."""
    lines = [title, "", "About the role", "You will join a small team that owns its work end to end.", ""]
    lines += ["Requirements"]
    if years:
        lines.append(f"- {years}+ years of professional experience")
    lines += [f"- Hands-on experience with {skill}" for skill in required]
    preferred = list(preferred)
    if preferred:
        lines += ["", "Nice to have"] + [f"- {skill}" for skill in preferred]
    return "\n".join(lines) + "\n"


FILLER = "Known for steady delivery, clear notes and a calm hand when plans change."


def resume_text(
    name: str, skills: Iterable[str], years: float | None = None, *, email: str | None = None, summary: str = FILLER
) -> str:
    """A short resume: the name on the first line, contact, a summary with the years, and a skills line."""
    lines = [name] + ([email] if email else []) + ["", "Summary"]
    opening = f"Engineer with {years:g} years of experience." if years else "Engineer."
    lines.append(f"{opening} {summary}")
    skills = list(skills)
    if skills:
        lines += ["", "Skills", ", ".join(skills)]
    return "\n".join(lines) + "\n"


def file_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


# --------------------------------------------------------------------------- the writer's calls


class Seeder:
    """Writes documents into one instance through the pipeline's stages and writer."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.taxonomy = taxonomy_of(settings.skills)
        self.model = model_for(self.taxonomy, settings.skills)
        self.limits = Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars)
        with Session(engine) as session:
            record.save_taxonomy(session, self.taxonomy.version, len(self.taxonomy))
            session.commit()

    def analyse(self, kind: str, filename: str, data: bytes) -> Analysis:
        return run_stages(Analysis(filename=filename, kind=kind, data=data), self.limits, self.taxonomy)

    def archive(self, sha256: str, fmt: str, data: bytes) -> Path:
        target = self.settings.files_dir / f"{sha256}.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def write(self, documents: list[tuple[str, str, bytes]]) -> list[Seeded]:
        """(kind, filename, bytes) documents, analysed, archived and committed in one transaction, in order."""
        analysed = []
        for kind, filename, data in documents:
            item = self.analyse(kind, filename, data)
            sha256 = hashlib.sha256(data).hexdigest()
            analysed.append((item, sha256, len(data), self.archive(sha256, item.format, data)))
        jobs = [
            FileJob(Path(item.filename), item.kind, Status.ARCHIVED, sha256=sha256, size=size, analysis=item)
            for item, sha256, size, _stored in analysed
        ]
        with Session(self.engine) as session:
            own = steps.identities([item for item, *_ in analysed])
            other_side = read_snapshot(session, self.model, jobs=True, resumes=True, identities=own)
            steps.score(jobs, other_side, self.model)
            steps.write(session, jobs, other_side, self.settings.files_dir, self.model, self.taxonomy.version)
            seeded = []
            for job in jobs:
                document = session.get(Document, job.document_id)
                owner = document.job_id if document.kind == "job" else document.candidate_id
                seeded.append(Seeded(owner, document.id, job.sha256, job.analysis))
            session.commit()
        return seeded

    def document(self, kind: str, filename: str, data: bytes | str) -> Seeded:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return self.write([(kind, filename, raw)])[0]

    def job(
        self,
        title: str,
        required: Iterable[str],
        preferred: Iterable[str] = (),
        years: int = 0,
        *,
        filename: str | None = None,
    ) -> Seeded:
        """A job whose description asks for `required` and `preferred`; the pipeline decides what it reads."""
        return self.document("job", filename or f"{file_stem(title)}.txt", job_text(title, required, preferred, years))

    def resume(
        self,
        name: str,
        skills: Iterable[str] | str,
        years: float | None = None,
        *,
        email: str | None = None,
        filename: str | None = None,
    ) -> Seeded:
        """A resume for `name` listing `skills` (or, given a string, that very text after the name)."""
        text = (
            resume_text(name, [], years, email=email, summary=skills)
            if isinstance(skills, str)
            else resume_text(name, skills, years, email=email)
        )
        return self.document("resume", filename or f"{file_stem(name)}.txt", text)

    def inbox_file(self, path: Path) -> Seeded:
        """A file waiting in inbox/resumes or inbox/jobs, processed as the watcher would (its inbox copy goes)."""
        kind = "job" if path.parent == self.settings.inbox_dir("job") else "resume"
        seeded = self.document(kind, path.name, path.read_bytes())
        path.unlink()
        return seeded

    def corpus(self, jobs: int, resumes: int, *, start: int = 0, batch: int = 500) -> tuple[list[Seeded], list[Seeded]]:
        """`jobs` generated job descriptions, then `resumes` generated resumes (tests/fixtures), in batches."""
        from tests.fixtures import sample_job, sample_resume

        written_jobs = self.write([("job", f"job-{i}.txt", sample_job(i).encode()) for i in range(start, start + jobs)])
        written: list[Seeded] = []
        for first in range(start, start + resumes, batch):
            last = min(start + resumes, first + batch)
            written += self.write(
                [("resume", f"resume-{i}.txt", sample_resume(i).encode()) for i in range(first, last)]
            )
        return written_jobs, written
