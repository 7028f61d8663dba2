"""What a job description asks: each skill required or preferred, and the minimum years of experience."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable

from pipeline.extract import Mention

# ---------------------------------------------------------------- required / preferred

_PREFERRED = re.compile(
    r"nice[\s-]+to[\s-]+haves?|good[\s-]+to[\s-]+have|preferred|preferably|preference|"
    r"\bpluses\b|\ba\s++(?:big\s++|huge\s++|strong\s++|definite\s++)?plus\b|\bbonus|desirable|desired|"
    r"\bideally\b|\ban\s++(?:added\s++)?advantage\b|\badvantageous\b|\bnot\s++(?:required|necessary|mandatory|essential)|"
    r"\boptional\b|would\s++be\s++(?:great|nice|helpful|beneficial|good)|\bhelpful\b|\bbeneficial\b|extra\s++credit|"
    r"stand\s++out|\bappreciated\b|\b(?:is|are|also)\s++welcome\b",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"(?<!not\s)\brequired\b|\brequirements?\b|(?<!not\s)\bmust\b|\bmandatory\b|(?<!not\s)\bessential\b|"
    r"\bminimum\s++qualifications\b|\bbasic\s++qualifications\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?](?=\s|$)|;|\n")
_CLAUSE_CHARS = 300  # a clause reaches at most this far from a mention
_PIECE_SPLIT = re.compile(r"[,(]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*+(?:[-–•*·●▪◦‣>]|\d+[.)])\s++")
_HEADING_MARKUP = re.compile(r"^[#*_\s]++|(?<![#*_:\s])[#*_:\s]++$")


def classify_requirements(text: str, mentions: Iterable[Mention]) -> dict[str, str]:
    """Each skill of a job description -> "required" or "preferred".

    A mention takes the cue of its own clause ("... is a plus", "Required: ..."), else
    the kind of section it sits in ("Nice to have", "Preferred qualifications"), else
    "required". A skill that is required anywhere is required.
    """
    labeller = _Labeller(text)
    result: dict[str, str] = {}
    for m in mentions:
        if result.get(m.skill) != "required":
            result[m.skill] = labeller.label(m.start, m.end)
    return result


class _Labeller:
    """Required or preferred at any place in one text; sections and clauses are found once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sections = _preferred_sections(text)
        self.section_starts = [offset for offset, _ in self.sections]
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]  # one-character delimiters
        self.cues: dict[tuple[int, int], tuple[bool, bool]] = {}

    def label(self, start: int, end: int) -> str:
        i = bisect.bisect_right(self.section_starts, start)
        in_preferred = i > 0 and self.sections[i - 1][1]
        return self.clause_label(start, end) or ("preferred" if in_preferred else "required")

    def clause_label(self, start: int, end: int) -> str | None:
        """The cue of the clause around text[start:end] (sentence, line or ";" part), if any."""
        ends, text = self.clause_ends, self.text
        i, j = bisect.bisect_left(ends, start), bisect.bisect_left(ends, end)
        lo = max(ends[i - 1] + 1 if i else 0, start - _CLAUSE_CHARS)
        hi = min(ends[j] if j < len(ends) else len(text), end + _CLAUSE_CHARS)
        if (lo, hi) not in self.cues:
            clause = text[lo:hi]
            self.cues[lo, hi] = (_PREFERRED.search(clause) is not None, _REQUIRED.search(clause) is not None)
        preferred, required = self.cues[lo, hi]
        if not (preferred and required):
            return "preferred" if preferred else "required" if required else None
        return _mixed_clause_label(text[lo:hi], start - lo)


def _is_heading(line: str) -> str | None:
    """The heading text of a line that looks like a section heading, else None."""
    stripped = line.strip()
    if not stripped or len(stripped) > 60 or _BULLET.match(stripped) and not stripped.startswith("**"):
        return None
    core = _HEADING_MARKUP.sub("", stripped)
    if not core or len(core.split()) > 8:
        return None
    marked = (
        stripped.endswith(":")
        or stripped.startswith(("#", "**"))
        or (core.isupper() and any(c.isalpha() for c in core))
    )
    if marked or _PREFERRED.search(core) or _REQUIRED.search(core) or core.lower() in _KNOWN_HEADINGS:
        return core
    return None


_KNOWN_HEADINGS = {
    "qualifications",
    "responsibilities",
    "about us",
    "about the role",
    "about you",
    "benefits",
    "what you'll do",
    "what you will do",
    "what we offer",
    "the role",
    "skills",
    "experience",
    "who you are",
    "what you bring",
    "what you'll bring",
    "perks",
    "compensation",
    "overview",
}


def _preferred_sections(text: str) -> list[tuple[int, bool]]:
    """(offset, is_preferred) for every heading, in order."""
    sections = []
    offset = 0
    for line in text.splitlines(keepends=True):
        heading = _is_heading(line)
        if heading is not None and ":" in line.strip()[:-1] and not line.strip().endswith(":"):
            heading = None  # "Nice to have: Go, Rust" is a labelled line, not a heading
        if heading is not None:
            sections.append((offset, _PREFERRED.search(heading) is not None))
        offset += len(line)
    return sections


def _cue(piece: str) -> tuple[str | None, int]:
    """("preferred" | "required" | None, offset of the cue in piece); preferred cues win."""
    m = _PREFERRED.search(piece)
    if m:
        return "preferred", m.start()
    m = _REQUIRED.search(piece)
    if m:
        return "required", m.start()
    return None, -1


def _mixed_clause_label(clause: str, at: int) -> str | None:
    """Both kinds of cue in one clause ("Python is required, Go is a plus"): decide by the
    piece (between commas, "and", "but"...) holding offset `at`, or the cue that reaches it."""
    bounds = [0, *(m.start() for m in _PIECE_SPLIT.finditer(clause)), len(clause)]
    pieces = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    here = next(i for i, (a, b) in enumerate(pieces) if a <= at < b or i == len(pieces) - 1)
    label, _ = _cue(clause[pieces[here][0] : pieces[here][1]])
    if label:
        return label
    for a, b in pieces[here + 1 :]:  # a trailing cue ("... are required") reaches back
        label, at = _cue(clause[a:b])
        if label:
            if clause[a : a + at].strip(" ,(-:").lower() not in ("", "and", "but", "while", "whereas"):
                return label
            break
    for a, b in reversed(pieces[:here]):  # a leading cue ("Must have: ...") reaches forward
        label, _ = _cue(clause[a:b])
        if label:
            return label
    return None


# ---------------------------------------------------------------- years of experience

_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
}
_NUM = r"(?:\d{1,2}(?:\.\d)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_YEARS_ASK = re.compile(
    rf"(?:\b(?P<lead>at\s++least|a\s++minimum\s++of|minimum\s++of|minimum|min\.?|no\s++less\s++than|not\s++less\s++than|"
    rf"more\s++than|over|upwards\s++of)\s*+)?\b(?P<a>{_NUM})(?:\s*+\(\s*+\d{{1,2}}\s*+\))?\s*+(?P<plus>\+|plus)?"
    rf"(?:\s*+(?:-|–|—|to)\s*+(?P<b>{_NUM})(?:\s*+\(\s*+\d{{1,2}}\s*+\))?\s*+\+?)?\s*+(?:years?|yrs?)\b(?P<tail>[’']?[^.\n;]{{0,60}})",
    re.IGNORECASE,
)
_NOT_EXPERIENCE = re.compile(r"^[’']?\s*+(?:ago|old|of\s++age|in\s++business|warranty)\b", re.IGNORECASE)
_EXPERIENCE_TAIL = re.compile(
    r"^[’']?\s*+(?:(?:[\w/&-]+\s*+){1,4}(?:experience|exp)\b|of|in|with|as|doing|working|building|professional|relevant|related|hands|"
    r"industry|experience|exp\b|post|progressive|combined|total|prior|full|minimum|min\b|or\s++more|and\s++above)",
    re.IGNORECASE,
)


def _number(word: str) -> float:
    low = word.lower()
    return float(_WORDS[low]) if low in _WORDS else float(low)


def required_years(text: str) -> int | None:
    """The minimum years of experience a job description asks, or None.

    Each statement ("5+ years", "at least three years", "3-5 years") gives its lower
    bound; the answer is the largest bound among required statements, else the smallest
    among preferred ones ("ideally 2+ years").
    """
    labeller = _Labeller(text)
    required: list[float] = []
    preferred: list[float] = []
    for m in _YEARS_ASK.finditer(text):
        tail = m.group("tail")
        if _NOT_EXPERIENCE.match(tail):
            continue
        if not (m.group("lead") or m.group("plus") or m.group("b") or _EXPERIENCE_TAIL.match(tail)):
            continue
        low = min(_number(m.group("a")), _number(m.group("b"))) if m.group("b") else _number(m.group("a"))
        if not 0 < low <= 40:
            continue
        kind = labeller.label(m.start("a"), m.end("a"))
        (required if kind == "required" else preferred).append(low)
    return int(max(required)) if required else int(min(preferred)) if preferred else None
