"""Where a text names a field of study ("B.S. in Computer Science", "Major: Finance"): not a skill claim."""

from __future__ import annotations

import re

from pipeline.taxonomy_schema import ascii_lower

# A degree, or a part of one, followed by "in", "of" or a colon: what follows names the field.
_DEGREE = re.compile(
    r"(?:\b(?:bachelor|master|doctor|doctorate|associate)(?:['’]?s)?(?:[ \t]+degrees?)?"
    r"(?:[ \t]+of[ \t]+(?:science|arts|business[ \t]+administration|engineering|applied[ \t]+science|education|"
    r"fine[ \t]+arts|technology|commerce|laws))?"
    r"|\b(?:b\.?[ \t]?sc?|m\.?[ \t]?sc?|b\.?a|m\.?a|ph\.?[ \t]?d|mba|b\.?eng|m\.?eng|b\.?tech|m\.?tech|"
    r"bs/ms|ms/phd|ba/bs|bs/ba|a\.?a\.?s)\.?(?![\w.])"
    r"|\b(?:degrees?|diploma|major(?:ed)?|minor(?:ed)?|concentration|specialization|specialisation|emphasis)\b)"
    r"[ \t]*+(?:(?:in|of)\b|[:–—-])[ \t]*+"
)  # run over ASCII-lower-cased text (same offsets)
# The field ends at a sentence end, a column bar, a word that starts another claim, or the
# end of its line ("claim" words are looked for past a wrapped line too).
_FIELD_END = re.compile(
    r"[.;!?|]|\n[ \t]*+\n|\b(?:with|equivalent|years?|using|including|preferred|required|plus|"
    r"from|at|and[ \t]+\d)\b|(?P<claim>\b(?:experience|skills|knowledge|background)\b)",
    re.IGNORECASE,
)
# "degree in computer science and strong data analysis experience": the claim's own words
# start at the first "and" (or comma) after the field.
_FIRST_JOIN = re.compile(r",|\band\b", re.IGNORECASE)
_FIELD_CHARS = 90  # how far a field (or a list of fields) may run after its degree


# A list of fields closed by "or related field" ("or similar program") on a line that names a degree or
# studies: "BS/Assoc in Business Management, Education, or related field", "enrolled in a Bachelors
# Engineering, Operations, or similar program".
_RELATED_FIELD = re.compile(
    r",?[ \t]++or[ \t]++(?:an?[ \t]++|any[ \t]++)?(?:other[ \t]++)?"
    r"(?:related|similar|relevant|equivalent)[ \t]++"
    r"(?:fields?|programs?|disciplines?|areas?[ \t]++of[ \t]++study|majors?)\b",
    re.IGNORECASE,
)
_STUDIES = re.compile(
    r"\b(?:degrees?|bachelor|bachelors|bachelor's|master|masters|master's|b\.?s|b\.?a|m\.?s|assoc|"
    r"associate's|diploma|major|enrolled|studies|studying|program)\b",
    re.IGNORECASE,
)


def _related_field_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the fields listed before "or related field" on a line that names a degree."""
    spans = []
    for m in _RELATED_FIELD.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        ends = [d.end() for d in _STUDIES.finditer(text, line_start, m.start())]
        if ends:
            spans.append((ends[-1], m.start()))
    return spans


def field_of_study_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each field of study a degree names: "Bachelor's degree in [Data Science,
    Computer Science, or related field]", "M.S. in [Statistics]", "Concentration: [Corporate
    Finance]". A skill named there is what someone studied, not a skill they claim."""
    spans = []
    for m in _DEGREE.finditer(ascii_lower(text)):
        start = m.end()
        limit = min(len(text), start + _FIELD_CHARS)
        stop = _FIELD_END.search(text, start, limit)
        end = stop.start() if stop else limit
        join = _FIRST_JOIN.search(text, start, end) if stop and stop.group("claim") else None
        line_end = text.find("\n", start, end)
        if join:
            end = join.start()
        elif line_end != -1:
            end = line_end
        elif stop and stop.group("claim"):
            end = start
        if end > start:
            spans.append((start, end))
    return spans + _related_field_spans(text)
