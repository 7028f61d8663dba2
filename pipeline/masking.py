"""Pure: blind review's masking of text. Names, emails, phones, profile and web links, street addresses and
(when chosen) school and employer names are overwritten with a block of the same length, so offsets into the
text (skill highlights, evidence snippets) stay valid."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

BLOCK = "█"
# an address, also cut short at a snippet's edge ('jdoe@' or '@mail.com'), and '(at)' spellings
_EMAIL = re.compile(r"[\w.+'%-]*(?:@|\s?\(at\)\s?|\s?\[at\]\s?)[\w-]*(?:\.[\w-]+)*", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:[\w-]+\.)+(?:com|org|net|io|dev|me|co|in|edu|ai|app|info|us|uk)"
    r"(?:/\S*)?(?=[\s,;)|]|$)|\b(?:linkedin|github|gitlab|twitter|behance|dribbble)\b\S*",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w.])")
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|"
    r"Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir)\b\.?(?:,?\s+(?:Apt|Suite|Unit|#)\s*[\w-]+)?"
    r"|\b[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?,\s?[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
)
_ORG = re.compile(
    r"\b(?:(?:University|College|Institute|School|Academy)\s+of\s+(?:[A-Z][\w&'.-]*\s?){1,5}"
    r"|(?:[A-Z][\w&'.-]*\s+){1,5}(?:University|College|Institute|School|Academy|Polytechnic|Inc\.?|LLC|Ltd\.?|"
    r"Limited|Corp\.?|Corporation|Company|GmbH|Group|Technologies|Solutions|Systems|Labs|Bank|Hospital|Partners)"
    r"(?![\w]))"
)


_NOT_NAME = frozenset(
    """resume curriculum vitae cv summary profile professional experience work education skills
objective contact about me executive career history accomplishments highlights qualifications senior junior lead
principal staff chief head engineer developer manager designer analyst scientist architect consultant specialist
representative administrator assistant associate coordinator director officer accountant bookkeeper nurse teacher
recruiter generalist technician operator clerk agent executive intern sales marketing product project data software
web full stack frontend backend devops cloud mobile android ios graphic ux ui customer service support supply chain
financial finance registered medical certified mechanical civil electrical java python net asp""".split()
)
_CREDENTIALS = re.compile(r",\s*(?:[A-Z][A-Za-z.]{0,5}\.?)(?:\s*,\s*[A-Z][A-Za-z.]{0,5}\.?)*\s*$")


def header_names(text: str, lines: int = 3) -> tuple[str, ...]:
    """Name-like lines at the top of a resume ('SARAH JOHNSON, RN, BSN' -> 'SARAH JOHNSON'), for masking: a word
    that is a heading or a job title word never counts, so at worst a title is hidden too."""
    found = []
    for line in [line for line in text.splitlines() if line.strip()][:lines]:
        piece = re.split(r"\s[|•·]\s|\s{2,}|\b(?:Email|E-mail|Phone|Mobile|Tel)\b", line.strip("#*_ \t"))[0]
        piece = _CREDENTIALS.sub("", piece.strip("#*_ :\t"))
        words = piece.split()
        if (
            2 <= len(words) <= 4
            and all(re.fullmatch(r"[A-Za-z][A-Za-z'.-]*", w) for w in words)
            and not all(w.lower().strip(".") in _NOT_NAME for w in words)
        ):
            found.append(" ".join(w for w in words if w.lower().strip(".") not in _NOT_NAME))
    return tuple(found)


@dataclass(frozen=True)
class Who:
    """What is known of the person: their names (from every resume), used to find the name wherever it occurs."""

    names: tuple[str, ...] = ()


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = BLOCK
    return "".join(chars)


def _name_pattern(who: Who) -> re.Pattern | None:
    words = {w for name in who.names for w in re.split(r"[^\w'-]+", name or "") if len(w) > 1}
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def spans(text: str, who: Who, organisations: bool = False) -> list[tuple[int, int]]:
    """Where identifying text is, as (start, end) character offsets."""
    found = [m.span() for pattern in (_EMAIL, _URL, _PHONE, _ADDRESS) for m in pattern.finditer(text)]
    found += [
        (m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    names = _name_pattern(who)
    if names is not None:
        found += [m.span() for m in names.finditer(text)]
    if organisations:
        found += [m.span() for m in _ORG.finditer(text)]
    return found


def mask(text: str | None, who: Who, organisations: bool = False) -> str | None:
    """The text with identifying parts overwritten (same length); None stays None."""
    if not text:
        return text
    return _blank(text, spans(text, who, organisations))
