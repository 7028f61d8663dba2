"""Regular variants of a skill form the taxonomy need not list: plurals, singulars, "&" for "and", "tests"."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z]{3,}")
_SIBILANT = re.compile(r"(?:s|x|z|ch|sh)$")
# Words whose plural (or singular) means something else, or that are not countable nouns.
_NO_NUMBER = re.compile(r"(?:ing|ics|ness|ship|ism|ware|data|media|ity)$")
_NOUN_SUFFIX = re.compile(r"(?:tion|sion|ment|ance|ence)$")
_PLURAL_TAIL = re.compile(r"(?<![siu])s$")  # "systems", not "class", "analysis" or "status"
# A role ("Project manager", "Data scientist") in the plural names colleagues, not a skill.
_ROLE = re.compile(
    r"(?:manager|engineer|developer|designer|analyst|scientist|architect|administrator|specialist|consultant|"
    r"assistant|technician|coordinator|officer|director|representative|recruiter|accountant|writer|editor|"
    r"programmer|tester|nurse|teacher|lead|owner|partner|generalist|strategist|planner|buyer|agent|associate|"
    r"clerk|auditor|advis[eo]r|executive|instructor|tutor|trainer|therapist|physician|counselor|worker|operator|"
    r"supervisor|producer|photographer|member|professional|expert|leader|head|user)s?$"
)
_AND = re.compile(r" and ")


def names_a_role(name: str) -> bool:
    """True when a name ends in a role ("Certified Nursing Assistant", "Site reliability engineer")."""
    return _ROLE.search(name.lower()) is not None


_AMPERSAND = re.compile(r" ?& ?")


def _last_word(form: str) -> tuple[str, str] | None:
    """(everything before the last word, the last word) when the last word is a plain lower-case word."""
    head, _, last = form.rpartition(" ")
    if not _WORD.fullmatch(last):
        return None
    return (head + " " if head else ""), last


def _plural(word: str) -> str | None:
    if word.endswith("us"):
        return None  # "status", "campus"
    if word.endswith("is"):
        return word[:-2] + "es"  # "analysis" -> "analyses"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if _SIBILANT.search(word) else "s")


def _singular(word: str) -> str | None:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(?:ches|shes|xes|sses)$", word):
        return word[:-2]
    return word[:-1] if _PLURAL_TAIL.search(word) else None


def variants(form: str) -> list[str]:
    """Variants of a form as written in the taxonomy (not folded), for a matcher to find too.

    Only forms whose last word is written in lower case, or that are one word ending like an
    abstract noun ("Illustration"), get a plural or a singular: a capitalised last word is a
    product's name ("Microsoft Teams", "Jenkins"). A single plural word loses its "s" only in
    a phrase ("Applicant tracking systems" -> "applicant tracking system"; "Windows" stays).
    "&" and "and" between words stand for each other ("Mergers & acquisitions"), and "<kind> tests" are
    "<kind> testing" ("penetration tests", "load tests").
    """
    out = []
    split = _last_word(form)
    lower = split is not None
    if split is None and " " not in form and _NOUN_SUFFIX.search(form) and form[:1].isupper() and form[1:].islower():
        split = ("", form.lower())
    if split is not None and not _NO_NUMBER.search(split[1]) and not _ROLE.search(split[1]):
        head, last = split
        single = _singular(last)
        plural = _plural(last) if single is None else None
        if plural is not None:
            out.append(head + plural)
        elif single is not None and lower and head and len(single) >= 3:
            out.append(head + single)
    if form.endswith(" testing") and len(form) > 10:
        out.append(form[: -len("ing")] + "s")  # "Penetration testing": "penetration tests"
    if " and " in form:
        out.append(_AND.sub(" & ", form))
    elif "&" in form and re.search(r"\w ?& ?\w", form) and len(form) > 5:
        out.append(_AMPERSAND.sub(" and ", form))
    return out
