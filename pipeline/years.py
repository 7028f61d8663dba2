"""Years of experience on a resume: explicit claims and the union of dated roles, overlaps counted once."""

from __future__ import annotations

import re
from datetime import date

from pipeline.sections import sections

_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
}
NUM = r"(?:\d{1,2}(?:\.\d)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "spring": 3,
    "summer": 6,
    "fall": 9,
    "autumn": 9,
    "winter": 12,
}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)\.?"
)
YEAR = r"(?:19[5-9]\d|20\d\d)"
POINT = rf"(?:{MONTH}\s*+(?:,\s*+)?'?{YEAR}|(?:0?[1-9]|1[0-2])\s*+[/.-]\s*+{YEAR}|{YEAR})"
_YEAR_RE = re.compile(r"(?<!\d)" + YEAR + r"(?!\d)")
_MONTH_PART = re.compile(r"([a-z]+|\d{1,2}(?!\d))", re.IGNORECASE)
OPEN_END = r"(?:present|current(?:ly)?|now|today|date|ongoing)"
# A range may break over lines ("June 2022 -\nPresent", "April 2015\nto\nCurrent").
RANGE = re.compile(
    rf"(?<![\w/])(?P<a>{POINT})\s*+(?:-|–|—|~|to|until|till|through|thru)\s*+(?:(?P<b>{POINT})|(?P<open>{OPEN_END}))"
    r"(?![\w/])",
    re.IGNORECASE,
)
_CLAIM = re.compile(
    rf"\b(?P<over>over|more\s+than|nearly|almost|about|around|approximately)?\s*+(?P<n>{NUM})\s*+\+?\s*+"
    r"(?:years?|yrs?)[’']?\s++(?:of\s++)?(?:(?:[\w-]+\s++){0,3}?(?:experience|exp)\b|"
    r"(?:building|developing|designing|leading|managing|working|delivering|creating|running|teaching|nursing|"
    r"selling|writing|supporting|in\s+(?:the\s+)?(?:industry|field|tech|software|finance|healthcare|sales|"
    r"marketing|education))\b)",
    re.IGNORECASE,
)
_DECADE = re.compile(
    r"\b(?P<lead>over|more\s+than|nearly|almost|about|a|one|two|three)\s+(?:decades?)\b(?!\s+ago)", re.IGNORECASE
)
_SINCE = re.compile(rf"\b(?:since|from)\s+(?:{MONTH}\s*+)?(?P<y>{YEAR})\b(?!\s*(?:-|–|—|to)\s)", re.IGNORECASE)
_SINCE_CUE = re.compile(
    r"\b(?:work|working|worked|career|professional|experience|been|practi[cs]ing|industry)\b", re.IGNORECASE
)
_JUNIOR = re.compile(
    r"\b(?:intern(?:ship)?|student|trainee|apprentice|teaching\s+assistant|research\s+assistant|"
    r"summer)\b",
    re.IGNORECASE,
)
NOT_WORK = frozenset({"education", "certifications", "references", "interests", "projects", "other"})
_LINE_CHARS = 160


def number(word: str) -> float:
    low = word.lower()
    return float(_WORDS[low]) if low in _WORDS else float(low)


def month_index(point: str, end: bool) -> int:
    """Months since year 0 at the start of a date point, or just after it when `end`
    (an end month counts in full); a bare year starts in January, both as start and end."""
    found = _YEAR_RE.search(point)
    if found is None:
        raise ValueError(f"no year in date point {point!r}")
    year = int(found.group())
    month = _MONTH_PART.match(point)
    if not month:
        return year * 12
    word = month.group(1).lower()
    number_ = int(word) if word.isdigit() else _MONTHS.get(word[:3]) or _MONTHS[word]
    return year * 12 + number_ - 1 + end


def claims(text: str, latest: int) -> list[float]:
    """Years a resume states outright: "7 years building", "over a decade", "since 2015"."""
    # Each pattern needs its word; a text without it is not searched (the searches cost most here).
    low = text.lower()
    found = [number(m.group("n")) for m in _CLAIM.finditer(text)] if "year" in low or "yr" in low else []
    for m in _DECADE.finditer(text) if "decade" in low else ():
        lead = m.group("lead").lower()
        found.append({"two": 20.0, "three": 30.0}.get(lead, 10.0))
    for m in _SINCE.finditer(text) if "since" in low or "from" in low else ():
        line = text[max(0, m.start() - _LINE_CHARS // 2) : m.end()]
        if _SINCE_CUE.search(line):
            found.append(float(max(0, latest - int(m.group("y")))))
    return [c for c in found if 0 < c <= 60]


def _work_text(text: str) -> list[tuple[int, int]]:
    """Spans of the text where roles are dated: experience-like sections, else everything
    outside education, certifications, projects, interests and references."""
    found = sections(text, "resume")
    work = [(s.start, s.end) for s in found if s.name == "experience"]
    if work:
        return work
    spans, at = [], 0
    for s in found:
        if s.name in NOT_WORK:
            spans.append((at, s.start))
            at = s.end
    spans.append((at, len(text)))
    return [(a, b) for a, b in spans if b > a]


def date_spans(text: str, open_end: int) -> list[tuple[int, int]]:
    """(start, stop) months of each dated role; student jobs left out when others exist."""
    spans: list[tuple[int, int, bool]] = []
    for lo, hi in _work_text(text):
        for m in RANGE.finditer(text, lo, hi):
            start = month_index(m.group("a"), end=False)
            if m.group("open"):
                stop = open_end
            else:
                stop = month_index(m.group("b"), end=True)
                if stop == start:  # "2019 - 2019": a bare year range within one year
                    stop = start + 12
            stop = min(stop, open_end)
            if start < stop and stop - start <= 50 * 12:
                line_start = text.rfind("\n", lo, m.start()) + 1 or lo
                line_end = text.find("\n", m.end(), hi)
                around = text[line_start : hi if line_end == -1 else line_end]  # the role's own line
                spans.append((start, stop, _JUNIOR.search(around) is not None))
    senior = [(a, b) for a, b, junior in spans if not junior]
    return senior or [(a, b) for a, b, _ in spans]


def union_months(spans: list[tuple[int, int]]) -> int:
    """Months covered by any span, each month counted once."""
    months, reach = 0, 0
    for start, stop in sorted(spans):
        months += max(0, stop - max(start, reach))
        reach = max(reach, stop)
    return months


def resume_years(text: str, today: date | None = None) -> float | None:
    """Estimated years of professional experience, or None.

    Dated roles are united (overlaps once); an open role ("– Present") runs to the end of
    the latest year the document mentions (an old resume does not grow older), never past
    `today`. A stated total ("6+ years of experience") is used when a role is open-ended;
    otherwise the larger of the stated total and the dated roles.
    """
    today = today or date.today()
    now = today.year * 12 + today.month  # end of the current month
    years = [int(y) for y in _YEAR_RE.findall(text) if int(y) <= today.year]
    latest = max(years) if years else today.year
    open_end = min(now, latest * 12 + 12)
    stated = claims(text, latest)
    spans = date_spans(text, open_end)
    dated = union_months(spans) / 12 if spans else None
    open_role = any(m.group("open") for m in RANGE.finditer(text))
    if stated and (open_role or dated is None):
        return round(stated[0], 1)
    candidates = stated + ([dated] if dated else [])
    return round(max(candidates), 1) if candidates else None
