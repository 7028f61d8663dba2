"""What scoring needs from one document, computed once: skills with depth, wanted skills, text vector, roles, years.

Pure: built from a document's text and its skill mentions (as stored), so the features of a document change only
when the document, the taxonomy or the roles vocabulary does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline import extract, textrank
from pipeline import years as years_module
from pipeline.roles import DEFAULT_LEVEL, Roles
from pipeline.sections import sections as find_sections

SOFT_CATEGORIES = frozenset({"Soft skills"})  # generic personal traits: weigh nothing in a match
REQUIRED_WEIGHT, PREFERRED_WEIGHT = 2.0, 1.0
# How much one mention shows, by the section it sits in; a skill used in dated experience counts most.
SECTION_DEPTH = {
    "experience": 1.0,
    "projects": 0.8,
    "summary": 0.6,
    "other": 0.6,
    "skills": 0.5,
    "education": 0.5,
    "certifications": 0.5,
    "interests": 0.4,
    "references": 0.4,
}
REPEAT_BONUS = 0.05  # each further mention of a skill adds this much depth (up to 1)
RECENT_YEARS, DECAY_PER_YEAR, OLDEST_FACTOR = 2, 0.05, 0.5  # recency: full for 2 years, then fades to half


@dataclass(frozen=True)
class StoredMention:
    """A skill mention as scoring reads it (from extract.Mention or a skill_mention row)."""

    skill: str
    category: str
    start: int
    end: int
    requirement: str | None = None
    section: str | None = None  # set by the extractor when it knows; derived from the text otherwise


@dataclass
class ResumeFeatures:
    document_id: int
    years: float | None
    skills: dict[str, float]  # skill -> depth in (0, 1]
    text: textrank.Vector  # hashed term weights (textrank.vector)
    roles: dict[str, float]  # family -> weight (most recent titles weigh most)
    level: int | None
    titles: tuple[str, ...] = ()


@dataclass
class JobFeatures:
    document_id: int
    years: int | None
    wanted: dict[str, float]  # skill -> weight (required 2, preferred 1)
    requirement: dict[str, str]  # skill -> required | preferred (every non-soft skill the job names)
    groups: tuple[tuple[str, ...], ...]  # alternatives: one of each group is enough
    text: textrank.Vector  # hashed term weights (textrank.vector)
    roles: tuple[str, ...]
    level: int | None
    title: str = ""
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- sections and recency (Mention.section when set)


def sections(text: str) -> list[tuple[int, str]]:
    """(offset, section kind) of a resume's sections in order (pipeline.sections), "summary" from the top."""
    return [(0, "summary")] + [(section.start, section.name) for section in find_sections(text, "resume")]


def _ranges(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """(offset, end year) of every date range, and the latest year the document names (its own "now")."""
    years = [int(y) for y in re.findall(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)", text)]
    latest = max(years) if years else None
    out = []
    for m in years_module.RANGE.finditer(text):
        end = latest if m.group("open") else int(re.findall(years_module.YEAR, m.group("b"))[0])  # b holds a year
        out.append((m.start(), end or 0))
    return out, latest


def _section_at(marks: list[tuple[int, str]], offset: int) -> str:
    current = "other"
    for start, name in marks:
        if start > offset:
            break
        current = name
    return current


def mention_depth(section: str, offset: int, ranges: list[tuple[int, int]], latest: int | None) -> float:
    base = SECTION_DEPTH.get(section, SECTION_DEPTH["other"])
    if section != "experience" or not ranges or latest is None:
        return base
    before = [end for start, end in ranges if start <= offset]
    end = before[-1] if before else ranges[0][1]
    age = max(0, latest - end - RECENT_YEARS)
    return base * max(OLDEST_FACTOR, 1.0 - DECAY_PER_YEAR * age)


# ---------------------------------------------------------------- resumes

_TITLE_LINE_WORDS = 12
TITLE_RECENCY = (1.0, 0.7, 0.5)  # the most recent title counts fully, earlier ones less


def resume_titles(text: str, roles: Roles) -> tuple[str, ...]:
    """Short lines that name a role, in document order (seam: extract.resume_titles when the extractor has it)."""
    finder = getattr(extract, "resume_titles", None)
    if finder is not None:
        return tuple(finder(text))
    return tuple(
        line.strip()
        for line in text.splitlines()
        if 0 < len(line.split()) <= _TITLE_LINE_WORDS and roles.families_in(line)
    )


def mentions_of(item) -> list[StoredMention]:
    """The mentions of an analysed document (pipeline.stages.Analysis) as scoring reads them."""
    return [
        StoredMention(m.skill, m.category, m.start, m.end, item.requirements.get(m.skill), getattr(m, "section", None))
        for m in item.mentions
    ]


def resume_features(
    document_id: int, text: str, mentions: Iterable[StoredMention], years: float | None, roles: Roles, name: str = ""
) -> ResumeFeatures:
    marks = sections(text)
    ranges, latest = _ranges(text)
    depth: dict[str, float] = {}
    for m in mentions:
        if m.category in SOFT_CATEGORIES:
            continue
        value = mention_depth(m.section or _section_at(marks, m.start), m.start, ranges, latest)
        depth[m.skill] = min(1.0, max(depth.get(m.skill, 0.0), value) + (REPEAT_BONUS if m.skill in depth else 0.0))
    titles = resume_titles(text, roles)
    weights: dict[str, float] = {}
    for i, title in enumerate(titles):
        for family in roles.families_in(title):
            weights[family] = max(weights.get(family, 0.0), TITLE_RECENCY[min(i, len(TITLE_RECENCY) - 1)])
    level = roles.level(titles[0]) if titles else None
    return ResumeFeatures(document_id, years, depth, textrank.vector(text, leave_out=name), weights, level, titles[:5])


# ---------------------------------------------------------------- jobs

_OR_GLUE = re.compile(r"^\s*(?:,\s*)?(?:or|and/or|/|\\|\|)\s*$|^\s*,\s*$", re.IGNORECASE)
_OR_WORD = re.compile(r"\bor\b|/|\\|\|", re.IGNORECASE)


def alternatives(text: str, mentions: list[StoredMention]) -> tuple[tuple[str, ...], ...]:
    """Groups of skills offered as interchangeable: "Python or Scala", "AWS, Azure, or GCP", "Ansible\\Chef"."""
    ordered = sorted((m for m in mentions if m.category not in SOFT_CATEGORIES), key=lambda m: m.start)
    groups, run, has_or = [], [], False
    for prev, m in zip([None, *ordered], ordered, strict=False):  # each mention beside the one before it
        glue = text[prev.end : m.start] if prev is not None else None
        if glue is not None and _OR_GLUE.match(glue):
            run.append(m.skill)
            has_or = has_or or bool(_OR_WORD.search(glue))
            continue
        if has_or and len(set(run)) > 1:
            groups.append(tuple(dict.fromkeys(run)))
        run, has_or = [m.skill], False
    if has_or and len(set(run)) > 1:
        groups.append(tuple(dict.fromkeys(run)))
    return tuple(groups)


HEAD_LINES = 20  # where a job description's title is looked for when the extracted one names no role


def job_role_title(text: str, title: str, roles: Roles) -> str:
    """The extracted title when it names a role; else the first of the first lines that does (front matter such
    as `title = "Sales Manager"`, a heading under a logo line)."""
    if title and roles.families_in(title):
        return title
    for line in [line for line in text.splitlines() if line.strip()][:HEAD_LINES]:
        if len(line.split()) <= _TITLE_LINE_WORDS and roles.families_in(line):
            return line.strip()
    return title


def job_features(
    document_id: int, text: str, mentions: Iterable[StoredMention], years: int | None, title: str, roles: Roles
) -> JobFeatures:
    mentions = list(mentions)
    title_end = len(title) + text.find(title) if title and title in text else 0
    requirement: dict[str, str] = {}
    outside_title: set[str] = set()
    for m in mentions:
        if m.category in SOFT_CATEGORIES:
            continue
        kind = m.requirement or "required"
        if requirement.get(m.skill) != "required":
            requirement[m.skill] = kind
        if m.start >= title_end:
            outside_title.add(m.skill)
    # A skill named only in the title line ("Backend Engineer") is a hint, not a requirement of its own.
    wanted = {
        s: (REQUIRED_WEIGHT if k == "required" and s in outside_title else PREFERRED_WEIGHT)
        for s, k in requirement.items()
    }
    title = job_role_title(text, title, roles)
    families = tuple(roles.families_in(title)) if title else ()
    level = roles.level(title) if title else None
    return JobFeatures(
        document_id,
        years,
        wanted,
        requirement,
        alternatives(text, mentions),
        textrank.vector(text),
        families,
        level if level != DEFAULT_LEVEL or families else None,
        title,
    )
