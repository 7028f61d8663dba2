"""Where a skill form found in a text counts: a list item, a context word, a technical neighbour, a version; not
inside an address or a person's or a place's name (the hints `pipeline/taxonomy.py`'s matcher applies)."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline import sense
from pipeline.sections import heading_name

if TYPE_CHECKING:
    from pipeline.taxonomy import Form, Hit, Signal, Span

# A hit inside a URL, an e-mail address or a dotted host name is not a mention.
_URLISH = re.compile(r"://|www\.|@|\w\.(?:com|org|net|io|dev|edu|gov|co|ai|app)\b")
_TOKEN_CHARS = 200  # how far around a hit to look for the rest of a URL or address
_NON_SPACE = re.compile(r"\S*")
# A list item: a hit with only a list separator (and maybe a bullet, "and"/"or", or a
# version number) between it and the previous and next separators: "Go, Rust", "C/C++".
_SEPARATORS = r",;|/•·●▪◦‣()\[\]{}:\t\n"
_ITEM_LEFT = re.compile(rf"(?<![^{_SEPARATORS}])[ \t]*+(?:[-–—*+>]|and|or|&)?[ \t]*+\Z", re.IGNORECASE)
_ITEM_RIGHT = re.compile(
    rf"[ \t]*+(?:and|or|&|\.|v?\d{{1,2}}(?:\.[\dx]+)*+\+?)?[ \t]*+(?:[{_SEPARATORS}]|\Z)", re.IGNORECASE
)
_LABEL = re.compile(r"[ \t#*_•-]*+([A-Za-z][\w &/'’-]{0,40}?)[ \t*_]*+:[ \t]*+(?:[^:\n]*?[,;|][ \t]*+)?\Z")
_ITEM_CHARS = 24  # how far before a list item its separator may be (room for a bullet and "and")
_NEIGHBOUR_CHARS = 150  # how far another listed skill may be from a list item...
_NEIGHBOURS = 12  # ...and how many hits either side are looked at
_CONTEXT_CHARS = 60  # how far (on the same line) a context word may be from a hit
# A claim of skill right before a hit is context for any skill: "experience with Spark",
# "proficient in Go", "knowledge of C and Rust".
_CLAIM = re.compile(
    r"\b(?:experienced?|proficien(?:t|cy)|knowledge|familiar(?:ity)?|expertise|expert|skilled|skills|fluent|fluency|"
    r"hands-on|certified|background)[ \t]+(?:with|in|of|on|using)[ \t]+(?:[\w.+#/-]+,?[ \t]+){0,3}\Z",
    re.IGNORECASE,
)
_EXCLUDE_CHARS = 80  # how far an exclude pattern may reach around a hit


def _address_signals(text: str) -> list[Signal]:
    """(start, end, token start, token end) of each URL or e-mail sign ("://", "@", "x.com")."""
    signals: list[Signal] = []
    for m in _URLISH.finditer(text):
        if signals and m.start() < signals[-1][3]:  # same token as the previous sign
            signals.append((m.start(), m.end(), signals[-1][2], signals[-1][3]))
            continue
        left, stop = m.start(), max(0, m.start() - _TOKEN_CHARS)
        while left > stop and not text[left - 1].isspace():
            left -= 1
        token = _NON_SPACE.match(text, m.end(), m.end() + _TOKEN_CHARS)  # always matches (maybe nothing)
        right = token.end() if token else m.end()
        signals.append((m.start(), m.end(), left, right))
    return signals


def _in_address(text: str, start: int, end: int, signals: list[Signal]) -> bool:
    """True when the hit is part of a URL, e-mail address or host name (not "Monday.com" itself)."""
    if start >= 2 and text[start - 1] == "." and text[start - 2].isalnum() and not _glued_sentence(text, start):
        return True  # "www.python.org", "jane.go@x"
    if end + 1 < len(text) and text[end] == "." and (text[end + 1].islower() or text[end + 1].isdigit()):
        return True  # "python.org"
    i = bisect.bisect_left(signals, (start - _TOKEN_CHARS,))
    while i < len(signals) and signals[i][0] <= end + _TOKEN_CHARS:
        s_start, s_end, lo, hi = signals[i]
        if lo <= start and end <= hi and not (start <= s_start and s_end <= end):
            return True
        i += 1
    return False


def _glued_sentence(text: str, start: int) -> bool:
    """True when a capitalised word follows a full stop glued to a lower-case word: a sentence that
    PDF extraction ran into the last ("knowledge.Copywriting and proofreading"), not a host name."""
    return text[start].isupper() and text[start - 2].islower() and text[start + 1 : start + 2].islower()


def _line_bounds(text: str, start: int, end: int, reach: int = 2000) -> tuple[int, int]:
    """The line around text[start:end], looking at most `reach` characters either way."""
    lo = max(0, start - reach)
    left = text.rfind("\n", lo, start) + 1 or lo
    hi = min(len(text), end + reach)
    right = text.find("\n", end, hi)
    return left, hi if right == -1 else right


def _has_context(text: str, start: int, end: int, words: re.Pattern[str] | None, generic: bool = True) -> bool:
    """One of the skill's context words is on the hit's line, a skill claim or a technical
    verb leads to it ("experience with", "deployed with"), or a technical noun follows it
    ("Spark jobs", "Chef cookbooks")."""
    line_start, line_end = _line_bounds(text, start, end)
    lo, hi = max(line_start, start - _CONTEXT_CHARS), min(line_end, end + _CONTEXT_CHARS)
    if words is not None and (words.search(text, lo, start) is not None or words.search(text, end, hi) is not None):
        return True
    if not generic:
        return False
    return (
        _CLAIM.search(text, lo, start) is not None
        or _ASKED_BEFORE.search(text, lo, start) is not None
        or _TECH_VERB.search(text, lo, start) is not None
        or _TECH_NOUN.match(text, end, hi) is not None
        or _ASKED_AFTER.match(text, end, hi) is not None
    )


# A job asking for the form: "Must have: Go", "people who know Go", "Go is required", "Go (a plus)".
_ASKED_BEFORE = re.compile(
    r"(?:\b(?:must|nice|good|great)[ \t]+(?:to[ \t]+)?have|\brequired|\bpreferred|\bbonus)[ \t]*:[ \t]*\Z"
    r"|\b(?:know|knows|knowing)[ \t]+(?:[\w.+#/-]+,?[ \t]+){0,2}\Z",
    re.IGNORECASE,
)
_ASKED_AFTER = re.compile(
    r"[ \t]*+\(?(?:is|are)?[ \t]*+"
    r"(?:(?:strongly[ \t]+)?(?:required|preferred)|a[ \t]+(?:big[ \t]+)?plus|a[ \t]+must|mandatory)\b",
    re.IGNORECASE,
)


# A technical verb a few words before a form ("deployed with Chef", "scripted in Bash"),
# or a technical noun right after it ("Spark jobs", "Puppet manifests", "Go services").
_TECH_VERB = re.compile(
    r"\b(?:wrote|written|rewrote|rewritten|ported|coded|coding|programmed|programming|scripted|scripting|deployed|"
    r"deploying|configured|"
    r"automated|automating|containeri[sz]ed|orchestrated|provisioned|compiled|refactored|debugged|streamed|"
    r"streaming|queried|querying|indexed|indexing|cached|"
    r"migrated\s+(?:\w+\s+){0,3}?(?:to|from)|implemented\s+(?:\w+\s+){0,3}?(?:in|with|using)|"
    r"developed\s+(?:\w+\s+){0,3}?(?:in|with|using|on)|built\s+(?:\w+\s+){0,3}?(?:in|with|using|on)|"
    r"(?:apps?|applications?|services|apis?|code|scripts?|tools|pipelines|jobs|backends?|frontends?)\s+"
    r"(?:in|with|using|on))[ \t]+(?:[\w.+#/-]+,?[ \t]+){0,3}\Z",
    re.IGNORECASE,
)
_TECH_NOUN = re.compile(
    r"[ \t]*+(?:-[ \t]*+)?(?:code(?:base)?|scripts?|scripting|programming|programs?|developers?|development|"
    r"engineers?|framework|librar(?:y|ies)|apis?|sdks?|clusters?|jobs|pipelines?|queries|modules|packages|"
    r"manifests|cookbooks|recipes|playbooks|plugins?|components|apps?|applications|servers?|services|stack|"
    r"projects?|certification|certified|ecosystem|runtime|version|upgrades?|migrations?|(?<=-)based|"
    r"(?<=-)powered)\b",
    re.IGNORECASE,
)
_VERSION = re.compile(
    r"[ \t]*+v?\d{1,2}(?:\.[\dx]+)*+[a-z]?(?![\w.]*\d{3})(?!\s*(?:%|percent|years?|months?|"
    r"days?|hours?|weeks?|minutes?|people|employees|staff|members|clients|customers|users|times|x\b|"
    r"(?:met(?:re|er)s?|km|kg|cm|mm|m|ft|feet|foot|inch(?:es)?|lbs?|pounds?|miles?|degrees?)\b))",
    re.IGNORECASE,
)


def _versioned(text: str, end: int) -> bool:
    """A version number right after a form: "Vue 3", "Oracle 19c", "Python 3.12", "Java 17"."""
    return _VERSION.match(text, end) is not None


# Capitalised words that say what a thing is rather than name it: "Python Developer",
# "Spark Streaming", "Certified Chef", "Senior Java Engineer".
_NOT_NAME_WORD = re.compile(
    r"(?:developers?|engineers?|engineering|programmers?|programming|development|architects?|administrators?|"
    r"admins?|consultants?|specialists?|analysts?|scientists?|experts?|certified|certification|senior|junior|lead|"
    r"principal|staff|team|teams|stack|framework|frameworks|library|libraries|code|scripting|scripts?|apps?|"
    r"applications?|services?|server|servers|cloud|data|streaming|platform|tools?|skills|experience|projects?|"
    r"developer|mobile|web|native|core|sdk|api|apis|using|with|and|or|in|on|for|the|a|an|of|to|"
    r"expert|proficient|advanced|intermediate|basic|fundamentals|essentials|professional|associate)\Z",
    re.IGNORECASE,
)
# The noun a word modifies: "agile sprints", "agile or lean sprints", "agile-based methodologies".
_MODIFIED = re.compile(r"(?:-based)?(?:[ \t]+(?:or|and|&)[ \t]+(?!(?:a|an|the|my|our)\b)[a-z]+)?[ \t-]+([A-Za-z]+)")
_HONORIFIC = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Professor|Sir|Dame|Rev)\.?[ \t]+(?:[A-Z][a-z'’]+[ \t]+)?\Z")
_PLACE_OF = re.compile(
    r"\b(?:island|isle|city|town|village|state|province|county|region|port|republic|kingdom|district)[ \t]+of[ \t]+\Z",
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"\b(?:called|named|dubbed|nicknamed|games?[ \t]+of|board[ \t]+game|card[ \t]+game)[ \t]+(?:the[ \t]+)?\Z",
    re.IGNORECASE,
)
# A kind of place, institution or group right after a name: it names that place ("the Kafka museum").
_PLACE_AFTER = re.compile(
    r"[ \t]+(?:museum|festival|prize|award|awards|foundation|family|street|road|avenue|island|islands|river|lake|"
    r"mountains?|park|hotel|restaurant|theat(?:re|er)|caf[eé]|house|hall|church|bridge|beach|county|village|gallery|"
    r"ceremony|band|estate|farm|inlet|bay|sea|coast)\b"
    # ...or a US state after a comma: "Phoenix, AZ" is the city.
    r"|[ \t]*,[ \t]*(?-i:A[LKZR]|C[AOT]|DE|DC|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|"
    r"T[NX]|UT|V[TA]|W[AVIY])\b",
    re.IGNORECASE,
)
# "and" or a comma, then a capitalised word ("Java and Bali", "Kafka, Camus"): checked against the skills found.
_JOINED_NAME = re.compile(r"(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+)([A-Z][a-z'’]{2,})\b(?![ \t]*[.+#/-]?\w*[0-9])")
_WORD_BEFORE = re.compile(r"(?:^|(?<=[^\w]))([A-Z][a-z'’]+)[ \t]\Z")
_WORD_AFTER = re.compile(r"[ \t]([A-Z][a-z'’]+)\b")


def _names_a_thing(text: str, start: int, end: int) -> bool:
    """True for a capitalised form used as the name of a person or a place: after a title, "called" or "island of"
    ("Dr. Julia Jenkins", "a band called Redshift", "the island of Java"), before a kind of place or group ("the
    Kafka museum") or a US state ("Phoenix, AZ")."""
    return text[start : start + 1].isupper() and (
        _HONORIFIC.search(text, max(0, start - 30), start) is not None
        or _NAMED.search(text, max(0, start - 20), start) is not None
        or _PLACE_OF.search(text, max(0, start - 20), start) is not None
        or _PLACE_AFTER.match(text, end) is not None
    )


_SENTENCE_LEAD = re.compile(r"[.!?:;\n•\-–—*·●▪◦‣>)]\s*$")  # a sentence's or a list item's start


def _in_proper_name(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """True when a capitalised form is one word of a proper name, next to a capitalised word
    that is not a skill and not the first word of a sentence: "Julia Hernandez", "Bella Vue
    Hotel", "The Elixir Lounge", "Spark Youth Mentoring Program"."""
    start, end, _ = hit
    if not text[start : start + 1].isupper():
        return False
    if _names_a_thing(text, start, end):
        return True
    covered = {(s, e) for s, e, _ in hits[max(0, index - 2) : index + 3]}
    joined = _JOINED_NAME.match(text, end)
    if joined and not any(s <= joined.start(1) < e for s, e in covered):
        return True  # "through Java and Bali": one of a list of names that are not skills
    after = _WORD_AFTER.match(text, end)
    if after and not any(s <= after.start(1) < e for s, e in covered) and not _NOT_NAME_WORD.match(after.group(1)):
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if before and not any(s <= before.start(1) < e for s, e in covered) and not _NOT_NAME_WORD.match(before.group(1)):
        lead = text[max(0, before.start(1) - 3) : before.start(1)]
        sentence_start = before.start(1) == 0 or not lead.strip() and "\n" in lead or _SENTENCE_LEAD.search(lead)
        return not sentence_start
    return False


_TITLE_WORD = re.compile(r"[A-Z][a-z]++")


def _name_pair(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> int | None:
    """The index of the hit beside this one when the two are capitalised words with only a space between them, at
    least one ambiguous, as a first name and a surname are ("Ruby Jenkins"); else None. Skills in prose are listed
    with commas or "and", so neither vouches for the other."""
    start, end, form = hit
    if not _TITLE_WORD.fullmatch(text, start, end):
        return None
    for j in (index - 1, index + 1):
        if 0 <= j < len(hits):
            o_start, o_end, o_form = hits[j]
            gap = text[o_end:start] if j < index else text[end:o_start]
            if (
                gap == " "
                and (o_form.ambiguous or form.ambiguous)
                and (o_form.ambiguous or o_form.name_like)
                and _TITLE_WORD.fullmatch(text, o_start, o_end)
            ):
                return j
    return None


_NEIGHBOUR_SENTENCE = re.compile(r"[.!?](?=\s)|\n\s*\n")


def _technical_neighbour(text: str, hit: Hit, hits: Sequence[Hit], index: int, skip: int | None = None) -> bool:
    """Another skill of the same category (or, for software, of any software category),
    itself unambiguous, in the same sentence: "Spark" beside "Hadoop", "Cassandra" beside "Hadoop",
    "EPIC" beside "medication administration". The hit at `skip` does not count."""
    start, end, form = hit
    lo, hi = max(0, start - _NEIGHBOUR_CHARS), min(len(text), end + _NEIGHBOUR_CHARS)
    for m in _NEIGHBOUR_SENTENCE.finditer(text, lo, hi):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    for i in range(max(0, index - _NEIGHBOURS), min(len(hits), index + 1 + _NEIGHBOURS)):
        o_start, o_end, o_form = hits[i]
        if (
            i != index
            and i != skip
            and lo <= o_start
            and o_end <= hi
            and not o_form.ambiguous
            and o_form.skill is not form.skill
            and _kindred(o_form.skill.category, form.skill.category)
        ):
            return True
    return False


_BULLET_ONLY = re.compile(r"[ \t]*+[-–•*·●▪◦‣][ \t]*+")


def _whole_item(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """True for a form that is a whole item of a bulleted list of skills ("- git" between "- shell scripting" and
    "- Ansible"): whatever its case, there it names the skill."""
    start, end, _ = hit
    line_start, line_end = _line_bounds(text, start, end)
    return (
        _BULLET_ONLY.fullmatch(text, line_start, start) is not None
        and not text[end:line_end].strip(" \t.,;")
        and _in_skills_list(text, hit, hits, index)
    )


# What may stand between two items of a list: "power point, word", "Excel and word", "Word/excel".
_ITEM_GAP = re.compile(r"[ \t]*+(?:[,/;&]|and|or)[ \t]*+(?:(?:and|or)[ \t]++)?")
_PLAIN_WORD = re.compile(r"[a-z]++")
_BEFORE_ITEM = re.compile(r"(?:[,/;&]|\band|\bor)[ \t]*+\Z")
_AFTER_ITEM = re.compile(r"[ \t]*+(?:[,/;&.]|and\b|or\b|$)", re.MULTILINE)


def _beside_kin(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """True for a list item written in lower case right beside an item of its own category written as its name, not
    as one everyday word ("power point, word": the word processor beside the slides program; not "excel at chess,
    word games", nor "teams and forecasts")."""
    start, end, form = hit
    if _AFTER_ITEM.match(text, end) is None or _BEFORE_ITEM.search(text, max(0, start - 8), start) is None:
        return False
    for j in (index - 1, index + 1):
        if not 0 <= j < len(hits):
            continue
        o_start, o_end, o_form = hits[j]
        if (
            o_form.skill is not form.skill
            and o_form.skill.category == form.skill.category
            and (not (o_form.ambiguous or o_form.case_sensitive) or text[o_start:o_end] == o_form.text)
            and not _PLAIN_WORD.fullmatch(text, o_start, o_end)  # "teams and forecasts": two everyday nouns
            and _ITEM_GAP.fullmatch(text[o_end:start] if j < index else text[end:o_start]) is not None
        ):
            return True
    return False


def _kindred_neighbours(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> int:
    """How many other skills of a category kindred to the hit's are within _NEIGHBOUR_CHARS in its paragraph."""
    return sum(_kindred(o.skill.category, hit[2].skill.category) for o in _paragraph_neighbours(text, hit, hits, index))


def _paragraph_neighbours(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> list[Form]:
    """The forms of the other skills within _NEIGHBOUR_CHARS of the hit in its paragraph."""
    start, end, form = hit
    lo, hi = max(0, start - _NEIGHBOUR_CHARS), min(len(text), end + _NEIGHBOUR_CHARS)
    paragraph_start, paragraph_end = text.rfind("\n\n", lo, start), text.find("\n\n", end, hi)
    lo, hi = lo if paragraph_start == -1 else paragraph_start + 2, hi if paragraph_end == -1 else paragraph_end
    return [
        hits[i][2]
        for i in range(max(0, index - _NEIGHBOURS), min(len(hits), index + 1 + _NEIGHBOURS))
        if i != index and lo <= hits[i][0] and hits[i][1] <= hi and hits[i][2].skill is not form.skill
    ]


_SPOKEN = re.compile(r"spoken", re.IGNORECASE)
_STRANGERS = 3  # a listed word with this many skills around it and none of its kind is the everyday word


def _odd_one_out(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """True when a software name that is also an everyday word sits in a list of skills none of which is
    software: "purchasing, Express, QuickBooks, Sage" in an accountant's skills is not Express.js."""
    category = hit[2].skill.category
    if sense.TECH_CATEGORY.search(category) is None or _SPOKEN.search(category):
        return False
    around = _paragraph_neighbours(text, hit, hits, index)
    return len(around) >= _STRANGERS and not any(_kindred(o.skill.category, category) for o in around)


# Software categories: a skill of one beside a skill of another is still software ("Hadoop to Cassandra").
_SOFTWARE = re.compile(
    r"programming\s+languages|frameworks|librar|databases|cloud|devops|data\s+&\s+ml|security", re.IGNORECASE
)


@functools.lru_cache(maxsize=256)
def _kindred(category: str, other: str) -> bool:
    """True for one category, or two software categories ("Databases" and "Data & ML")."""
    return category == other or (_SOFTWARE.search(category) is not None and _SOFTWARE.search(other) is not None)


class _Where:
    """Spans of a text where ambiguous forms count as listed, or never count."""

    def __init__(self, listing: Sequence[Span], barred: Sequence[Span]) -> None:
        self._listing, self._barred = sorted(listing), sorted(barred)

    @staticmethod
    def _inside(spans: list[Span], offset: int) -> bool:
        i = bisect.bisect_right(spans, (offset, float("inf"))) - 1
        return i >= 0 and spans[i][0] <= offset < spans[i][1]

    def listing(self, offset: int) -> bool:
        return self._inside(self._listing, offset)

    def barred(self, offset: int) -> bool:
        return self._inside(self._barred, offset)


def _shouted(surface: str, form: str) -> bool:
    """True when a Title-case form of three letters or more is written in capitals ("EPIC", "SPRING")."""
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= 3 and form[:1].isupper() and form.istitle() and surface == surface.upper() != surface.lower()


def _titled_word(form: str) -> bool:
    """True for one Title-case word of three letters or more ("Git", "Reporting")."""
    return len(form) >= 3 and form.isalpha() and form.istitle()


def _lowered(surface: str, form: str) -> bool:
    """True when a Title-case word is written in lower case ("git", "reporting")."""
    return _titled_word(form) and surface == form.lower()


def _isolated(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a whole item of a list."""
    return (
        _ITEM_LEFT.search(text, max(0, start - _ITEM_CHARS), start) is not None
        and _ITEM_RIGHT.match(text, end) is not None
    )


def _in_skills_list(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """A hit needing context also counts when it is a list item, and either the line before
    ends in ":" or another skill is near it (same paragraph, _NEIGHBOUR_CHARS either way)."""
    start, end, form = hit
    if not _isolated(text, start, end):
        return False
    line_start = _line_bounds(text, start, end)[0]
    before = text[max(0, line_start - _NEIGHBOUR_CHARS) : line_start]
    label = before.rstrip(" \t\n")
    if label.endswith(":") and "\n\n" not in before[len(label) :]:
        return True  # "Nice to have:\n- Go"
    inline = _LABEL.match(text, line_start, start)
    if inline and heading_name(inline.group(1), "resume") not in (None, "interests", "references"):
        return True  # "Skills: Go" -- a labelled line; another label ("Frameworks:") needs a skill beside it
    lo, hi = max(0, start - _NEIGHBOUR_CHARS), min(len(text), end + _NEIGHBOUR_CHARS)
    paragraph_start, paragraph_end = text.rfind("\n\n", lo, start), text.find("\n\n", end, hi)
    lo, hi = lo if paragraph_start == -1 else paragraph_start + 2, hi if paragraph_end == -1 else paragraph_end

    def listed_skill(other: Hit) -> bool:
        o_start, o_end, o_form = other
        return o_form.skill is not form.skill and (not o_form.ambiguous or _isolated(text, o_start, o_end))

    earlier = (hits[i] for i in range(index - 1, max(-1, index - 1 - _NEIGHBOURS), -1))
    later = (hits[i] for i in range(index + 1, min(len(hits), index + 1 + _NEIGHBOURS)))
    return any(listed_skill(h) for h in itertools.takewhile(lambda h: h[0] >= lo, earlier)) or any(
        listed_skill(h) for h in itertools.takewhile(lambda h: h[1] <= hi, later)
    )
