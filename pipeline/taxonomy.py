"""Load the skills taxonomy from `skills/*.yaml` and compile it once into a matcher that finds skills in text."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.taxonomy_schema import (
    FILE_KEYS as FILE_KEYS,
    GAP,
    RELATED_STRENGTH as RELATED_STRENGTH,
    SKILL_KEYS as SKILL_KEYS,
    SkillEntry as SkillEntry,
    TaxonomyError,
    ascii_lower,
    fold,
    read_skills_file,
)  # (re-exported for callers)

from pipeline import inflect, sense
from pipeline.hints import (  # the matching hints
    _EXCLUDE_CHARS,
    _MODIFIED,
    _NAMED,
    _Where,
    _address_signals,
    _has_context,
    _in_address,
    _in_proper_name,
    _name_pair,
    _in_skills_list,
    _isolated,
    _kindred_neighbours,
    _lowered,
    _beside_kin,
    _names_a_thing,
    _odd_one_out,
    _shouted,
    _technical_neighbour,
    _titled_word,
    _versioned,
    _whole_item,
)

# Characters that may not touch a surface form: letters, digits and underscore (\w)
# on both sides, plus the glue of "R&D" and "@handle" before, "C++", "C#", "R&D" and
# "name@host" after. Hyphens, slashes, brackets and punctuation are boundaries.
LEFT_BOUNDARY = r"(?<![\w@&])"
RIGHT_BOUNDARY = r"(?![\w+#&@])"
# Inside a surface form a space or hyphen matches any run of whitespace or hyphens,
# so "machine learning" also finds "machine-learning" and "Machine\nLearning".
_GAP_RE = re.compile(GAP)
# The text the trie runs over has every gap character turned into a space (offsets hold), so a gap inside a form is
# this short pattern: compiling GAP's character classes at each of the taxonomy's thousands of gaps took most of a load.
_GAP_CHAR = re.compile(r"[^\S ]|[\-\u2010\u2011\u2013]")
_TRIE_GAP = r" +(?:\([a-z][a-z&/.]{0,7}\) +)?"
_RIGHT_GLUE = re.compile(r"[\w+#&@]")  # what RIGHT_BOUNDARY forbids after a form


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
    """A surface form in the compiled matcher, with the hints that apply to it.

    `needs_context` comes from the YAML (`context`/`context_for`); `ordinary` is computed
    at compile time from word frequencies (pipeline/sense.py): the form is also an
    everyday word, so it counts only with technical context too.
    """

    skill: Skill
    text: str
    case_sensitive: bool
    needs_context: bool
    ordinary: bool = False
    name_like: bool = False  # a known word in Title case: never counts inside a proper name
    lowered_word: bool = False  # in lower case, an everyday word of another sense ("epic", "lean")
    capitalised: bool = False  # counts only written with a capital first letter ("Open stack", not "open stack")

    @property
    def ambiguous(self) -> bool:
        return self.needs_context or self.ordinary


Hit = tuple[int, int, Form]  # start, end, form
Span = tuple[int, int]  # start, end of a part of a text
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
    senses: dict[str, tuple[Form, ...]] = field(default_factory=dict)  # a form two skills share -> each one's

    def hits(self, text: str) -> Iterator[Hit]:
        """Every raw hit as (start, end, form), in text order, before hints are applied."""
        lowered = _GAP_CHAR.sub(" ", ascii_lower(text))
        forms = self.forms
        for m in self.pattern.finditer(lowered):
            found = m.group()
            form = forms.get(found)
            if form is None:
                form = forms[_GAP_RE.sub(" ", found)]
            yield m.start(), m.end(), form

    def find(self, text: str, listing: Sequence[Span] = (), barred: Sequence[Span] = ()) -> list[Hit]:
        """Hits that pass every hint (case, addresses, exclude, context), in text order.

        `listing`: spans of skills sections, where an ambiguous form counts as listed;
        `barred`: spans (interests, references, a job's "about us") where it never counts.
        When the longest form at a position is rejected, a shorter form there may still
        count: "Azure pipelines" (case-sensitive, so not Azure DevOps) is still Azure.
        """
        hits = list(self.hits(text))
        signals = _address_signals(text) if hits else []
        where = _Where(listing, barred)
        found = []
        for index, hit in enumerate(hits):
            candidate: Hit | None = self._sense(text, hit, hits, index) if self.senses else hit
            while candidate is not None and not self._accept(text, candidate, hits, index, signals, where):
                candidate = self._shorter(text, candidate)
            if candidate is not None:
                found.append(candidate)
        return found

    def _sense(self, text: str, hit: Hit, hits: Sequence[Hit], index: int) -> Hit:
        """A form two skills share ("EMR": Amazon EMR and Electronic health records) as the skill its
        surroundings mean: the one with its own context words on the line, else the one with more skills of
        a kindred category beside it ("S3, Glue, EMR"; "charting in the EMR, medication administration");
        the first declared on a tie. The sense chosen must still pass the form's hints."""
        start, end, form = hit
        senses = self.senses.get(fold(form.text))
        if senses is None:
            return hit

        def support(sense: Form) -> tuple[bool, int]:
            words = self.context.get(sense.skill.name)
            own = words is not None and _has_context(text, start, end, words, generic=False)
            return own, _kindred_neighbours(text, (start, end, sense), hits, index)

        best = max(senses, key=support)  # max keeps the first of equals
        return start, end, best

    def _shorter(self, text: str, hit: Hit) -> Hit | None:
        """The longest form that starts where `hit` does and ends before it, if any."""
        start, end, _ = hit
        for cut in range(end - 1, start, -1):
            if (
                _RIGHT_GLUE.match(text, cut) is None
                and _GAP_RE.match(text, cut - 1) is None
                and (form := self.forms.get(fold(text[start:cut])))
            ):
                return start, cut, form
        return None

    def _accept(
        self, text: str, hit: Hit, hits: Sequence[Hit], index: int, signals: list[Signal], where: _Where | None = None
    ) -> bool:
        start, end, form = hit
        if form.capitalised and not text[start].isupper():
            return False
        shouted = lowered = False
        if form.case_sensitive and gap_normal(text[start:end]) != gap_normal(form.text):
            lowered = _lowered(text[start:end], form.text)
            if not (lowered or _shouted(text[start:end], form.text)):
                return False
            shouted = True  # "EPIC" for "Epic": the name, or a word in capitals; context decides
        if _in_address(text, start, end, signals):
            return False
        if self.excluded(text, start, end, form.skill.name):
            return False
        if lowered:
            return (
                self._lowered_in_sense(text, hit, where or _Where((), ()))
                or _whole_item(text, hit, hits, index)
                or (not (where and where.barred(start)) and _beside_kin(text, hit, hits, index))
            )
        if (
            shouted
            or form.ambiguous
            or (form.name_like and text[start:end].islower() and sense.TECH_CATEGORY.search(form.skill.category))
        ):
            # A product named by a known word is written capitalised; "a python", "a docker",
            # "selenium and zinc" in lower case are the everyday words.
            return self._in_sense(text, hit, hits, index, where or _Where((), ()))
        if form.name_like and not (where and where.listing(start)) and not _isolated(text, start, end):
            if (pair := _name_pair(text, hit, hits, index)) is not None:  # "Ruby Jenkins", unless the text is technical
                return _has_context(text, start, end, self.context.get(form.skill.name)) or _technical_neighbour(
                    text, hit, hits, index, pair
                )
            return not _in_proper_name(text, hit, hits, index)
        return _NAMED.search(text, max(0, start - 20), start) is None  # "a band called Redshift"

    def excluded(self, text: str, start: int, end: int, skill: str) -> bool:
        """True when one of `skill`'s exclude patterns matches text covering start..end."""
        exclude = self.exclude.get(skill)
        if exclude is None:
            return False
        for m in exclude.finditer(text, max(0, start - _EXCLUDE_CHARS), min(len(text), end + _EXCLUDE_CHARS)):
            if m.start() <= start and m.end() >= end:
                return True
        return False

    def _lowered_in_sense(self, text: str, hit: Hit, where: _Where) -> bool:
        """A Title-case name written in lower case ("ad-hoc reporting") counts with one of the skill's own
        context words when the lower-case word means the skill ("reporting", "compensation"); an everyday word
        of another sense ("agile", "lean", "epic") only as the modifier of one ("agile sprints", "agile or lean
        sprints", "agile-based methods"). Never in interests or references."""
        start, end, form = hit
        if where.barred(start):
            return False
        if _versioned(text, end) and sense.TECH_CATEGORY.search(form.skill.category):
            return True  # "angular 2", "python 3": a version makes the word the product
        words = self.context.get(form.skill.name)
        if words is None:
            return False
        if form.lowered_word:
            m = _MODIFIED.match(text, end)
            return m is not None and words.fullmatch(m.group(1)) is not None
        return _has_context(text, start, end, words, generic=False)

    def _in_sense(self, text: str, hit: Hit, hits: Sequence[Hit], index: int, where: _Where) -> bool:
        """An ambiguous form counts only in its technical sense: never in interests or
        references, nor as part of a proper name ("Bella Vue Hotel"); then with a skills
        section, a list of skills, a version, a context word, a technical verb or a
        technical neighbour."""
        start, end, form = hit
        if where.barred(start):
            return False
        if where.listing(start):
            return not _odd_one_out(text, hit, hits, index)
        if _names_a_thing(text, start, end):
            return False
        pair = _name_pair(text, hit, hits, index)
        if pair is None and _in_skills_list(text, hit, hits, index):
            return True
        if _in_proper_name(text, hit, hits, index):
            return False
        words = self.context.get(form.skill.name)
        technical = sense.TECH_CATEGORY.search(form.skill.category) is not None  # generic cues are technical
        return (
            (technical and _versioned(text, end))
            or _has_context(text, start, end, words, technical)
            or _technical_neighbour(text, hit, hits, index, pair)
        )


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


def _skills_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.is_file())


def _version_step(digest: Any, name: str, raw: bytes) -> None:
    digest.update(name.encode() + b"\0" + raw + b"\0")


def _roles_step(digest: Any, folder: Path) -> None:
    """The roles vocabulary (`roles/*.yaml`, pipeline/roles.py) is part of the version: scores depend on it, so an
    edit there is re-scored (pipeline/rescore.py) like an edit of the skills."""
    for path in sorted(Path(folder).glob("roles/*.yaml")):
        if path.is_file():
            _version_step(digest, "roles/" + path.name, path.read_bytes())


def taxonomy_version(folder: Path) -> str:
    """The content hash `load_taxonomy` would give the folder, without parsing or compiling anything."""
    digest = hashlib.sha256()
    for path in _skills_files(folder):
        _version_step(digest, path.name, path.read_bytes())
    _roles_step(digest, folder)
    return digest.hexdigest()


def load_taxonomy(folder: Path) -> Taxonomy:
    """Read every `*.yaml` file in `folder`, validate it and compile the matcher."""
    folder = Path(folder)
    files = _skills_files(folder)
    if not files:
        raise TaxonomyError(f"{folder}: no skills files (*.yaml) found")
    digest = hashlib.sha256()
    skills: dict[str, Skill] = {}
    owners: dict[str, tuple[str, str, bool]] = {}  # folded form -> (skill name, file:line, needs context)
    categories: list[str] = []
    for path in files:
        raw = path.read_bytes()
        _version_step(digest, path.name, raw)
        parsed, lines = read_skills_file(path.name, raw)
        if parsed.category not in categories:
            categories.append(parsed.category)
        for index, (entry, line) in enumerate(zip(parsed.skills, lines, strict=True), start=1):
            skill = _skill(entry, parsed.category, path.name, line)
            for form in skill.forms:
                key = fold(form)
                if key in owners:
                    other, other_where, other_needs = owners[key]
                    if not (other_needs and form in skill.context_for and skill.name != other):
                        raise TaxonomyError(
                            f"{path.name}:{line}: entry #{index} ({skill.name!r}): {form!r} is already "
                            f"used by {other!r} in {other_where} (two skills may share a form only when "
                            f"both list it in context_for)"
                        )
                    continue
                owners[key] = (skill.name, f"{path.name}:{line}", form in skill.context_for)
            skills[skill.name] = skill
    _check_relations(skills)
    _roles_step(digest, folder)
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
                raise TaxonomyError(f"{where}: {skill.name!r}: '{key}' names {other!r}, which no skills file declares")


def _trie_regex(node: dict[str, Any], gap: str = GAP) -> str:
    """A regex for a trie of folded forms; longer forms are tried before their prefixes; `gap` matches a space."""
    end = "" in node
    branches = []
    for char in sorted(k for k in node if k):
        piece = gap if char == " " else re.escape(char)
        branches.append(piece + _trie_regex(node[char], gap))
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
    """Compile skills into one trie-shaped alternation regex with custom word boundaries;
    each form's word-sense flag (`Form.ordinary`) is computed here, once per compile."""
    forms: dict[str, Form] = {}
    context: dict[str, re.Pattern[str]] = {}
    exclude: dict[str, re.Pattern[str]] = {}
    shared: dict[str, list[Form]] = {}
    skills = list(skills)
    for skill in skills:
        for text in skill.forms:
            titled = text in skill.case_sensitive and _titled_word(text)
            form = Form(
                skill,
                text,
                text in skill.case_sensitive,
                text in skill.context_for,
                sense.ambiguous(text, skill.category),
                sense.name_like(text),
                titled and sense.is_ordinary_word(text),
            )
            key = fold(text)
            shared.setdefault(key, []).append(form)
            forms.setdefault(key, form)
    _add_vendorless(forms)
    _add_variants(forms)
    _add_acronym_plurals(forms)
    _add_spaced(forms)
    _add_vendor_spelled_out(forms)
    for skill in skills:
        if skill.context:
            context[skill.name] = _words_regex(skill.context)
        if skill.exclude:
            exclude[skill.name] = re.compile("|".join(f"(?:{p})" for p in skill.exclude), re.IGNORECASE)
    sense.release()
    pattern = re.compile(LEFT_BOUNDARY + "(?:" + _trie_regex(_trie(forms), _TRIE_GAP) + ")" + RIGHT_BOUNDARY)
    senses = {key: tuple(found) for key, found in shared.items() if len(found) > 1}
    return Matcher(pattern=pattern, forms=forms, context=context, exclude=exclude, senses=senses)


_VENDOR = re.compile(r"^(?:Apache|Amazon|AWS|Google|Microsoft|Azure|Oracle|IBM)\s+([A-Z][A-Za-z]+)$")
_VENDORLESS_ZIPF = 4.2  # a product's bare name at least this frequent in English is a plain word ("Cloud")


def _add_vendorless(forms: dict[str, Form]) -> None:
    """A technology's name without its vendor ("Glue" for AWS Glue, "Iceberg" for Apache Iceberg),
    as people write it in lists ("AWS (S3, EMR, Glue, Athena)"): written in the name's own case and
    counted only with technical context (a skills list, a technical neighbour), like any word that is
    also an everyday word. Left out: a bare name that is a common English word or a plural noun
    ("Cloud", "Functions", "Pipelines"), one of two letters, and one that is already some skill's form."""
    seen: dict[str, Form | None] = {}
    for form in list(forms.values()):
        m = _VENDOR.match(form.text)
        if m is None or not sense.TECH_CATEGORY.search(form.skill.category):
            continue
        bare = m.group(1)
        if len(bare) <= 2 or sense.zipf(bare) >= _VENDORLESS_ZIPF or sense.is_plural_noun(bare):
            continue
        key = fold(bare)
        if key in forms:
            continue
        other = seen.get(key, form)
        seen[key] = (
            Form(form.skill, bare, True, True, True, form.name_like)
            if other is form or (other is not None and other.skill is form.skill)
            else None
        )
    forms.update((key, form) for key, form in seen.items() if form is not None)


def _add_variants(forms: dict[str, Form]) -> None:
    """Plurals, singulars and "&"/"and" spellings of plain forms (pipeline/inflect.py), as forms of
    the same skill with the same hints. A variant that is some skill's own form, or that two
    skills would share, is left out; forms with a case or context hint get none."""
    variants: dict[str, Form] = {}
    shared: set[str] = set()
    for form in list(forms.values()):
        if form.case_sensitive or form.ambiguous:
            continue
        for variant in inflect.variants(form.text):
            key = fold(variant)
            if key in forms or key in shared:
                continue
            other = variants.get(key)
            if other is not None and other.skill is not form.skill:
                shared.add(key)
                del variants[key]
            elif other is None:
                variants[key] = Form(form.skill, variant, False, False, form.ordinary, form.name_like)
    forms.update(variants)


_ACRONYM = re.compile(r"^[A-Z]{3,6}$")


def _add_acronym_plurals(forms: dict[str, Form]) -> None:
    """An abbreviation of three capitals or more in the plural with a small "s" ("EKGs", "SOPs", "RFPs"), as a
    form of the same skill with the same hints and case -- unless that spelling is an everyday word
    ("CATs": "cats") or some form already. Not for a credential or a role ("CPAs", "LPNs" are people)."""
    for form in list(forms.values()):
        plural = form.text + "s"
        if (
            _ACRONYM.match(form.text)
            and fold(plural) not in forms
            and sense.zipf(plural.lower()) < 2.5
            and form.skill.category != "Certifications"
            and not inflect.names_a_role(form.skill.name)
        ):
            forms[fold(plural)] = dataclasses.replace(form, text=plural)


_SPELLED_OUT = {"AWS Certified ": "Amazon Web Services Certified "}


def _add_vendor_spelled_out(forms: dict[str, Form]) -> None:
    """A certification named with its vendor's abbreviation ("AWS Certified DevOps Engineer") as people also
    write it with the name in full ("Amazon Web Services (AWS) Certified DevOps Engineer"; the bracketed
    abbreviation may sit in the gap)."""
    for form in list(forms.values()):
        for short, full in _SPELLED_OUT.items():
            if form.text.startswith(short) and (key := fold(full + form.text[len(short) :])) not in forms:
                forms[key] = dataclasses.replace(form, text=full + form.text[len(short) :])


_CAMEL = re.compile(r"^([A-Z][a-z]{2,})([A-Z][a-z]{2,})$")


def _add_spaced(forms: dict[str, Form]) -> None:
    """A product named by two words run together ("OpenStack", "PeopleFluent", "QuickBooks") as people also
    write it apart ("Open stack", "People fluent"): counted only with technical context (a list of skills, a
    technical neighbour) and written with a capital ("a data store" is no DataStore). Left out when the words
    apart are some form."""
    for form in list(forms.values()):
        m = _CAMEL.match(form.text)
        if m is not None and (key := fold(f"{m.group(1)} {m.group(2)}")) not in forms:
            forms[key] = Form(form.skill, f"{m.group(1)} {m.group(2)}", False, True, True, False, capitalised=True)
