"""The work done on one file, as an explicit list of pure stages passing one small dataclass."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import extract, identity, parse, requirements
from pipeline.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class Limits:
    pdf_engine: str
    max_bytes: int
    max_pages: int
    min_chars: int


@dataclass
class Analysis:
    """What the worker learns from one file's bytes."""

    filename: str
    kind: str  # resume | job | auto (decided from the text)
    data: bytes = b""
    text: str = ""
    format: str = ""
    pages: int = 0
    engine: str = ""
    mentions: list = field(default_factory=list)
    requirements: dict[str, str] = field(default_factory=dict)
    years: float | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None  # E.164
    profiles: list[str] = field(default_factory=list)  # LinkedIn / GitHub addresses, normalised
    title: str | None = None
    titles: list[str] = field(default_factory=list)  # a resume's most recent job title(s)
    taxonomy_version: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def stage_parse(item: Analysis, limits: Limits, taxonomy: Taxonomy) -> None:
    parsed = parse.parse_bytes(
        item.data,
        item.filename,
        pdf_engine=limits.pdf_engine,
        max_bytes=limits.max_bytes,
        max_pages=limits.max_pages,
        min_chars=limits.min_chars,
    )
    item.text, item.format, item.pages, item.engine = parsed.text, parsed.format, parsed.pages, parsed.engine
    item.data = b""  # the driver keeps the bytes; don't send them back


def stage_extract(item: Analysis, limits: Limits, taxonomy: Taxonomy) -> None:
    analyse_text(item, taxonomy)


STAGES = (("parse", stage_parse), ("extract", stage_extract))


def analyse_text(item: Analysis, taxonomy: Taxonomy) -> None:
    """Skills, requirements, years and identity from text already parsed."""
    if item.kind == "auto":
        item.kind = extract.detect_kind(item.text)
    reanalyse_text(item, taxonomy)
    if item.kind == "job":
        item.years = requirements.required_years(item.text)
        item.title = extract.job_title(item.text) or Path(item.filename).stem
    else:
        item.years = extract.resume_years(item.text)
        item.name, item.email = extract.contact(item.text)
        item.phone = identity.phone_of(item.text)
        item.profiles = sorted(identity.profiles_of(item.text))
        item.titles = extract.resume_titles(item.text)


def reanalyse_text(item: Analysis, taxonomy: Taxonomy) -> None:
    """What depends on the taxonomy: the skill mentions and a job's requirements (all a stored document's
    re-extraction after a taxonomy change needs, pipeline/rescore.py; years and identity do not change with it,
    and cost more than the skills)."""
    item.mentions = extract.counted(extract.extract_skills(item.text, taxonomy, item.kind), item.kind)
    item.taxonomy_version = taxonomy.version
    if item.kind == "job":
        item.requirements = requirements.classify_requirements(item.text, item.mentions)


def run_stages(item: Analysis, limits: Limits, taxonomy: Taxonomy) -> Analysis:
    for name, stage in STAGES:
        started = time.perf_counter()
        stage(item, limits, taxonomy)
        item.timings[name] = time.perf_counter() - started
    return item


# Worker-process side: each worker keeps the taxonomy it loaded, keyed by folder and version.
_taxonomies: dict[str, Taxonomy] = {}


def _worker_taxonomy(skills_dir: str, version: str | None) -> Taxonomy | None:
    """The worker's copy of the taxonomy; None while skills/ does not load (the driver then extracts)."""
    taxonomy = _taxonomies.get(skills_dir)
    if taxonomy is None or (version is not None and taxonomy.version != version):
        try:
            taxonomy = _taxonomies[skills_dir] = load_taxonomy(Path(skills_dir))
        except Exception:  # a half-edited skills/ file must not fail the files being parsed
            return taxonomy
    return taxonomy


def warm_worker(skills_dir: str) -> None:
    """A worker's start: load the taxonomy before it says it is ready, so its first file is not slow."""
    _worker_taxonomy(skills_dir, None)


def analyse_in_worker(task: tuple[Analysis, Limits, str, str]) -> Analysis:
    item, limits, skills_dir, version = task
    taxonomy = _worker_taxonomy(skills_dir, version)
    if taxonomy is None:
        started = time.perf_counter()
        stage_parse(item, limits, taxonomy)
        item.timings["parse"] = time.perf_counter() - started
        return item  # no taxonomy_version: the driver extracts with the one it holds
    return run_stages(item, limits, taxonomy)
