"""Names and titles from where people write them: a resume's name and recent titles, a job's title line."""

from __future__ import annotations

import re

from pipeline.sections import heading_name, sections

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_BULLET = re.compile(r"^\s*+(?:[-–•*·●▪◦‣>]|\d+(?:\.\)|[.)]))\s++")
_HEADING_MARKUP = re.compile(r"^[#*_\s]++|(?<![#*_:\s])[#*_:\s]++$")

# Words that name a role: a line with one is a job title, never a person's name.
ROLE_WORDS = (
    r"engineer|developer|manager|analyst|designer|scientist|architect|administrator|consultant|specialist|"
    r"director|nurse|teacher|accountant|bookkeeper|assistant|representative|coordinator|officer|technician|"
    r"intern|associate|recruiter|generalist|programmer|writer|editor|executive|strategist|marketer|planner|"
    r"supervisor|clerk|agent|advisor|adviser|instructor|professor|lecturer|researcher|therapist|pharmacist|"
    r"physician|tutor|founder|president|controller|auditor|paralegal|attorney|lawyer|receptionist|"
    r"cashier|chef|cook|driver|operator|mechanic|electrician|buyer|trainer|counsel(?:l?or)?|owner|partner|"
    r"head|lead|principal|vp|cto|ceo|cfo|coo|sre|devops|fellow|apprentice|dba|educator|librarian"
)
_ROLE = re.compile(rf"\b(?:{ROLE_WORDS})s?\b", re.IGNORECASE)
_NOT_NAMES = re.compile(
    rf"\b(?:r[eé]sum[eé]|curriculum|vitae|cv|profile|summary|objective|contact|experience|education|skills?|"
    rf"senior|junior|page|street|avenue|road|company|city|state|highlights|history|employment|"
    rf"information|details|portfolio|references|university|college|school|inc|ltd|llc|corp|"
    rf"{ROLE_WORDS})\b",
    re.IGNORECASE,
)
_PARTICLES = {
    "de",
    "da",
    "del",
    "della",
    "der",
    "den",
    "di",
    "do",
    "dos",
    "das",
    "du",
    "la",
    "le",
    "van",
    "von",
    "bin",
    "binti",
    "al",
    "el",
    "y",
    "ter",
}
_NAME_LABEL = re.compile(r"^(?:full\s++)?name\s*+:\s*+", re.IGNORECASE)
_NAME_SPLIT = re.compile(
    r"\s*(?:[|•·,\t]|\s-\s|\s–\s|\s—\s| {3,}|\s(?=(?:e-?mail|phone|mobile|tel|address)\s*:))\s*", re.IGNORECASE
)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s+)?\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?\s+|\s+(?:page\s+)?\d{1,3}"
    r"(?:\s*(?:/|of)\s*\d{1,3})?\s*$",
    re.IGNORECASE,
)
_STATE = re.compile(r"^[A-Z]{2}(?:\s+\d{5})?$")
_NAME_LINES = 8


def _looks_like_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 4 or _NOT_NAMES.search(line):
        return False
    capitals = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not (word[0].isupper() and all(c.isalpha() or c in "'’-." for c in word)):
            return False
        capitals += 1
    return capitals >= 2


def candidate_name(text: str) -> str | None:
    """A resume's candidate name: the first name-like line near the top that is not a
    section heading, a job title, a place ("New York, NY") or a page number."""
    for line in [line for line in text.splitlines() if line.strip()][:_NAME_LINES]:
        line = _PAGE_NUMBER.sub("", line.strip())
        if heading_name(line, "resume") is not None:
            continue
        pieces = _NAME_SPLIT.split(line.strip())
        first = _NAME_LABEL.sub("", pieces[0]).strip(" *#_")
        if len(pieces) > 1 and _STATE.match(pieces[1].strip()):
            continue  # "New York, NY": a place
        if _looks_like_name(first):
            return " ".join(first.split())
    return None


def contact(text: str) -> tuple[str | None, str | None]:
    """(name, email) of a resume's candidate; either may be None."""
    email = _EMAIL.search(text)
    return candidate_name(text), email.group() if email else None


# ---------------------------------------------------------------- job titles

_TITLE_LINE = re.compile(
    r"^[^\w\n]*(?:job[ \t]+title|position(?:[ \t]+title)?|title|role)[ \t]*(?:[:=–—-])[ \t]*"
    r"[\"']?[ \t]*(?P<title>[^\s\"'](?:[^\n]*[^\s\"'])?)[ \t]*[\"']?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_GENERIC_TITLES = re.compile(
    r"^(?:job\s++(?:description|posting|opening|ad(?:vert)?)|position\s++description|about\s++(?:the\s++role|us)|"
    r"we(?:'re|’re| are)\s++hiring!?|hiring|careers?|overview|job|description|\+{3}|-{3})$",
    re.IGNORECASE,
)
_TITLE_NOISE = re.compile(
    r"\s+(?:job\s+description|job\s+posting|job\s+description\s+template|template)\s*$|"
    r"^(?:as\s+an?|we\s+are\s+hiring\s+an?|hiring:?|join\s+us\s+as\s+an?)\s+|"
    r"\s*[-–—|,(]\s*(?:remote|hybrid|on[\s-]?site|full[\s-]?time|part[\s-]?time)\)?\s*$",
    re.IGNORECASE,
)
_TITLE_WORDS = 12
_TITLE_CHARS = 100


def _clean_title(line: str) -> str:
    core = _HEADING_MARKUP.sub("", _BULLET.sub("", line.strip()))
    core = " ".join(core.split())
    for _ in range(3):
        core = _TITLE_NOISE.sub("", core).strip(" :")
    words = core.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        core = " ".join(words[:half])  # "Product Manager Product Manager": a doubled line
    if core.count("(") > core.count(")"):
        core = core[: core.rfind("(")].rstrip(" -–,")  # a cut parenthesis
    return core


def _is_sentence(core: str) -> bool:
    return (
        core[-1] in ".!?"
        or core[0].islower()
        or len(core.split()) > _TITLE_WORDS
        or len(core) > _TITLE_CHARS
        or bool(re.search(r"\b(?:we|our|you|your|is|are|will)\b", core, re.I))
    )


def job_title_span(text: str) -> tuple[int, int] | None:
    """(start, end) of a job description's title line: a "Title:" line, else the first
    short non-heading line among the first five."""
    labelled = _TITLE_LINE.search(text)
    if labelled:
        return labelled.start(), labelled.end()
    offset, seen = 0, 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if not line.strip():
            continue
        seen += 1
        if seen > 5:
            break
        core = _clean_title(line)
        if not core or _GENERIC_TITLES.match(core):
            continue
        if heading_name(core, "job") is not None:
            break  # the body has begun: a heading is never the title
        if not _is_sentence(core) and _letters(core):
            return start, start + len(line.rstrip("\r\n"))
    return None


def _letters(core: str) -> bool:
    return sum(c.isalpha() for c in core) >= 2


def job_title(text: str) -> str | None:
    """A job description's title: a "Title:"/"Position:"/"title = ..." line, else the first
    short line among the first five (generic headings, sentences and doubled lines skipped)."""
    labelled = _TITLE_LINE.search(text)
    if labelled:
        return _clean_title(labelled.group("title").strip(" *#_"))[:200] or None
    span = job_title_span(text)
    if span is None:
        return None
    line = text[span[0] : span[1]]
    following = text[span[1] : span[1] + 200].lstrip("\r\n").split("\n", 1)[0]
    if line.count("(") > line.count(")") and ")" in following:  # "Nurse (Bilingual\npreferred)"
        line = line.rstrip() + " " + following[: following.index(")") + 1]
    return _clean_title(line) or None


# ---------------------------------------------------------------- resume titles

_DATES = re.compile(
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*,?\s*)?(?:\d{1,2}\s*/\s*)?(?:19|20)\d\d"
    r"(?:\s*(?:-|–|—|to)\s*(?:(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*,?\s*)?"
    r"(?:\d{1,2}\s*/\s*)?(?:19|20)\d\d|present|current|now|today|date))?|\b(?:present|current)\b",
    re.IGNORECASE,
)
_TITLE_SPLIT = re.compile(
    r"\s*(?:[|,•·@\t]|\s[-–—]\s|\bat\b| {3,}|\b(?:company\s+name|city|state)\b)\s*", re.IGNORECASE
)
_RESUME_TITLES = 2
_LOOK_LINES = 4


def _title_piece(line: str) -> str | None:
    """The piece of an experience line that is a role ("Senior Data Scientist | Acme | 2023")."""
    line = _DATES.sub(" ", _BULLET.sub("", line)).strip(" *#_:")
    for piece in _TITLE_SPLIT.split(line):
        piece = " ".join(piece.split()).strip(" *_:-–—")
        if (
            piece
            and _ROLE.search(piece)
            and len(piece.split()) <= 7
            and not _is_sentence(piece)
            and heading_name(piece, "resume") is None
        ):
            return piece
    return None


def resume_titles(text: str) -> list[str]:
    """The most recent job title(s) of a resume, newest first: roles written in the
    experience section, else a title line under the name at the top."""
    titles: list[str] = []
    for section in sections(text, "resume"):
        if section.name != "experience":
            continue
        for line in text[section.start : section.end].splitlines()[1:]:
            piece = _title_piece(line)
            if piece and piece.lower() not in (t.lower() for t in titles):
                titles.append(piece)
            if len(titles) >= _RESUME_TITLES:
                return titles
        if titles:
            return titles
    for line in [line for line in text.splitlines() if line.strip()][:_LOOK_LINES]:
        piece = _title_piece(line)
        if piece and not _looks_like_name(piece):
            return [piece]
    return titles
