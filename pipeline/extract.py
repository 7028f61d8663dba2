"""Pure extraction from document text: skill mentions, job requirements, years, kind, contact, title."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline import phrases, sense
from pipeline.degrees import field_of_study_spans
from pipeline.sections import (
    NOT_SKILL_SECTIONS,
    SKILL_LIST_SECTIONS,
    SectionIndex,
    company_paragraphs,
    list_labels,
    sections,
)
from pipeline.taxonomy import Form, Skill, Taxonomy, fold
from pipeline.titles import ROLE_WORDS

SNIPPET_CHARS = 60


@dataclass(frozen=True)
class Mention:
    """One occurrence of a skill: canonical name, the text as written, where, evidence, and
    the section it sits in ("skills", "benefits"...; None when unknown)."""

    skill: str
    category: str
    surface: str
    start: int
    end: int
    snippet: str
    section: str | None = None


# ---------------------------------------------------------------- skill mentions


def extract_skills(text: str, taxonomy: Taxonomy, kind: str | None = None) -> list[Mention]:
    """Every skill mention in `text`, in text order, after case, exclude and context hints.

    With `kind` ("resume" or "job") each mention carries its section, a skills section
    admits forms that need context, and ambiguous forms in a resume's interests or
    references never count. A field of study a degree names ("B.S. in Computer Science")
    is not a mention, nor is a group of skills labelling a list ("Frontend: React, Vue").
    """
    found = sections(text, kind) if kind else []
    index = SectionIndex(found)
    listing = [(s.start, s.end) for s in found if s.name in SKILL_LIST_SECTIONS]
    barred = [(s.start, s.end) for s in found if kind and s.name in NOT_SKILL_SECTIONS[kind]]
    studied = field_of_study_spans(text)
    labels = list_labels(text)
    company = company_paragraphs(text) + _heading_lines(text) if kind == "job" else []
    hits = _phrased(text, taxonomy.matcher.find(text, listing=listing, barred=barred), taxonomy.matcher.forms)
    taken = {start for start, _, _ in hits}
    duties = opening_verbs(text, taxonomy, taken, kind) if kind else []
    duty_starts = {start for start, _, _ in duties}  # "Counsel students", "Dispatch drivers": activities, not roles
    hits = sorted(hits + duties, key=_span)
    hits = sorted(hits + certified(text, labels, hits, taxonomy.matcher.forms), key=_span)
    hits = list({(start, end, form.skill.name): (start, end, form) for start, end, form in hits}.values())  # once each
    hits = [
        hit for hit in hits if not taxonomy.matcher.excluded(text, hit[0], hit[1], hit[2].skill.name)
    ]  # phrases too
    spans = [(start, end) for start, end, _ in hits]
    # A degree inside a credential's own name ("National Diploma in Dental Nursing, Linux") names no field of study.
    studied = [(a, b) for a, b in studied if not any(start < a < end for start, end in spans)]
    languages = {start for start, _, form in hits if form.skill.category == SPOKEN}
    technical = [start for start, _, form in hits if sense.TECH_CATEGORY.search(form.skill.category)]
    private = [m.span() for m in _PRIVATE.finditer(text)]
    return [
        Mention(
            form.skill.name,
            form.skill.category,
            text[start:end],
            start,
            end,
            snippet(text, start, end),
            "about" if company and _inside(company, start) else index.at(start),
        )
        for start, end, form in hits
        if not (studied and _inside(studied, start))
        and not (labels and _inside(labels, start) and labels_a_group(text[start:end], form.skill))
        and not (kind == "job" and start not in duty_starts and names_a_role(text, start, end, form.skill))
        and not (kind != "job" and names_a_colleague(text, start, end, form.skill))
        and not (names_a_group(text, end, spans) and is_field(form.skill))
        and not (_LINGUAL.search(form.skill.name) and names_its_languages(text, end, languages))
        and not set_aside(text, start)
        and not received(text, start, form.skill)
        and not in_organisation_name(text, start, end)
        and not names_a_place_or_rule(text, start, end, form.skill)
        and not names_what_software_serves(text, start, end, form.skill, technical)
        and not (private and in_private_life(text, start, end, form.skill, private))
    ]


def _phrased(text: str, hits: list[tuple[int, int, Form]], forms: dict[str, Form]) -> list[tuple[int, int, Form]]:
    """The matcher's hits with the skills phrasing names besides: an "and"-list sharing a word, a verb and its
    object, "X of Y", support channels, "with" phrases (`pipeline.phrases`), in text order."""
    verb_objects = phrases.verb_object_hits(text, forms)
    return sorted(
        phrases.without_verbs_of(hits, verb_objects)
        + phrases.conjoined_hits(text, hits, forms)
        + verb_objects
        + phrases.nominal_of_hits(text, forms)
        + phrases.channel_hits(text, forms)
        + phrases.with_hits(text, forms),
        key=_span,
    )


# Words that put a sentence in private life: one's family, pets and home, time outside work.
_PRIVATE = re.compile(
    r"\b(?:(?:my|our|your)[ \t]+(?:[\w'’-]+[ \t]+){0,2}?(?:family|children|kids|sons?|daughters?|husband|wife|"
    r"grandparents|parents|friends|flatmates|roommates|dogs?|cats?|pets?|puppy|garden|wedding|neighbou?rs|"
    r"(?:aunt|uncle|cousin|brother|sister|nephew|niece)s?|grand(?:father|mother)|father|mother|dad|mum|mom|kitchen|"
    r"allotment)|family[ \t-]friendly|employee[ \t]+assistance|(?:employees|staff)['’]?s?[ \t]+(?:children|kids|families)|"
    r"my[ \t]+partner|an?[ \t]+friend['’]s|(?:a[ \t]+)?(?:parent|mum|mom|dad|mother|father)[ \t]+of[ \t]+(?:one|two|three|four|five|\d)|as[ \t]+a[ \t]+(?:teenager|child|kid|boy|girl|youngster)|"
    r"(?:my[ \t]+)?(?:interests|hobbies)[ \t]+(?:include|are)|family's|moving[ \t]+(?:house|home)|household[ \t]+(?:budget\w*|chores|bills|finances|admin|accounts|shopping)|the[ \t]+school[ \t]+run|school[ \t]+(?:pick-?ups?|drop-?offs?|holidays)|brought[ \t]+up[ \t]+by|(?:mother|father|mum|mom|dad|parents?|grand(?:mother|father)|sister|brother|wife|husband)[ \t]+who|wellbeing[ \t]+(?:programme|program|scheme|package|hub)|outside[ \t]+(?:of[ \t]+)?work|in[ \t]+my[ \t]+(?:spare|free)[ \t]+time|for[ \t]+fun|hobby|hobbies|"
    r"pastimes?|raising[ \t]+(?:[\w-]+[ \t]+)?(?:children|kids|a[ \t]+family)|a[ \t]+family[ \t]+of[ \t]+\w+|"
    r"toddlers?|bedtimes?|amateur|enthusiasts?|baby-?s[ai]t(?:ting)?|dog-?s[ai]t(?:ting)?|house-?s[ai]t(?:ting)?|"
    r"(?:neighbou?r|friend|flatmate|roommate)[ \t]+who)\b",
    re.IGNORECASE,
)


def in_private_life(text: str, start: int, end: int, skill: Skill, private: list[tuple[int, int]]) -> bool:
    """True when a skill of a field outside technology sits in a sentence about private life ("budgeting the
    weekly shop while raising three children", "the logistics of moving a family of five", "my border collie's
    compliance"): there the word has its everyday sense. `private` holds where such words are."""
    if sense.TECH_CATEGORY.search(skill.category):
        return False
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    hi_match = _SENTENCE_END.search(text, end)
    hi = hi_match.start() if hi_match else len(text)
    return any(lo <= p_start and p_end <= hi for p_start, p_end in private)


# What software is built: "the billing microservice", "audit logging", "a payroll API integration".
_SOFTWARE_PART = re.compile(
    r"[ \t-]*+(?:micro-?services?|apis?|endpoints?|schemas?|logging|dashboards?|webhooks?|sdks?|plug-?ins?|widgets?|"
    r"codebase|back-?end|front-?end|functionality)\b",
    re.IGNORECASE,
)
# ...and words that name it only beside a technology in the same sentence: "a recruiting platform in Rails".
_SOFTWARE_THING = re.compile(
    r"[ \t-]*+(?:service|platform|site|website|web[ \t-]?app|app|apps|system|engine|portal|page|pages|flows?|checks|"
    r"tables?|tool|tools|application|software|modules?|logs?|pipelines?|bots?|scripts?|integrations?|databases?|"
    r"components?|features?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)|\n")
# ...or after the employer's making or selling it: "a company that makes payroll software", "we sell HR tools".
_COMPANY_MAKES = re.compile(
    r"\b(?:we|(?:company|firm|business|start-?up|agency|team)[ \t]+(?:that|which|who))[ \t]+(?:also[ \t]+)?"
    r"(?:makes?|sells?|builds?|develops?|provides?|offers?|creates?|designs?)[ \t]+(?:[\w-]+[ \t]+){0,3}\Z",
    re.IGNORECASE,
)


def names_what_software_serves(text: str, start: int, end: int, skill: Skill, technical: list[int]) -> bool:
    """True when a one-word skill of a field outside software (not an abbreviation) modifies a piece of software: "the billing
    microservice", "audit logging", "a recruiting platform in Rails" name what the software is for, not a skill
    of the person who built it, nor does what the employer makes or sells ("we sell payroll software"). `technical`
    holds where the text's technical mentions start."""
    word = text[start:end]
    if sense.TECH_CATEGORY.search(skill.category) or not word.isalpha() or word.isupper():
        return False  # a product or an abbreviation ("SIS integration") is the skill itself
    if _SOFTWARE_PART.match(text, end):
        return True
    if _SOFTWARE_THING.match(text, end) is None:
        return False
    if _COMPANY_MAKES.search(text, max(0, start - 80), start) is not None:
        return True
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 200), start)), default=max(0, start - 200))
    hi_match = _SENTENCE_END.search(text, end)
    hi = hi_match.start() if hi_match else len(text)
    return any(lo <= t < hi and not (start <= t < end) for t in technical)


# A Title-case run ending in the kind of body, event, venue or place it names: "American Marketing Association", "the
# Red Hat Society", "Data Science Journal", "Marketing Summit 2023", "the Grafana Coffee House", "Kotlin Island".
_ORGANISATION_AFTER = re.compile(
    r"(?:[ \t]+(?:[A-Z][\w'’&.-]*+|of|for|and|&)){0,3}?[ \t]+(?:Association|Society|Foundation|Institute|Journal|"
    r"Summit|Conference|Week|Park|Prize|Ltd|Limited|Inc|LLC|plc|PLC|GmbH|Awards?|Club|Council|Federation|League|Guild|Magazine|Festival|Museum|Expo|"
    r"Airlines|Airways|Bank|Hospital|Zoo|Stadium|Arena|Orchestra|Choir|Church|Cathedral|Records|Board|Authority|Commission|"
    r"Office|Sons|Brothers|Partners|Associates|Solicitors|Directors|"
    r"House|Hotel|Restaurant|Caf[eé]|Bistro|Bakery|Brewery|Lounge|Theat(?:re|er)|Gallery|"
    # ...or a place, in either case ("Kotlin Island", "Vue cinemas"): no product is followed by these
    r"(?i:islands?|isle|street|road|avenue|river|lake|beach|bay|cinemas?))\b(?![ \t]*+\d)"  # "Office 365" is a product
    # ...a venue's or an event's kind in lower case after the name's words ("Primavera Sound festival"), the kind of
    # business right after the name ("Asana Studio"), or after a comma ("Tableau, a French bistro in Dublin")
    r"|(?:[ \t]+[A-Z][\w'’&.-]*+){0,2}[ \t]+(?:festival|museum|bistro|restaurant|bakery|brewery|caf[eé]|pub|hotel|zoo|"
    r"(?:nursery[ \t]+)?schools?|nurser(?:y|ies)|clinics?)\b|['’]s[ \t]+(?:Arms|Head|Inn|Tavern|Bar|Kitchen)\b"
    r"|[ \t]+(?:Studios?|Spa|Salon|Gym|Pub|Inn)\b"
    r"|[ \t]*,[ \t]*an?[ \t]+(?:[\w'’-]+[ \t]+){0,3}?(?:bistro|restaurant|caf[eé]|bakery|pub|bar|hotel|shop|boutique|"
    r"charity|band|festival|gallery|brewery|brasserie|trattoria|diner|tavern|deli|salon|studio|gym|farm|vineyard|"
    r"winery|theat(?:re|er)|museum|magazine|"
    r"newspaper|zoo|firm|company|agency|village|town|city|suburb)\b"
)


# After a field's name in lower case: a kind of place, firm or event ("a logistics park", "recruiting agencies", "a
# marketing firm", "a photography exhibition").
_KIND_OF_PLACE = re.compile(
    r"(?:[ \t]++(?:training|nursery|care|law|repair|supply|supplies|research))?"
    r"[ \t]++(?:parks?|hubs?|agency|agencies|firms?|compan(?:y|ies)|studios?|exhibitions?|festivals?|clubs?|museums?|"
    r"galleries|gallery|suites?|merchants?|clinics?|hospices?|centres?|centers?|nurser(?:y|ies)|schools?|floors?|"
    r"shops?|stores?|charit(?:y|ies)|canteens?|wards?|offices?|labs?|laborator(?:y|ies)|corridors?|buildings?|aisles?|"
    r"start-?ups?|wings?|counters?|cupboards?|factor(?:y|ies)|warehouses?|wholesalers?|manufacturers?|kits?|"
    r"equipment|manikins?|supplies|bureaux?|bureaus|consultanc(?:y|ies)|solicitors|all-hands|away-?days?|meetings?|"
    r"nights)\b"
    # ...or where it is ("a busy pharmacy on the high street")
    r"|[ \t]++(?:on|in)[ \t]++the[ \t]++(?:high|main)[ \t]++street\b"
)
# Before any mention: a trader in it ("a wholesaler of first aid kits", "a manufacturer of CPR manikins") ...
_TRADER_OF = re.compile(
    r"\b(?:manufacturers?|wholesalers?|suppliers?|makers?|sellers?|retailers?|distributors?|importers?|stockists?)"
    r"[ \t]++of[ \t]++\Z",
    re.IGNORECASE,
)
# ...and a firm of a field's practitioners ("a litigation practice", "an orthodontics practice in Leeds").
_A_PRACTICE = (re.compile(r"\ban?[ \t]++(?:[\w-]++[ \t]++)?\Z", re.IGNORECASE), re.compile(r"[ \t]++practices?\b"))


# Before a word: where something is ("opposite a 24-hour pharmacy", "next to the bakery"); after it: a house rule
# ("Photography is not permitted").
_LOCATION_BEFORE = re.compile(
    r"\b(?:opposite|next[ \t]+to|near|nearby|beside|behind|above|below|between|across[ \t]+from|close[ \t]+to|round[ \t]+the"
    r"[ \t]+corner[ \t]+from|around[ \t]+the[ \t]+corner[ \t]+from|between[ \t]+(?:a|an|the|our)[ \t]+(?:[\w-]+[ \t]+){1,3}and)"
    r"[ \t]+(?:a|an|the|our)[ \t]+(?:[\w-]+[ \t]+){0,2}\Z",
    re.IGNORECASE,
)
_RULE_AFTER = re.compile(
    r"[ \t]+(?:is|are)[ \t]+(?:not[ \t]+(?:permitted|allowed)|(?:strictly[ \t]+)?(?:prohibited|forbidden|banned))\b|"
    r"[^.\n]{0,40}\b(?:is|are)[ \t]+(?:all[ \t]+)?(?:within[ \t]+(?:easy[ \t]+)?walking[ \t]+distance|nearby|close[ \t]+by|"
    r"a[ \t]+short[ \t]+walk[ \t]+away|on[ \t]+site|next[ \t]+door)\b",
    re.IGNORECASE,
)


def names_a_place_or_rule(text: str, start: int, end: int, skill: Skill) -> bool:
    """True when a skill outside technology names a place by where it is ("the office is opposite a pharmacy") or a
    house rule ("Photography is not permitted inside the chapel"): no claim of the skill."""
    if sense.TECH_CATEGORY.search(skill.category):
        return False
    return (
        _LOCATION_BEFORE.search(text, max(0, start - 80), start) is not None
        or _RULE_AFTER.match(text, end) is not None
        # a Title-case name too ("a Six Sigma consultancy"); an abbreviation before "office" is one ("a PPM office")
        or (
            text[start : start + 1].isupper()
            and not text[start:end].isupper()
            and _KIND_OF_PLACE.match(text, end) is not None
        )
    )


# Before a capitalised word: the start of a firm's or a body's name ("Harris & Co Accounting", "the Museum of
# Photography").
_ORGANISATION_BEFORE = re.compile(
    r"(?:(?:&|\band)[ \t]+(?:Co\.?|Sons|Partners|Associates)|\b(?:Museum|School|College|Institute|Academy|Department|"
    r"Faculty|Centre|Center|Society|Association|Journal|Festival|Hall|Ministry|Office|Board)[ \t]+of(?:[ \t]+the)?"
    # ...or of a place ("the north coast of Java", "the island of Java")
    r"|\b(?i:coast|shores?|island|isle|city|town|village|province|county|region|port|republic|kingdom|district)[ \t]+of)"
    r"[ \t]+\Z"
    # ...or an animal's name after the animal ("my spaniel, Django", "a pony called Ruby")
    r"|\b(?:dogs?|cats?|pupp(?:y|ies)|kittens?|horses?|pon(?:y|ies)|spaniels?|terriers?|retrievers?|labradors?|"
    r"collies?|poodles?|beagles?|greyhounds?|lurchers?|rabbits?|parrots?|hamsters?|tortoises?|pets?)"
    r"(?:[ \t]*,|[ \t]+(?:called|named))[ \t]+\Z"
)


def in_organisation_name(text: str, start: int, end: int) -> bool:
    """True when a capitalised mention is a word of the name of an association, journal, prize or event: the name
    is no claim to the skill ("Member, American Marketing Association"; "volunteered at the Mercury Prize"); when
    a lower-case one names a kind of place or firm ("the edge of a logistics park", "no recruiting agencies", "a
    litigation practice"); or when any names what a firm trades in ("a wholesaler of first aid kits")."""
    if _TRADER_OF.search(text, max(0, start - 30), start) is not None:
        return True
    if text[start : start + 1].isupper():
        before = _ORGANISATION_BEFORE.search(text, max(0, start - 40), start) is not None
        return before or _ORGANISATION_AFTER.match(text, end) is not None
    article, practice = _A_PRACTICE
    return _KIND_OF_PLACE.match(text, end) is not None or (
        practice.match(text, end) is not None and article.search(text, max(0, start - 30), start) is not None
    )


_SET_ASIDE = re.compile(r"\b(?:other[ \t]+than|except(?:[ \t]+for)?|excluding)[ \t]+(?:the[ \t]+)?\Z", re.IGNORECASE)


def set_aside(text: str, start: int) -> bool:
    """True when the words just before a mention set it aside: "languages other than English", "any database
    except MySQL" name what is not asked for."""
    return _SET_ASIDE.search(text, max(0, start - 24), start) is not None


# Words before a skill that make the person its receiver: "received mentoring", "benefited from coaching", "access to
# free, confidential counselling", "we offer free counselling" (a few adjectives may sit between).
_RECEIVED = re.compile(
    r"\b(?:receiv(?:e|es|ed|ing)|benefit(?:s|ed|ted|ing)?[ \t]+from|access[ \t]+to|given|offered[ \t]+to[ \t]+you|"
    r"we[ \t]+(?:also[ \t]+)?offer|you(?:['’]ll|[ \t]+will)[ \t]+(?:get|receive|have))"
    r"[ \t]++(?:(?:a|an|the|our)[ \t]++)?(?:(?:free|confidential|regular|ongoing|tailored|structured|personal|one-to-one|1:1|expert|career)"
    r"(?:[ \t]*+,)?[ \t]++(?:and[ \t]++)?){0,3}\Z",
    re.IGNORECASE,
)


def received(text: str, start: int, skill: Skill) -> bool:
    """True when a skill outside technology is something the person received, not gave: "Benefited from mentoring
    through the Prince's Trust", "receives mentoring from a senior colleague", "access to free counselling"."""
    return (
        text[start : start + 1].islower()  # "Received Salesforce training": the product was learnt
        and sense.TECH_CATEGORY.search(skill.category) is None
        and _RECEIVED.search(text, max(0, start - 60), start) is not None
    )


SPOKEN = "Spoken languages"
_LINGUAL = re.compile(r"lingual$")  # Bilingual, Multilingual
_LANGUAGES_NEXT = re.compile(r"[ \t]*+(?:[(:–—-]|in\b|speaking\b)?[ \t]*+")


def names_its_languages(text: str, end: int, languages: set[int]) -> bool:
    """True when a language follows "Bilingual" or "Multilingual" ("Bilingual (Spanish)", "bilingual in Spanish",
    "Bilingual Spanish preferred"): the languages named are the skills a recruiter searches for."""
    return _LANGUAGES_NEXT.match(text, end).end() in languages  # type: ignore[union-attr]


_CERTIFICATIONS = re.compile(r"certif|licen[cs]", re.IGNORECASE)


def certified(
    text: str, labels: list[tuple[int, int]], hits: list[tuple[int, int, Form]], forms: dict[str, Form]
) -> list[tuple[int, int, Form]]:
    """A platform listed after a "Certifications:" label is its certification: "Certifications: AWS, CKA" names
    AWS Certification (when "<name> certification" is some skill's form) beside AWS."""
    found = []
    for start, end in labels:
        if _CERTIFICATIONS.search(text, start, end) is None:
            continue
        line_end = text.find("\n", end)
        for h_start, h_end, form in hits:
            if end <= h_start and (line_end == -1 or h_end <= line_end):
                cert = forms.get(fold(form.skill.name + " certification")) or forms.get(
                    fold(text[h_start:h_end] + " certification")
                )
                if cert is not None and cert.skill is not form.skill:
                    found.append((h_start, h_end, cert))
    return found


def _span(hit: tuple[int, int, Form]) -> tuple[int, int]:
    return hit[0], hit[1]


# A job's duty written as a list item that opens with imperative verbs: "- Recruit, onboard, and
# retain talent", "- Debug and fix issues", "- Schedule appointments".
_DUTY = re.compile(
    r"^[ \t]*+(?:[-–•*·●▪◦‣>]|\d+[.)])[ \t]*+(?P<verbs>[A-Z][a-z]++(?:(?:[ \t]*+,[ \t]*+(?:and[ \t]++|or[ \t]++)?"
    r"|[ \t]++(?:and|or|&)[ \t]++)[a-z]++){0,4})",
    re.MULTILINE,
)
_VERB = re.compile(r"[A-Za-z]++")
_CONNECTIVES = frozenset({"and", "or"})


# A resume's line opening with what the person did, in the past tense ("Prospected through cold calling", "- Budgeted
# and forecast spend"): the verbs before the first other word.
_DONE = re.compile(
    r"^[ \t]*+(?:(?:[-–•*·●▪◦‣>]|\d+[.)])[ \t]*+)?(?P<verbs>[A-Z][a-z]*ed(?:(?:[ \t]*+,[ \t]*+(?:and[ \t]++)?"
    r"|[ \t]++(?:and|&)[ \t]++)[a-z]*ed){0,3})\b",
    re.MULTILINE,
)


def opening_verbs(text: str, taxonomy: Taxonomy, taken: set[int], kind: str) -> list[tuple[int, int, Form]]:
    """Hits for the activities named by the verbs that open a line, when the verb's "-ing" form is a one-word
    skill that needs no context: a job's duties ("Recruit" -> Recruiting, "Debug" -> Debugging; only opening a list
    item, where a duty list puts them) and a resume's lines in the past tense ("Prospected" -> Prospecting,
    "Budgeted" -> Budgeting)."""
    found = []
    for m in (_DUTY if kind == "job" else _DONE).finditer(text):
        for v in _VERB.finditer(text, m.start("verbs"), m.end("verbs")):
            verb = v.group().lower()
            if verb in _CONNECTIVES or v.start() in taken:
                continue
            bases = (
                (verb,) if kind == "job" else (verb[:-2], verb[:-1], verb[:-3] + "y" if verb.endswith("ied") else "")
            )
            form = next((f for base in bases if base and (f := _gerund_form(base, taxonomy)) is not None), None)
            if form is not None:
                found.append((v.start(), v.end(), form))
    return found


def _gerund_form(verb: str, taxonomy: Taxonomy) -> Form | None:
    tries = [
        verb + "ing",
        verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else "",
        verb + verb[-1] + "ing",
        verb[:-1] + "ing" if len(verb) > 3 and verb[-1] == verb[-2] else "",  # "budgetted": budget
    ]
    for gerund in tries:
        form = taxonomy.matcher.forms.get(gerund) if gerund else None
        if form is not None and " " not in form.text and not form.ambiguous and not form.case_sensitive:
            return form
    return None


# A job's markdown heading ("### Reporting & Work Conditions", "**Machine Learning**") names a part
# of the posting; the requirements are the lines under it.
_HEADING_LINE = re.compile(r"^[ \t]*+(?:#{1,6}[^\n]*+|\*\*[^*\n]++\*\*:?[ \t]*+$)", re.MULTILINE)


# A job board's field of the posting's own details ("**Salary range:** ...", "Security clearance: Public trust",
# "Work schedule: Full Time"): what it names describes the post, not a skill asked for.
_DETAIL_LINE = re.compile(
    r"^[ \t>*-]*+(?:\*\*)?(?:salary|pay|compensation|wage|location|work[ \t]+schedule|schedule|hours|travel|"
    r"security[ \t]+clearance|clearance|position[ \t]+type|employment[ \t]+type|job[ \t]+type|type|status|"
    r"supervisory[ \t]+status|series[^:\n]{0,20}|grade[^:\n]{0,20}|announcement[^:\n]{0,20}|open|close|closing[ \t]+date|"
    r"start[ \t]+date|posted|number[ \t]+of[ \t]+vacancies|vacancies|duration|department|agency|reports[ \t]+to|"
    r"relocation|benefits|who[ \t]+may[ \t]+apply)[ \t]*+(?:range)?[ \t]*+:[ \t]*+(?:\*\*)?[^\n]*+",
    re.MULTILINE | re.IGNORECASE,
)


def _heading_lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _HEADING_LINE.finditer(text)] + [
        (m.start(), m.end()) for m in _DETAIL_LINE.finditer(text)
    ]


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(a <= offset < b for a, b in spans)  # a document names few degrees


_ROLE_END = re.compile(rf"(?:^|\s)(?:{ROLE_WORDS})s?$", re.IGNORECASE)
_ROLE_NEXT = re.compile(rf"(?:[ \t]++(?-i:[A-Z][a-z]++)){{0,2}}[ \t]*+(?:{ROLE_WORDS})s?\b", re.IGNORECASE)
_CREDENTIAL = re.compile(r"(?:registered|licen[cs]ed|certified|chartered|board[\s-]certified)\b", re.IGNORECASE)
_MUST_BE = re.compile(r"\b(?:must|should|shall|to)[ \t]+be[ \t]+an?[ \t]+(?:[\w-]+[ \t]+){0,2}\Z", re.IGNORECASE)
_FIELD_WORD = re.compile(r"(?:ing|ment|tion|sion|ance|ence|ics|ogy|ience|ism)$", re.IGNORECASE)


def names_a_role(text: str, start: int, end: int, skill: Skill) -> bool:
    """True when a job's text[start:end] names a role rather than a skill asked for: a role form of a
    field ("Data Scientist" for Data science, "Site Reliability Engineers"), or a field's name right
    before a role word ("frontend developers", "Digital Media and Marketing Manager"). The role is the
    job's (or its colleagues'); what it asks for is in its requirements. Products keep counting ("Python
    developer" asks for Python), and so do credentials whose name is a role ("Registered Nurse")."""
    surface = text[start:end]
    if _MUST_BE.search(text, max(0, start - 40), start):
        return False  # "Must be a full-stack developer": the role's field is asked for
    if _ROLE_END.search(surface):
        return _ROLE_END.search(skill.name) is None and _CREDENTIAL.match(surface) is None
    return _ROLE_NEXT.match(text, end) is not None and is_field(skill)


_SOMEONES = re.compile(r"\b(?:the|our|my|a|an|his|her|their)[ \t]++(?:[\w-]++[ \t]++)?\Z", re.IGNORECASE)
_AS_ONE = re.compile(
    r"\b(?:as|became|becoming|promoted[ \t]+to)[ \t]++(?:the|our|a|an)[ \t]++(?:[\w-]++[ \t]++)?\Z", re.IGNORECASE
)


def names_a_colleague(text: str, start: int, end: int, skill: Skill) -> bool:
    """True when a resume names someone else by a role of a field: "shared a desk with the payroll clerk", "babysat
    for a radiology consultant" (an article before it, and not "as a" or "promoted to the"): the writer's own titles
    stand without one."""
    return (
        _SOMEONES.search(text, max(0, start - 40), start) is not None
        and _AS_ONE.search(text, max(0, start - 60), start) is None
        and names_a_role(text, start, end, skill)
    )


def is_field(skill: Skill) -> bool:
    """True for a field of work or a practice ("Frontend development", "Marketing", "Networking"),
    as opposed to a named product, language or credential ("Python", "DevOps", "PMP")."""
    return _is_field(skill.name, skill.category)


@functools.lru_cache(maxsize=4096)
def _is_field(name: str, category: str) -> bool:
    last = name.rsplit(" ", 1)[-1]
    if (" " in name and last.islower()) or _FIELD_WORD.search(last) is not None:
        return True
    # One plain word outside the technology categories names a field too ("Sales", "Finance") when it is an English
    # word at all: "Figma", "Canva", "Zendesk" are products.
    return (
        " " not in name
        and name.isalpha()
        and not sense.distinctive_case(name)
        and sense.TECH_CATEGORY.search(category) is None
        and sense.zipf(name.lower()) >= _FIELD_ZIPF
    )


_FIELD_ZIPF = 2.5


# After a field's name: the colleagues or the part of a company it names ("the sales and marketing
# teams", "Marketing, PR, and Social Media teams", "the finance department").
# The group noun is in lower case: "Microsoft Teams" is a product; "team leadership" is a skill, not a group.
_GROUP_NEXT = re.compile(
    r"(?:[ \t]*+(?:,|&|\b[Aa]nd\b)[ \t]*+(?:and[ \t]++)?[\w/-]++(?:[ \t]++[\w/-]++)?){0,3}"
    r"[ \t]++(?:teams?|departments?|dept\b\.?|divisions?)\b"
    r"(?![ \t]++(?:leadership|management|building|player|work|leads?|leaders?|members?|skills|spirit|environment)\b)"
)


def labels_a_group(surface: str, skill: Skill) -> bool:
    """True when a list's label names a group of skills rather than one: a field written other than by its
    own name ("Frontend:" for Frontend development, "Containers & Orchestration:", "Cloud Platforms:");
    "Statistics:" or "Version Control:" before a list still claim the skill."""
    return is_field(skill) and fold(surface) != fold(skill.name)


def names_a_group(text: str, end: int, spans: Sequence[tuple[int, int]] = ()) -> bool:
    """True when what follows a field's name makes it a group of people (`_GROUP_NEXT`), unless the group noun is
    part of another skill's form ("1099 filings, Building teams")."""
    m = _GROUP_NEXT.match(text, end)
    return m is not None and not any(a < m.end() <= b for a, b in spans)


def counted(mentions: Iterable[Mention], kind: str) -> list[Mention]:
    """The mentions that count for a document of `kind`: not a resume's interests or
    references, not a job's title line, "about us" or benefits -- unless the same skill
    is also mentioned where it counts."""
    mentions = list(mentions)
    barred = NOT_SKILL_SECTIONS[kind]
    return [m for m in mentions if m.section not in barred]


def snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters around text[start:end], whitespace collapsed."""
    pad = max(10, (width - (end - start)) // 2)
    return " ".join(text[max(0, start - pad) : end + pad].split())


# Resume years live in pipeline/years.py; the name stays importable from here.
from pipeline.years import RANGE as _RANGE, resume_years  # noqa: E402,F401


# ---------------------------------------------------------------- kind, contact, title

_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\d)")
# Lower-case phrases; each must start a word. (A leading \b would cost regex's fast literal search.)
_JOB_CUES = [
    (re.compile(p), weight)
    for p, weight in (
        (r"responsibilities\b", 1),
        (r"requirements\b", 2),
        (r"qualifications\b", 1),
        (r"we(?:'re|’re| are) (?:looking for|seeking|hiring)", 2),
        (r"you(?: will|'ll|’ll)\b", 2),
        (r"the ideal candidate\b", 2),
        (r"job description\b", 2),
        (r"about the (?:role|position|job)\b", 2),
        (r"about us\b", 1),
        (r"apply\b", 1),
        (r"nice[\s-]to[\s-]have\b", 2),
        (r"what we offer\b", 2),
        (r"benefits\b", 1),
        (r"equal opportunity\b", 2),
        (r"(?:salary|compensation)\b", 1),
        (r"join (?:our|the) team\b", 2),
        (r"must have\b", 1),
        (r"your role\b", 1),
        (r"candidates?\b", 1),
    )
]


def _starts_word(pattern: re.Pattern[str], lowered: str) -> bool:
    return any(m.start() == 0 or not lowered[m.start() - 1].isalnum() for m in pattern.finditer(lowered))


_RESUME_WORD = re.compile(r"\b(?:r[eé]sum[eé]|curriculum vitae|cv)\b", re.IGNORECASE)
_EDUCATION_HEADING = re.compile(r"^[^\w\n]*education[^\w\n]*$", re.IGNORECASE | re.MULTILINE)
_EXPERIENCE_HEADING = re.compile(
    r"^[^\w\n]*(?:(?:work|professional)[ \t]+)?(?:experience|employment(?:[ \t]+history)?)[^\w\n]*$",
    re.IGNORECASE | re.MULTILINE,
)


def detect_kind(text: str) -> str:
    """ "job" or "resume": weighted cue counts, resume on a tie.

    Job cues are phrases a posting uses ("responsibilities", "requirements", "we are
    looking for", "you will", "apply", "benefits"...). Resume cues: an e-mail (+2) and a
    phone number (+1) in the first 400 characters, each date range (+1, up to 4), an
    "Education" (+1) or "Experience"/"Employment" (+1) heading, "resume"/"curriculum
    vitae" in the first line (+2).
    """
    lowered = text.lower()
    job = sum(weight for pattern, weight in _JOB_CUES if _starts_word(pattern, lowered))
    head = text[:400]
    resume = 2 * bool(_EMAIL.search(head)) + bool(_PHONE.search(head))
    resume += min(4, sum(1 for _ in _RANGE.finditer(text)))
    resume += bool(_EDUCATION_HEADING.search(text))
    resume += bool(_EXPERIENCE_HEADING.search(text))
    first = next((line for line in text.splitlines() if line.strip()), "")
    resume += 2 * bool(_RESUME_WORD.search(first))
    return "job" if job > resume else "resume"


# Names and titles live in pipeline/titles.py; these names stay importable from here.
from pipeline.titles import candidate_name, contact, job_title, resume_titles  # noqa: E402,F401
