"""Word sense from data: which skill forms are also ordinary English words (by wordfreq frequency)."""

from __future__ import annotations

import functools
import re

# A form whose lower-cased Zipf frequency is at least this is a common word ("Spark" 4.0,
# "Hive" 3.5); below it a word is jargon ("Kubernetes" 2.3, "Terraform" 2.0).
ZIPF_THRESHOLD = 3.0
# ...and an everyday *English* word when it is this much more frequent in English than the
# median of other languages ("spark" +1.1, "slack" +1.2); names of products, people and
# places travel across languages ("linux" +0.1, "python" +0.5, "julia" -0.1).
ENGLISH_SPREAD = 0.6
OTHER_LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "pl", "sv")
# A Title-case form at least this frequent is a known word somewhere: it may be a person's,
# a place's or a company's name ("Julia Hernandez", "Bella Vue Hotel").
NAME_THRESHOLD = 2.5
# Words formed like the name of an activity or a field mean that activity in everyday use
# too ("Budgeting", "Procurement", "Statistics"): their ordinary sense is the skill.
_ACTIVITY = re.compile(r"(?:ing|ment|tion|sion|ance|ence|ics|ogy|ship|ism|ysis|ure|ity)$", re.IGNORECASE)
_WORDLIKE = re.compile(r"^[A-Za-z][A-Za-z'’]*(?:[ -][A-Za-z][A-Za-z'’]*)*$")


@functools.lru_cache(maxsize=1)
def _zipf():
    """wordfreq's lookup, imported once (its word lists load lazily from package data)."""
    from wordfreq import zipf_frequency

    return zipf_frequency


def zipf(phrase: str, lang: str = "en") -> float:
    """Zipf frequency (0-8) of a lower-cased word or phrase in everyday text of `lang`.

    English uses wordfreq's large list (down to Zipf 1); other languages its small lists
    (Zipf 3 and up; rarer words read 0), which keeps the memory of a compile small.
    """
    return _zipf()(phrase.lower(), lang, wordlist="large" if lang == "en" else "small")


def release() -> None:
    """Drop wordfreq's loaded word lists (about 35 MB) once a taxonomy's flags are computed."""
    import wordfreq

    wordfreq.get_frequency_dict.cache_clear()
    wordfreq.get_frequency_list.cache_clear()


def english_spread(word: str) -> float:
    """How much more frequent `word` is in English than in the median other language."""
    others = sorted(zipf(word, lang) for lang in OTHER_LANGUAGES)
    middle = len(others) // 2
    return zipf(word) - (others[middle - 1] + others[middle]) / 2


def name_like(form: str) -> bool:
    """True for a single Title-case word that is a known word (a possible name of a person,
    a place or a company): such a form next to other capitalised words is part of a name."""
    return (
        form.istitle()
        and form.isalpha()
        and len(form) > 2
        and not _ACTIVITY.search(form)
        and zipf(form) >= NAME_THRESHOLD
    )


def distinctive_case(form: str) -> bool:
    """True for a form whose case marks it as a name of a thing: a capital inside a word
    ("PyTorch", "iOS") or an acronym ("SAS", "EPIC"), never a plain Title-case word."""
    letters = [c for c in form if c.isalpha()]
    if len(letters) < 2:
        return False
    return any(c.isupper() for c in form[1:] if c.isalpha()) and not form.istitle()


# Categories whose skills are products and technologies: there an everyday word is a name
# given to a thing ("Chef", "Spark"), not the skill itself. In the other categories
# (business, healthcare, education, soft skills) a word usually means what it says
# ("Payroll", "Anatomy"); products there carry the YAML `context` hint instead.
TECH_CATEGORY = re.compile(
    r"language|framework|librar|database|cloud|devops|data|\bml\b|machine|security|tool|"
    r"software|platform|engineering|programming|web|mobile|infrastructure",
    re.IGNORECASE,
)


def ambiguous(form: str, category: str, threshold: float = ZIPF_THRESHOLD) -> bool:
    """True when a skill form needs technical context to count: an ordinary word
    (`is_ordinary_word`) naming a product or technology (`TECH_CATEGORY`)."""
    return bool(TECH_CATEGORY.search(category)) and is_ordinary_word(form, threshold)


def is_plural_noun(word: str, threshold: float = ZIPF_THRESHOLD) -> bool:
    """True for a word ending in "s" whose stem is a common word ("Containers", "Pipelines")."""
    return word[-1:] in ("s", "S") and zipf(word[:-1]) >= threshold


def is_ordinary_word(form: str, threshold: float = ZIPF_THRESHOLD) -> bool:
    """True when a form, lower-cased, is a common English word or phrase whose everyday
    sense differs from the skill: "Chef", "Puppet", "Spark", "Slack", "Express"...

    Only single words: a phrase names its thing, and wordfreq's estimate for a phrase
    says little. Forms with digits or symbols ("C++", "Node.js", "CI/CD") are not words.
    Activity and field nouns ("Scheduling", "Statistics") mean the skill in everyday use
    too. Single letters are left to the taxonomy's own hints.
    """
    if len(form) < 2 or not _WORDLIKE.match(form):
        return False
    if len(form.split()) > 1 or "-" in form:
        return False  # a phrase ("Risk Management", "Red Hat") names the thing it is
    if _ACTIVITY.search(form) or distinctive_case(form):
        return False  # "Scheduling" means scheduling; "PyTorch", "AWS" are names by their case
    if is_plural_noun(form, threshold):
        return False  # a plural of a common noun names a kind of thing ("Containers", "Algorithms")
    return zipf(form) >= threshold and english_spread(form) >= ENGLISH_SPREAD
