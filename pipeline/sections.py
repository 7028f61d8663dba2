"""Find the sections of a resume or a job description from their headings: experience, skills, about us..."""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A part of a document: its kind (e.g. "skills", "benefits"), and text[start:end]."""

    name: str
    start: int
    end: int


# Heading vocabularies, tried in order; the first pattern that matches a heading names it.
RESUME_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        ("interests", r"\b(?:interests|hobbies|pastimes|personal\s+(?:activities|life)|outside\s+(?:of\s+)?work)\b"),
        ("references", r"\breferences?\b|\breferees\b"),
        ("certifications", r"certifi|licen[cs]|\bcredentials\b"),
        ("education", r"\beducation|\bacademic|\bdegrees?\b|\bschooling\b|\bcoursework\b|\bcourses\b|\btraining\b"),
        ("projects", r"\bprojects?\b|\bportfolio\b"),
        (
            "skills",
            r"\bskill|competenc|\btechnolog|\btools\b|\bexpertise\b|\bhighlights\b|\btech\s+stack\b|"
            r"\bproficienc|\blanguages\b|\bstrengths\b|\bknowledge\b|\btechnicals?\b|\bsoftware\b",
        ),
        (
            "experience",
            r"experience|\bemployment\b|\bwork\s+history\b|\bcareer\b|\bpositions\b|\bvolunteer|"
            r"\bwork\b|\bappointments\b",
        ),
        ("summary", r"\bsummary\b|\bprofile\b|\bobjective\b|\babout\s+me\b|\boverview\b|\bintroduction\b"),
        (
            "other",
            r"\bpublications?\b|\bawards?\b|\bhonou?rs\b|\baccomplishments\b|\bachievements\b|\bactivities\b|"
            r"\bcontact\b|\bpersonal\s+(?:details|information)\b|\bleadership\b|\baffiliations\b|\bmemberships?\b",
        ),
    )
)
JOB_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        (
            "benefits",
            r"\bbenefits\b|\bperks\b|\bwhat\s+we\s+offer\b|\bwe\s+offer\b|\bcompensation\b|\bsalary\b|"
            r"\bwhy\s+(?:join|work)\b|\bin\s+return\b|\bwhat.s\s+in\s+it\s+for\s+you\b|\bpay\b",
        ),
        (
            "preferred",
            r"nice[\s-]+to[\s-]+haves?|good[\s-]+to[\s-]+have|\bpreferred\b|\bdesired\b|\bdesirable\b|"
            r"\bbonus\b|\bpluses\b|\bplus\b|\badditional\s+(?:skills|qualifications)\b|\bideally\b",
        ),
        (
            "responsibilities",
            r"responsibilit|\bwhat\s+you.(?:ll|will)\s+do\b|\bduties\b|\b(?:the|your)\s+role\b|"
            r"\babout\s+the\s+(?:role|job|position|opportunity)\b|\bday[\s-]+to[\s-]+day\b|"
            r"\byou\s+will\b|\bessential\s+functions\b|\bjob\s+description\b|\bdescription\b|"
            r"\bwhat\s+you.(?:ll|will)\s+be\s+doing\b|\bthe\s+opportunity\b|\bposition\s+summary\b",
        ),
        (
            "about",
            r"\babout\s+(?:us|the\s+company|the\s+team|our)\b|\bwho\s+we\s+are\b|\bour\s+(?:company|mission|story|"
            r"culture|values|team)\b|\bcompany\s+(?:overview|description|profile)\b|\bthe\s+company\b|"
            r"\bequal\s+(?:opportunity|employment)\b|\babout\s+[A-Z]",
        ),
        (
            "requirements",
            r"requirement|qualification|\bwhat\s+you\s+(?:bring|need|have)\b|\bwho\s+you\s+are\b|"
            r"\byou\s+have\b|\bmust\s+haves?\b|\bskills\b|\blooking\s+for\b|\bexperience\b|"
            r"\babout\s+you\b|\bknowledge\b|\bcompetenc|\beducation\b|\bneed\s+to\s+succeed\b",
        ),
        ("apply", r"\bhow\s+to\s+apply\b|\bto\s+apply\b|\bapplication\s+process\b|\bnext\s+steps\b"),
    )
)
KINDS = {"resume": RESUME_HEADINGS, "job": JOB_HEADINGS}
# One pass first: a line that matches none of a kind's patterns is not one of its headings.
_ANY = {
    kind: re.compile("|".join(f"(?:{p.pattern})" for _, p in headings), re.IGNORECASE)
    for kind, headings in KINDS.items()
}

# Sections whose skills describe the company or the person's free time, not the work asked or done.
NOT_SKILL_SECTIONS = {
    "resume": frozenset({"interests", "references"}),
    "job": frozenset({"about", "benefits", "title", "metadata"}),
}
# Sections about skills: there an ambiguous form ("Rust is a plus", "Chef, Ansible") is the skill.
SKILL_LIST_SECTIONS = frozenset({"skills", "certifications", "requirements", "preferred"})

_MARKUP = re.compile(r"^[\s#*_=>|•·●▪◦‣-]+|[\s#*_=:|•·●▪◦‣.-]+$")
_ITEM = re.compile(r"(?:[-–•·●▪◦‣>]|\*(?!\*)|\d+[.)])\s")
_LETTERS = re.compile(r"[^\W\d_]")
_HEADING_CHARS = 60
_HEADING_WORDS = 7


def heading_name(line: str, kind: str) -> str | None:
    """The section a line opens ("skills", "benefits"...) when the line is a heading, else None.

    A heading is short (≤ 7 words), has no sentence punctuation inside, and names a known
    section; a trailing ":" or markdown is allowed ("## Nice to have", "**SKILLS:**").
    """
    stripped = line.strip()
    if not stripped or len(stripped) > _HEADING_CHARS:
        return None
    if _ITEM.match(stripped) or stripped.rstrip(" *_#")[-1:] in (".", "!", "?", ";"):
        return None  # a list item or a sentence, not a heading
    core = _MARKUP.sub("", stripped)
    if not core or not _LETTERS.search(core) or len(core.split()) > _HEADING_WORDS:
        return None
    if any(c in core for c in ".;!?") or core.count(",") > 1 or any(ch.isdigit() for ch in core):
        return None
    if core[0].islower():  # a sentence fragment ("experience with Go") is not a heading
        return None
    if _ANY[kind].search(core) is None:
        return None
    for name, pattern in KINDS[kind]:
        if pattern.search(core):
            return name
    return None


# A line that opens with its section's name and a colon is that section alone, inside the one around it.
_LINE_LABEL = re.compile(r"^[ \t*_#]*+([A-Za-z][A-Za-z &/]{2,30}?)[ \t*_]*+:[ \t*_]*+\S")
_INLINE = {"resume": frozenset({"interests", "references"})}


def sections(text: str, kind: str) -> list[Section]:
    """The sections of `text` in order; text before the first heading is not a section
    (except a job's front matter, its "metadata", and its title line, its "title").
    kind: "resume" or "job"."""
    if kind not in KINDS:
        raise ValueError(f"kind must be 'resume' or 'job', not {kind!r}")
    return list(_sections(text, kind))


@functools.lru_cache(maxsize=16)  # skills, years and titles all ask for the same document's sections
def _sections(text: str, kind: str) -> tuple[Section, ...]:
    found: list[Section] = []
    offset = 0
    opened: tuple[str, int] | None = None
    if kind == "job":
        metadata = front_matter_span(text)
        if metadata is not None:
            found.append(Section("metadata", *metadata))
        title = title_span(text)
        if title is not None:
            found.append(Section("title", *title))
    for line in text.splitlines(keepends=True):
        name = heading_name(line, kind)
        if name is not None:
            if opened is not None:
                found.append(Section(opened[0], opened[1], offset))
            opened = (name, offset)
        elif (label := _LINE_LABEL.match(line)) is not None and (inline := _INLINE.get(kind)) is not None:
            name = next((n for n, p in KINDS[kind] if n in inline and p.search(label.group(1))), None)
            if name is not None:  # "Interests: chess and running", "Reference: Tom Hughes, Hotel Manager"
                found.append(Section(name, offset, offset + len(line)))
        offset += len(line)
    if opened is not None:
        found.append(Section(opened[0], opened[1], len(text)))
    return tuple(sorted(found, key=lambda s: s.start))


_FRONT_MATTER = re.compile(
    r"\A\ufeff?\s*(?P<fence>---|\+\+\+)[ \t]*\r?\n.{0,4000}?^(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE
)


def front_matter_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the YAML ("---") or TOML ("+++") block a job board puts before a posting:
    its fields (location, apply link, benefits tags) are metadata, not what the job asks."""
    m = _FRONT_MATTER.match(text)
    return (m.start("fence"), m.end()) if m else None


def title_span(text: str) -> tuple[int, int] | None:
    """Where a job description's title line is: a "Title:" line in the front matter, else
    the first non-empty line when it is short (not a sentence)."""
    from pipeline.titles import job_title_span  # titles imports sections

    return job_title_span(text)


class SectionIndex:
    """Which section each offset of one text falls in (innermost, latest-starting section)."""

    def __init__(self, found: list[Section]) -> None:
        self.found = found
        self.starts = [s.start for s in found]

    def at(self, offset: int) -> str | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0:
            s = self.found[i]
            if s.start <= offset < s.end:
                return s.name
            i -= 1
        return None


# A paragraph of a job description that speaks about the company, not the work: "PayChoice is a
# nationwide leader in payroll", "our services include...", "we recently launched..." -- and never
# to the reader ("you", "candidates", "experience with", "must"). Its skills are the company's.
_COMPANY = re.compile(
    r"\b(?:we|the\s+company)\s+(?:are|were|is|have|has|recently|proudly|launched|offer|provide|serve|help|"
    r"build|make|believe|partner|work\s+with)\b|\bour\s+(?:services|products|suite|clients|customers|company|"
    r"mission|platform|values|culture|solutions|technology|founders?|investors|history)\b|"
    r"\bis\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:leader|provider|company|firm|organi[sz]ation|agency|startup|"
    r"nonprofit|non-profit|maker|pioneer)\b|\bfounded\s+in\b|\bheadquartered\b",
    re.IGNORECASE,
)
_TO_READER = re.compile(
    r"\byou(?:r|'ll|’ll|\s+will)?\b|\bcandidates?\b|\bapplicants?\b|\bexperience\s+(?:with|in|of)\b|"
    r"\brequire[ds]?\b|\bmust\b|\bability\s+to\b|\bresponsib|\bqualifi|\bpreferred\b|\bskills?\b|"
    r"\bknowledge\b|\bproficien|\bthis\s+(?:role|position)\b|\bthe\s+(?:role|position)\b|\bseek|\blooking\s+for\b|"
    r"\bideal\b|\bplus\b|\bdegree\b|\byears?\b",
    re.IGNORECASE,
)
_LIST_LINE = re.compile(r"^[ \t]*+(?:[-–•*·●▪◦‣>]|\d+[.)])[ \t]", re.MULTILINE)  # a list is the work's
_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*", re.MULTILINE)


def company_paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a job description about the company (`_COMPANY` cues, no
    word to the reader): what it names is the company's business, not what the job asks."""
    return [
        (m.start(), m.end())
        for m in _PARAGRAPH.finditer(text)
        if _COMPANY.search(m.group()) and not _TO_READER.search(m.group()) and not _LIST_LINE.search(m.group())
    ]


# The label of a line that lists skills: "Frontend: React, Vue", "- **Networking:** Retrofit", "Cloud & DevOps: | AWS".
_LIST_LABEL = re.compile(
    r"^[ \t>*#•·●▪◦‣–-]*+(?P<label>[A-Za-z][\w .&/+'’-]{0,40}?)[ \t*_]*+:[ \t*_|]*+"
    r"(?=[^\s:][^\n]*[,;|]|\n[ \t]*+(?:[-•*·●▪◦‣]|\w[^\n]*[,;|]))",
    re.MULTILINE,
)


def list_labels(text: str) -> list[tuple[int, int]]:
    """(start, end) of each label that names a group of the skills listed after it ("Frontend:" before
    "React, Vue"; "Patient Care:" before "Assessment, Vital Signs"): a category, not a skill claimed."""
    return [m.span("label") for m in _LIST_LABEL.finditer(text) if len(m.group("label").split()) <= 5]
