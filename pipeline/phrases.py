"""Skills a text names by its phrasing rather than by a form: an "and"-list sharing a word, a verb and its object."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

from pipeline.taxonomy import Form, Hit, fold

# One word joined by "and", "or", "&" or "/" to a skill's first or last word: "business and functional
# requirements", "accounts payable and receivable".
_CONJUNCTION = r"(?:[ \t]*+[/&][ \t]*+|,?[ \t]++(?:and|or)[ \t]++)"
_CONJOINED_BEFORE = re.compile(rf"(?<![\w-])([A-Za-z][a-z]{{2,}}+|[A-Z]{{2,5}}){_CONJUNCTION}\Z")
# ...and the items of the list before that one, after a comma too: "ESL/ELL, SPED, or Reading endorsement".
_LISTED_BEFORE = re.compile(rf"(?<![\w-])([A-Za-z][a-z]{{2,}}+|[A-Z]{{2,5}})(?:{_CONJUNCTION}|[ \t]*+,[ \t]*+)\Z")
_CONJOINED_AFTER = re.compile(rf"{_CONJUNCTION}([A-Za-z][a-z]{{2,}}+)(?![\w-])")
_SUFFIX_AFTER = re.compile(r"[ \t]*+/[ \t]*+([A-Z][A-Za-z0-9]{1,5}+)(?![\w-])")
# "print and electronic design": the first item with the last word of a two-word item after it, looked at
# whether or not that two-word item is itself a skill.
_SHARED_TAIL = re.compile(
    rf"(?<![\w-])(?=([A-Za-z][a-z]{{2,}}+){_CONJUNCTION}[A-Za-z][a-z]{{2,}}+[ \t]++([A-Za-z][a-z]{{2,}}+)(?![\w-]))"
    # ...and the other way round after a slash: "training tools/documentation" names Training documentation
    r"|(?<![\w-])(?=([A-Za-z][a-z]{2,}+)[ \t]++[A-Za-z][a-z]{2,}+[ \t]*+/[ \t]*+([A-Za-z][a-z]{2,}+)(?![\w/-]))"
)


def _plain(form: Form | None) -> Form | None:
    """The form when it has no case or context hint, else None."""
    return form if form is not None and not (form.ambiguous or form.case_sensitive) else None


def conjoined_hits(text: str, hits: list[Hit], forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for the skill that an "and"-list shares a word with: "business and functional requirements"
    names Business requirements beside Functional requirements; "accounts payable and receivable" names
    Accounts receivable. Only plain forms (no case or context hint) of two words or more."""
    found: list[Hit] = []
    for start, end, form in hits:
        words = form.text.lower().replace("-", " ").split()
        if len(words) < 2 or not _plain(form):
            continue
        at = start
        for _ in range(4):  # "ESL/ELL, SPED, or Reading endorsement": each item of the list before
            before = (_CONJOINED_BEFORE if at == start else _LISTED_BEFORE).search(text, max(0, at - 30), at)
            if before is None:
                break
            other = _plain(forms.get(" ".join([before.group(1).lower(), *words[1:]])))
            if other is not None and other.skill is not form.skill:
                found.append((before.start(1), end, other))
            at = before.start(1)
        if "-" in form.text and (suffix := _SUFFIX_AFTER.match(text, end)) is not None:
            # "SHRM-CP/SCP": the second credential keeps the first one's prefix
            other = _plain(forms.get(fold(form.text.rsplit("-", 1)[0] + "-" + suffix.group(1))))
            if other is not None and other.skill is not form.skill:
                found.append((start, suffix.end(1), other))
        after = _CONJOINED_AFTER.match(text, end)
        if after is not None:
            other = _plain(forms.get(" ".join([*words[:-1], after.group(1).lower()])))
            if other is not None and other.skill is not form.skill:
                found.append((start, after.end(1), other))
    return found + _shared_tail_hits(text, forms)


def _shared_tail_hits(text: str, forms: Mapping[str, Form]) -> list[Hit]:
    """An and-list names the first item with the next item's last word ("print and electronic design"); a slash
    after a two-word item, its first word with the word after the slash ("training tools/documentation")."""
    found = []
    for m in _SHARED_TAIL.finditer(text):
        first, last = (1, 2) if m.group(1) else (3, 4)
        form = _plain(forms.get(f"{m.group(first).lower()} {m.group(last).lower()}"))
        if form is not None:
            found.append((m.start(first), m.end(last), form))
    return found


# A verb of work and the noun its object makes of it: "administer benefits" is Benefits administration,
# "integrate technology" Technology integration, "troubleshoot network issues" Network troubleshooting.
NOMINALS = {
    "administer": "administration",
    "manage": "management",
    "integrate": "integration",
    "optimize": "optimization",
    "optimise": "optimisation",
    "document": "documentation",
    "engage": "engagement",
    "educate": "education",
    "mitigate": "mitigation",
    "identify": "identification",
    "report": "reporting",
    "analyze": "analysis",
    "analyse": "analysis",
    "develop": "development",
    "plan": "planning",
    "schedule": "scheduling",
    "troubleshoot": "troubleshooting",
    "gather": "gathering",
    "negotiate": "negotiation",
    "coordinate": "coordination",
    "monitor": "monitoring",
    "forecast": "forecasting",
    "reconcile": "reconciliation",
    "evaluate": "evaluation",
    "assess": "assessment",
    "audit": "auditing",
    "recruit": "recruiting",
    "implement": "implementation",
    "maintain": "maintenance",
    "process": "processing",
    "prepare": "preparation",
    "track": "tracking",
    "model": "modeling",
    "migrate": "migration",
    "configure": "configuration",
    "install": "installation",
    "automate": "automation",
    "collect": "collection",
    "measure": "measurement",
    "resolve": "resolution",
    "retain": "retention",
    "design": "design",
    "test": "testing",
    "write": "writing",
    "edit": "editing",
    "deliver": "delivery",
    "create": "creation",
    "review": "review",
    "visualize": "visualization",
    "draft": "drafting",
    "handle": "handling",
    "train": "training",
    "supervise": "supervision",
    "benchmark": "benchmarking",
    "source": "sourcing",
    "research": "research",
    "synthesize": "synthesis",
    "synthesise": "synthesis",
    "take": "taking",
    "deploy": "deployment",
    "onboard": "onboarding",
    "triage": "triage",
    "read": "reading",
    "interpret": "interpretation",
    "dispense": "dispensing",
    "balance": "balancing",
    "counsel": "counseling",
    "fix": "fixing",
    "improve": "improvement",
    "steward": "stewardship",
    "cultivate": "cultivation",
    "inspect": "inspection",
    "calibrate": "calibration",
    "assemble": "assembly",
    "repair": "repair",
    "clean": "cleaning",
    "translate": "translation",
    "transcribe": "transcription",
    "proofread": "proofreading",
    "invoice": "invoicing",
    "price": "pricing",
    "coach": "coaching",
    "mentor": "mentoring",
    "facilitate": "facilitation",
    "pick": "picking",
    "pack": "packing",
    "prospect": "prospecting",
    "author": "authoring",
    "publish": "publishing",
}
_IRREGULAR = {
    "planned": "plan",
    "planning": "plan",
    "wrote": "write",
    "written": "write",
    "writing": "write",
    "analyses": "analyze",
    "analysed": "analyse",
    "analysing": "analyse",
    "troubleshot": "troubleshoot",
    "took": "take",
    "taken": "take",
    "counselled": "counsel",
    "counselling": "counsel",
}
# Words that end an object, or that a verb's object cannot open with ("delivered on budget" has none).
_PREPOSITIONS = frozenset(
    "and or to for with in of on by at from as into within across under over including like per against through "
    "via during toward towards after before between among without using".split()
)
_OBJECT_STOP = _PREPOSITIONS | frozenset(
    "the a an all our their its your his her new "
    "key multiple various daily weekly monthly diverse top qualified large complex existing "
    "internal external structured unstructured raw critical relevant "
    "worth valued totalling totaling spanning covering averaging each every".split()
)
_WORD = re.compile(r"\S+")
# A word before the verb that makes it a noun: an article or possessive ("a monitoring system", "the team's design
# system") or a word formed like an adjective ("hemodynamic monitoring systems", "user-centered design").
_MODIFIER_BEFORE = re.compile(
    r"\b(?:a|an|the|our|your|their|its|my|his|her|[a-z]+['’]s|[a-z]+-[a-z]+|[a-z]{3,}(?:ic|al|ive|ous|ful|ary))"
    r"[ \t]++\Z",
    re.IGNORECASE,
)
_CANDIDATE = re.compile(r"\b[A-Za-z]{4,}+\b")
_VERB_PHRASE = re.compile(
    r"\b([A-Za-z]{4,}+)[ \t]++(?:(?:over|about|roughly|some|up[ \t]to)[ \t]++)?(?:[$£€]?\d[\d,.]*+[KkMm+]?[ \t]++)?"
    r"((?:(?:an?|the|all|our|their|new|key|daily|weekly|monthly)[ \t]++)?"
    r"(?:[a-z][a-z-]++|[A-Z][A-Z0-9]{1,4}+(?=[ \t]++[a-z]))"
    r"(?:[ \t]++(?:[a-z][a-z-]++|[A-Z][A-Z0-9]{1,4}+(?=[ \t]++[a-z]))){0,3})"
)


def _verb_phrases(text: str) -> Iterator[re.Match[str]]:
    """Each verb of `NOMINALS` with the words after it: every word is tried, so the verb of "Archive files and
    manage digital assets" is found at "manage" too, not only at "Archive"."""
    for word in _CANDIDATE.finditer(text):
        if _base(word.group()) is not None and (m := _VERB_PHRASE.match(text, word.start())) is not None:
            yield m


@functools.lru_cache(maxsize=8192)
def _base(verb: str) -> str | None:
    """The base form of a verb of `NOMINALS` in any inflection ("administered", "integrating"), else None."""
    verb = verb.lower()
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    for cut, add in (
        ("", ""),
        ("s", ""),
        ("es", ""),
        ("ed", ""),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ies", "y"),
        ("ied", "y"),
    ):
        if verb.endswith(cut) and (stem := verb[: len(verb) - len(cut)] + add if cut else verb) in NOMINALS:
            return stem
    return None


def verb_object_hits(text: str, forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for a skill a verb and its object name ("Administer benefits", "integrating technology",
    "optimize database performance"): the whole object (up to three words after an article or "our"),
    singular or plural, before the verb's noun is a plain form of some skill. A verb that is a form itself
    ("troubleshooting" is Problem solving) still names the skill of its phrase ("troubleshooting network
    issues": Network troubleshooting)."""
    found: list[Hit] = []
    for m in _verb_phrases(text):
        if (base := _base(m.group(1))) is None:
            continue
        if _MODIFIER_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            continue  # "a monitoring system", "hemodynamic monitoring": a noun, not a verb
        words, end = _object_words(m)
        at = m.end(1)
        for _ in range(3):  # "Draft and review contracts", "Draft, review and negotiate contracts"
            if words or (shared := _SHARED_OBJECT.match(text, at)) is None:
                break
            if (other := _VERB_PHRASE.match(text, shared.start(1))) is None:
                break
            words, end = _object_words(other)
            at = other.end(1)
        form = _object_form(words, NOMINALS[base], forms)
        if form is not None:
            found.append((m.start(), end, form))
        found += _more_objects(text, end, NOMINALS[base], forms)
    return found


# A second verb after the first, whose object both share: "Plan and deliver lessons", "Draft/review contracts".
_SHARED_OBJECT = re.compile(
    r"(?:[ \t]*+/[ \t]*+|[ \t]*+,[ \t]*+(?:(?:and|or)[ \t]++)?|[ \t]++(?:and|or|&)[ \t]++)([a-z]{3,}+)[ \t]",
    re.IGNORECASE,
)


def _object_words(m: re.Match[str]) -> tuple[list[str], int]:
    """The words of a verb phrase's object (lower case) and where the object ends: within three words of the
    verb, not counting a pair of adjectives joined by "and" or "or" ("structured and unstructured data")."""
    words: list[str] = []
    end = m.start(2)
    room = 3
    paired = False
    for word in _WORD.finditer(m.group(2)):
        lowered = word.group().lower()
        if not words and paired:
            paired = False  # the second adjective of the pair
        elif word.start() == 0 and lowered in _LEADING:
            pass  # "the", "our": not a word of the object
        elif room == 0:
            break
        else:
            room -= 1
        if words and _ADVERB.fullmatch(lowered) and lowered not in _NOUNS_IN_LY:
            break  # "Administer medications safely"
        if lowered in _OBJECT_STOP:
            if not words and lowered in ("and", "or") and _ADJECTIVE_STOP.match(m.group(2), 0, word.start()):
                paired = True
                continue
            if words or lowered in _PREPOSITIONS:
                break
            continue
        words.append(lowered)
        end = m.start(2) + word.end()
    return words, end


_ADVERB = re.compile(r"[a-z]{2,}ly[,.;:]?")
_NOUNS_IN_LY = frozenset(
    "family supply assembly anomaly rally ally reply monopoly jelly belly bully lily fly poly".split()
)
# An object that opens with an adjective of `_OBJECT_STOP` ("structured", "internal") and "and" or "or".
_ADJECTIVE_STOP = re.compile(r"(?:(?:the|a|an|all|our|their)[ \t]++)?(?!(?:the|a|an|all|our|their)\b)[a-z]++[ \t]++\Z")


_LEADING = frozenset("a an the all our their new key daily weekly monthly".split())  # as `_VERB_PHRASE` allows


def without_verbs_of(hits: list[Hit], verb_objects: list[Hit]) -> list[Hit]:
    """`hits` without those that are only the verb of a verb-and-object hit naming another skill: in "recruiting
    research participants" the phrase is Participant recruitment, and "recruiting" alone is no Recruiting."""
    verbs = {(start, form.skill.name) for start, _, form in verb_objects}
    return [
        (start, end, form)
        for start, end, form in hits
        if " " in form.text.strip()
        or _base(form.text) is None  # an object listed after the verb ("FMLA leaves") is no verb
        or not any(s == start and name != form.skill.name for s, name in verbs)
    ]


# The next object of a list a verb governs: "Administer benefits, leaves, and payroll".
_NEXT_OBJECT = re.compile(
    r"(?:[ \t]*+,[ \t]*+(?:and[ \t]++|or[ \t]++)?|[ \t]++(?:and|or|&)[ \t]++)"
    r"([A-Za-z][A-Za-z-]++(?:[ \t]++[a-z][a-z-]++)?)"
    r"(?=[ \t]*+(?:[,.;&]|and\b|or\b|[a-z]{2,}ly\b|"
    r"(?:across|for|in|on|with|within|to|at|from|by|under|through|per)[ \t]))"
)


def _more_objects(text: str, end: int, noun: str, forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for the further objects of a list after a verb's first object (at most three)."""
    found: list[Hit] = []
    for _ in range(3):
        m = _NEXT_OBJECT.match(text, end)
        if m is None:
            break
        form = _object_form(m.group(1).lower().split(), noun, forms)
        if form is not None:
            found.append((m.start(1), m.end(1), form))
        end = m.end(1)
    return found


# A word formed like an adjective: it says what kind of thing its noun is ("commercial contracts", "standards-aligned
# lessons"), where a noun before a noun names a thing of its own ("customer service").
_ADJECTIVE = re.compile(r"[a-z]+-[a-z]+|[a-z]{3,}(?:ic|al|ive|ous|ful|ary|ed)")


# Nouns that name no skill without their modifier: what performs, what is processed, whose needs.
_VAGUE = frozenset(
    "performance quality process processes operations results service services system systems needs issues".split()
)


def _object_form(words: list[str], noun: str, forms: Mapping[str, Form]) -> Form | None:
    """The plain form the whole object (singular or plural) and the verb's noun make, if any."""
    if not words:
        return None

    def known(*parts: str) -> bool:
        return fold(" ".join(parts)) in forms

    def plain(*parts: str) -> Form | None:
        return _plain(forms.get(fold(" ".join(parts))))

    last = words[-1]
    variants = [last, last[:-1] if last.endswith("s") else last + "s"]
    if last.endswith("ies"):
        variants.append(last[:-3] + "y")  # "diaries": diary
    for variant in variants:
        if (form := plain(*words[:-1], variant, noun)) is not None:
            return form
    if (
        len(words) == 2
        and (last.endswith("s") or last == "data")  # "data" is many, like a plural
        and last not in _VAGUE
        and (_ADJECTIVE.fullmatch(words[0]) or not any(known(words[0], v) for v in variants))
    ):
        # The plural noun without its one modifier: "negotiated supplier contracts" is Contract negotiation --
        # unless the two words name a skill of their own ("managing customer service" is not Service management),
        # or the noun says too little alone ("optimize portfolio performance" is not Performance optimization). A
        # singular noun is one thing, of the modifier's kind ("designed the garden layout" is no Layout design).
        for variant in variants:
            if (form := plain(variant, noun)) is not None:
                return form
    if len(words) == 2 and last in _VAGUE:  # "troubleshoot hardware issues": Hardware troubleshooting
        return plain(words[0], noun)
    if len(words) == 3 and not known(words[0], words[1]):  # "operating bank accounts": bank accounts
        return _object_form(words[1:], noun, forms)
    return None


# Support given through channels: "support via e-mail, phone and chat" is Email, Phone and Live chat support.
_CHANNEL = r"(?:[\w-]+(?:[ \t]+(?!(?:and|or)\b)[\w-]+){0,2})"  # "email", "live chat", "Zendesk live chat"
_CHANNEL_SEP = r"(?:[ \t]*+,[ \t]*+(?:(?:and|or)[ \t]++)?|[ \t]+(?:and|or|&)[ \t]+|[ \t]*+/[ \t]*+)"
_CHANNELS = re.compile(
    r"\b(?:support|assistance|help|service|resolution|inquiries|enquiries|queries|questions|requests|tickets|"
    r"complaints)\b[^.;\n]{0,40}?\b(?:via|by|over|through|across)[ \t]+"
    rf"((?:{_CHANNEL}{_CHANNEL_SEP}){{0,4}}{_CHANNEL})",
    re.IGNORECASE,
)
# ...and channels written before what came through them: "chat and email tickets", "phone and email inquiries".
_CHANNELS_BEFORE = re.compile(
    r"(?<![\w-])((?:[\w-]+(?:[ \t]*+,[ \t]*+(?:(?:and|or)[ \t]++)?|[ \t]+(?:and|or|&)[ \t]+|[ \t]*+/[ \t]*+)){1,4}"
    r"[\w-]+)[ \t]+\Z",
    re.IGNORECASE,
)
# Campaigns run through channels: "marketing campaigns across paid social, email and events" is Email and Event
# marketing.
_CAMPAIGNS = re.compile(
    r"\b(?:campaigns?|marketing|advertising|promotions?)\b[^.;\n]{0,30}?\b(?:via|over|through|across|on)[ \t]+"
    rf"((?:{_CHANNEL}{_CHANNEL_SEP}){{0,4}}{_CHANNEL})",
    re.IGNORECASE,
)
_CAME_THROUGH = re.compile(r"\b(?:tickets|inquiries|enquiries|queries|requests|cases)\b", re.IGNORECASE)
_CHANNEL_SPLIT = re.compile(r"[ \t]*+(?:,|/|\band\b|\bor\b|&)[ \t]*+", re.IGNORECASE)


def channel_hits(text: str, forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for the support each channel names after "support via" ("E-Mail, phone and chat": Email support,
    Phone support, Live chat support) -- when "<channel> support" is a plain form of some skill -- and for the
    marketing each names after "campaigns across" ("email and events": Email marketing, Event marketing)."""
    found: list[Hit] = []
    before = (_CHANNELS_BEFORE.search(text, max(0, m.start() - 80), m.start()) for m in _CAME_THROUGH.finditer(text))
    for m, what in [
        *((m, " support") for m in _CHANNELS.finditer(text)),
        *((m, " support") for m in before if m is not None),
        *((m, " marketing") for m in _CAMPAIGNS.finditer(text)),
    ]:
        at = m.start(1)
        for part in _CHANNEL_SPLIT.split(m.group(1)):
            if not part:
                continue  # ", and"
            start = text.index(part, at)
            at = start + len(part)
            words = part.split()
            # the whole channel, else its first word ("email in Zendesk"), or what follows a tool's name ("Zendesk
            # live chat")
            tries = [part, words[0], *([" ".join(words[1:])] if len(words) > 1 and words[0][:1].isupper() else [])]
            for written in dict.fromkeys(tries):
                channel = written.lower().replace("-", "")
                form = _plain(forms.get(channel + what) or forms.get(channel.removesuffix("s") + what))
                if form is not None:
                    offset = start + part.index(written)
                    found.append((offset, offset + len(written), form))
                    break
    return found


# A verb's noun and its object after "of": "reconciliation of the balance sheet" is Balance sheet reconciliation.
_NOUNS = frozenset(NOMINALS.values())
_NOMINAL_OF = re.compile(
    r"\b([A-Za-z]{6,}+)[ \t]++of[ \t]++"
    r"(?:(?:the|all|our|their|its|new|daily|weekly|monthly)[ \t]++)?"
    r"([A-Za-z][A-Za-z-]*+(?:[ \t]++[A-Za-z][A-Za-z-]*+){0,2})",
    re.IGNORECASE,
)


def nominal_of_hits(text: str, forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for a skill a verb's noun and its object after "of" name ("reconciliation of Balance Sheet",
    "preparation of financial statements", "administration of benefits"): the whole object, as for a verb."""
    found: list[Hit] = []
    for m in _NOMINAL_OF.finditer(text):
        if m.group(1).lower() not in _NOUNS:
            continue
        words: list[str] = []
        end = m.start(2)
        for word in _WORD.finditer(m.group(2)):
            if word.group().lower() in _OBJECT_STOP:
                break
            words.append(word.group().lower())
            end = m.start(2) + word.end()
        form = _object_form(words, m.group(1).lower(), forms)
        if form is not None:
            found.append((m.start(), end, form))
    return found


# Talking with a group of people: "Met with parents", "communicate progress with families", "collaborated closely
# with stakeholders" name the skill of communication with them.
_WITH = re.compile(
    r"\b(?:communicat|collaborat|liais|met\b|meet|consult|partner)[a-z]*+[ \t]++(?:[a-z]++[ \t]++){0,2}?"
    r"with[ \t]++(?:(?:the|their|our|all|students'|children's)[ \t]++)?([a-z]{4,}+)\b",
    re.IGNORECASE,
)


def with_hits(text: str, forms: Mapping[str, Form]) -> list[Hit]:
    """Hits for "<people> communication" when a verb of talking or working together has "with <people>" after
    it, and that phrase is a plain form of some skill ("Met with parents": Parent communication)."""
    found: list[Hit] = []
    for m in _WITH.finditer(text):
        noun = m.group(1).lower()
        for variant in (
            noun,
            noun[:-1] if noun.endswith("s") else noun + "s",
            noun[:-3] + "y" if noun.endswith("ies") else "",
        ):
            form = _plain(forms.get(variant + " communication")) if variant else None
            if form is not None:
                found.append((m.start(), m.end(), form))
                break
    return found
