"""Load the skills taxonomy from `skills/*.yaml` and compile it once into a matcher that finds skills in text."""
from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.taxonomy_schema import (FILE_KEYS, GAP, RELATED_STRENGTH, SKILL_KEYS, SkillEntry, TaxonomyError,
                                      fold, read_skills_file)

# Characters that may not touch a surface form: letters, digits and underscore (\w)
# on both sides, plus the glue of "R&D" and "@handle" before, "C++", "C#", "R&D" and
# "name@host" after. Hyphens, slashes, brackets and punctuation are boundaries.
LEFT_BOUNDARY = r"(?<![\w@&])"
RIGHT_BOUNDARY = r"(?![\w+#&@])"
# Inside a surface form a space or hyphen matches any run of whitespace or hyphens,
# so "machine learning" also finds "machine-learning" and "Machine\nLearning".
_GAP_RE = re.compile(GAP)
_RIGHT_GLUE = re.compile(r"[\w+#&@]")  # what RIGHT_BOUNDARY forbids after a form
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def gap_normal(surface: str) -> str:
    """A surface with its gaps collapsed to one space, case kept (for case-sensitive checks)."""
    return _GAP_RE.sub(" ", surface).strip()


@dataclass(frozen=True)
class Skill:
    """One canonical skill with its surface forms and matching hints."""
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    case_sensitive: frozenset[str] = frozenset()  # forms that must match with exact case
    context: tuple[str, ...] = ()  # words of which one must be near a `context_for` form
    context_for: frozenset[str] = frozenset()  # forms that need context (or a skills list)
    exclude: tuple[str, ...] = ()  # regexes; a hit inside a match of one is not a mention
    source: str = ""  # file the skill was declared in
    implies: tuple[str, ...] = ()  # skills anyone with this one has (Spring Boot -> Java)
    related: tuple[tuple[str, float], ...] = ()  # (skill, strength in (0, 1)): MySQL ~ PostgreSQL
    broader: tuple[str, ...] = ()  # the wider skill this is part of (Amazon RDS -> AWS)
    line: int = field(default=0, compare=False)  # line of the entry in `source`

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Form:
    """A surface form in the compiled matcher, with the hints that apply to it."""
    skill: Skill
    text: str
    case_sensitive: bool
    needs_context: bool


Hit = tuple[int, int, Form]  # start, end, form
Signal = tuple[int, int, int, int]  # start, end of a URL or e-mail sign; start, end of its token


@dataclass(frozen=True)
class Matcher:
    """The whole taxonomy compiled into one regex plus per-skill hint regexes.

    `pattern` runs over the ASCII-lowercased text; `forms` maps a folded hit to its form.
    """
    pattern: re.Pattern[str]
    forms: dict[str, Form]
    context: dict[str, re.Pattern[str]]  # skill name -> context word regex
    exclude: dict[str, re.Pattern[str]]  # skill name -> exclude regex

    def hits(self, text: str) -> Iterator[Hit]:
        """Every raw hit as (start, end, form), in text order, before hints are applied."""
        lowered = text.translate(_ASCII_LOWER)
        forms = self.forms
        for m in self.pattern.finditer(lowered):
            found = m.group()
            form = forms.get(found)
            if form is None:
                form = forms[_GAP_RE.sub(" ", found)]
            yield m.start(), m.end(), form

    def find(self, text: str) -> list[Hit]:
        """Hits that pass every hint (case, addresses, exclude, context), in text order.

        When the longest form at a position is rejected, a shorter form there may still
        count: "Azure pipelines" (case-sensitive, so not Azure DevOps) is still Azure.
        """
        hits = list(self.hits(text))
        signals = _address_signals(text) if hits else []
        found = []
        for index, hit in enumerate(hits):
            candidate: Hit | None = hit
            while candidate is not None and not self._accept(text, candidate, hits, index, signals):
                candidate = self._shorter(text, candidate)
            if candidate is not None:
                found.append(candidate)
        return found

    def _shorter(self, text: str, hit: Hit) -> Hit | None:
        """The longest form that starts where `hit` does and ends before it, if any."""
        start, end, _ = hit
        for cut in range(end - 1, start, -1):
            if (_RIGHT_GLUE.match(text, cut) is None and _GAP_RE.match(text, cut - 1) is None
                    and (form := self.forms.get(fold(text[start:cut])))):
                return start, cut, form
        return None

    def _accept(self, text: str, hit: Hit, hits: Sequence[Hit], index: int, signals: list[Signal]) -> bool:
        start, end, form = hit
        if form.case_sensitive and gap_normal(text[start:end]) != gap_normal(form.text):
            return False
        if _in_address(text, start, end, signals):
            return False
        exclude = self.exclude.get(form.skill.name)
        if exclude is not None:
            for m in exclude.finditer(text, max(0, start - _EXCLUDE_CHARS), min(len(text), end + _EXCLUDE_CHARS)):
                if m.start() <= start and m.end() >= end:
                    return False
        if form.needs_context:
            return (_has_context(text, start, end, self.context[form.skill.name])
                    or _in_skills_list(text, hit, hits, index))
        return True


@dataclass(frozen=True)
class Taxonomy:
    """The loaded taxonomy: skills by canonical name, a content version, the compiled matcher."""
    skills: dict[str, Skill]
    version: str
    categories: tuple[str, ...]
    matcher: Matcher = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.skills)

    def __contains__(self, name: object) -> bool:
        return name in self.skills


def load_taxonomy(folder: Path) -> Taxonomy:
    """Read every `*.yaml` file in `folder`, validate it and compile the matcher."""
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise TaxonomyError(f"{folder}: no skills files (*.yaml) found")
    digest = hashlib.sha256()
    skills: dict[str, Skill] = {}
    owners: dict[str, tuple[str, str]] = {}  # folded form -> (skill name, file:line)
    categories: list[str] = []
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        parsed, lines = read_skills_file(path.name, raw)
        if parsed.category not in categories:
            categories.append(parsed.category)
        for index, (entry, line) in enumerate(zip(parsed.skills, lines, strict=True), start=1):
            skill = _skill(entry, parsed.category, path.name, line)
            for form in skill.forms:
                key = fold(form)
                if key in owners:
                    other, other_where = owners[key]
                    raise TaxonomyError(
                        f"{path.name}:{line}: entry #{index} ({skill.name!r}): {form!r} is already "
                        f"used by {other!r} in {other_where}"
                    )
                owners[key] = (skill.name, f"{path.name}:{line}")
            skills[skill.name] = skill
    _check_relations(skills)
    return Taxonomy(
        skills=skills,
        version=digest.hexdigest(),
        categories=tuple(categories),
        matcher=compile_matcher(skills.values()),
    )


def _skill(entry: SkillEntry, category: str, source: str, line: int) -> Skill:
    """The validated entry as a `Skill` of `category`, declared at `source`:`line`."""
    context_for = entry.form_set("context_for", default_all=True) if entry.context else frozenset()
    return Skill(
        name=entry.name,
        category=category,
        aliases=entry.aliases,
        case_sensitive=entry.form_set("case_sensitive", default_all=False),
        context=entry.context,
        context_for=context_for,
        exclude=entry.exclude,
        source=source,
        implies=entry.implies,
        related=entry.related,
        broader=entry.broader,
        line=line,
    )


def _check_relations(skills: dict[str, Skill]) -> None:
    """Every relation names a skill that exists, and none names the skill itself."""
    for skill in skills.values():
        named = [("implies", n) for n in skill.implies] + [("broader", n) for n in skill.broader]
        named += [("related", n) for n, _ in skill.related]
        where = f"{skill.source}:{skill.line}"
        for key, other in named:
            if other == skill.name:
                raise TaxonomyError(f"{where}: {skill.name!r}: '{key}' names the skill itself")
            if other not in skills:
                raise TaxonomyError(f"{where}: {skill.name!r}: '{key}' names {other!r}, "
                                    f"which no skills file declares")


def _trie_regex(node: dict[str, Any]) -> str:
    """A regex for a trie of folded forms; longer forms are tried before their prefixes."""
    end = "" in node
    branches = []
    for char in sorted(k for k in node if k):
        piece = GAP if char == " " else re.escape(char)
        branches.append(piece + _trie_regex(node[char]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        # Optional group: greedy, so "c++" is preferred over "c"; a failed boundary backtracks.
        return "(?:" + body + ")?" if len(branches) == 1 else body + "?"
    return body


def _trie(keys: Iterable[str]) -> dict[str, Any]:
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie


def _words_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    body = _trie_regex(_trie(fold(word) for word in words))
    return re.compile(LEFT_BOUNDARY + "(?:" + body + ")" + RIGHT_BOUNDARY, re.IGNORECASE)


def compile_matcher(skills: Iterable[Skill]) -> Matcher:
    """Compile skills into one trie-shaped alternation regex with custom word boundaries."""
    forms: dict[str, Form] = {}
    context: dict[str, re.Pattern[str]] = {}
    exclude: dict[str, re.Pattern[str]] = {}
    for skill in skills:
        for text in skill.forms:
            forms[fold(text)] = Form(skill, text, text in skill.case_sensitive, text in skill.context_for)
        if skill.context:
            context[skill.name] = _words_regex(skill.context)
        if skill.exclude:
            exclude[skill.name] = re.compile("|".join(f"(?:{p})" for p in skill.exclude), re.IGNORECASE)
    pattern = re.compile(LEFT_BOUNDARY + "(?:" + _trie_regex(_trie(forms)) + ")" + RIGHT_BOUNDARY)
    return Matcher(pattern=pattern, forms=forms, context=context, exclude=exclude)


# ---------------------------------------------------------------- matching hints

# A hit inside a URL, an e-mail address or a dotted host name is not a mention.
_URLISH = re.compile(r"://|www\.|@|\w\.(?:com|org|net|io|dev|edu|gov|co|ai|app)\b")
_TOKEN_CHARS = 200  # how far around a hit to look for the rest of a URL or address
_NON_SPACE = re.compile(r"\S*")
# A list item: a hit with only a list separator (and maybe a bullet, "and"/"or", or a
# version number) between it and the previous and next separators: "Go, Rust", "C/C++".
_SEPARATORS = r",;|/•·●▪◦‣()\[\]{}:\t\n"
_ITEM_LEFT = re.compile(rf"(?<![^{_SEPARATORS}])[ \t]*+(?:[-–—*+>]|and|or|&)?[ \t]*+\Z", re.IGNORECASE)
_ITEM_RIGHT = re.compile(rf"[ \t]*+(?:and|or|&|\.|v?\d{{1,2}}(?:\.[\dx]+)*+\+?)?[ \t]*+(?:[{_SEPARATORS}]|\Z)",
                         re.IGNORECASE)
_ITEM_CHARS = 24  # how far before a list item its separator may be (room for a bullet and "and")
_NEIGHBOUR_CHARS = 150  # how far another listed skill may be from a list item...
_NEIGHBOURS = 12  # ...and how many hits either side are looked at
_CONTEXT_CHARS = 60  # how far (on the same line) a context word may be from a hit
# A claim of skill right before a hit is context for any skill: "experience with Spark",
# "proficient in Go", "knowledge of C and Rust".
_CLAIM = re.compile(
    r"\b(?:experienced?|proficien(?:t|cy)|knowledge|familiar(?:ity)?|expertise|expert|skilled|skills|fluent|fluency|"
    r"hands-on|certified|background)[ \t]+(?:with|in|of|on|using)[ \t]+(?:[\w.+#/-]+,?[ \t]+){0,3}\Z",
    re.IGNORECASE)
_EXCLUDE_CHARS = 40  # how far an exclude pattern may reach around a hit


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
        right = _NON_SPACE.match(text, m.end(), m.end() + _TOKEN_CHARS).end()
        signals.append((m.start(), m.end(), left, right))
    return signals


def _in_address(text: str, start: int, end: int, signals: list[Signal]) -> bool:
    """True when the hit is part of a URL, e-mail address or host name (not "Monday.com" itself)."""
    if start >= 2 and text[start - 1] == "." and text[start - 2].isalnum():
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


def _line_bounds(text: str, start: int, end: int, reach: int = 2000) -> tuple[int, int]:
    """The line around text[start:end], looking at most `reach` characters either way."""
    lo = max(0, start - reach)
    left = text.rfind("\n", lo, start) + 1 or lo
    hi = min(len(text), end + reach)
    right = text.find("\n", end, hi)
    return left, hi if right == -1 else right


def _has_context(text: str, start: int, end: int, words: re.Pattern[str]) -> bool:
    """One of the skill's context words is on the hit's line, or a skill claim leads to it."""
    line_start, line_end = _line_bounds(text, start, end)
    lo, hi = max(line_start, start - _CONTEXT_CHARS), min(line_end, end + _CONTEXT_CHARS)
    return (words.search(text, lo, start) is not None or words.search(text, end, hi) is not None
            or _CLAIM.search(text, lo, start) is not None)


def _isolated(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a whole item of a list."""
    return (_ITEM_LEFT.search(text, max(0, start - _ITEM_CHARS), start) is not None
            and _ITEM_RIGHT.match(text, end) is not None)


def _in_skills_list(text: str, hit: Hit, hits: Sequence[Hit], index: int) -> bool:
    """A hit needing context also counts when it is a list item, and either the line before
    ends in ":" or another skill is near it (same paragraph, _NEIGHBOUR_CHARS either way)."""
    start, end, form = hit
    if not _isolated(text, start, end):
        return False
    line_start = _line_bounds(text, start, end)[0]
    before = text[max(0, line_start - _NEIGHBOUR_CHARS):line_start]
    label = before.rstrip(" \t\n")
    if label.endswith(":") and "\n\n" not in before[len(label):]:
        return True  # "Nice to have:\n- Go"
    lo, hi = max(0, start - _NEIGHBOUR_CHARS), min(len(text), end + _NEIGHBOUR_CHARS)
    paragraph_start, paragraph_end = text.rfind("\n\n", lo, start), text.find("\n\n", end, hi)
    lo, hi = lo if paragraph_start == -1 else paragraph_start + 2, hi if paragraph_end == -1 else paragraph_end

    def listed_skill(other: Hit) -> bool:
        o_start, o_end, o_form = other
        return o_form.skill is not form.skill and (not o_form.needs_context or _isolated(text, o_start, o_end))

    earlier = (hits[i] for i in range(index - 1, max(-1, index - 1 - _NEIGHBOURS), -1))
    later = (hits[i] for i in range(index + 1, min(len(hits), index + 1 + _NEIGHBOURS)))
    return (any(listed_skill(h) for h in itertools.takewhile(lambda h: h[0] >= lo, earlier))
            or any(listed_skill(h) for h in itertools.takewhile(lambda h: h[1] <= hi, later)))
