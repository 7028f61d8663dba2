"""Document text as safe HTML with each found skill wrapped in <mark>: every slice is escaped, only our tags are raw."""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from markupsafe import Markup, escape


def spans(length: int, mentions: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    """Mentions as (start, end, skill), clamped to the text, in order, overlaps dropped (first, longest wins)."""
    clean: list[tuple[int, int, str]] = []
    ordered = sorted(((int(m["start"]), int(m["end"]), str(m["skill"])) for m in mentions), key=lambda s: (s[0], -s[1]))
    position = 0
    for start, end, skill in ordered:
        start, end = max(0, start), min(length, end)
        if start >= end or start < position:
            continue
        clean.append((start, end, skill))
        position = end
    return clean


def highlight(text: str, mentions: Iterable[Mapping[str, Any]]) -> Markup:
    """Escape the text and mark each mention; offsets index the raw text, so slices are escaped one by one."""
    parts: list[str] = []
    position = 0
    for start, end, skill in spans(len(text), mentions):
        parts.append(escape(text[position:start]))
        parts.append(
            Markup('<mark class="skill" title="{0}" data-skill="{0}">{1}</mark>').format(skill, text[start:end])
        )
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def mark_surface(snippet: str, surface: str) -> Markup:
    """A snippet with the first occurrence of the surface form marked (for "where it was found")."""
    if not surface:
        return escape(snippet)
    match = re.search(re.escape(surface), snippet, flags=re.IGNORECASE)
    if match is None:
        return escape(snippet)
    return highlight(snippet, [{"start": match.start(), "end": match.end(), "skill": surface}])
