"""Normalise extracted text: NFKC, ligatures, soft hyphens, dashes, spaces, glyph artefacts, broken words."""

from __future__ import annotations

import re
import unicodedata


_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"))
CID_ARTEFACT = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(" {2,}")
_LINE_EDGES = re.compile(" *\n *")
_BLANK_LINES = re.compile("\n{3,}")
_WORD_START = frozenset(" \n([{\"'\u201c\u2018")

# A line-end hyphen after one of these first words, or before one of these
# second words, is taken as a real compound ("self-\nmotivated", "data-\ndriven").
COMPOUND_FIRST = frozenset(
    """self cross well full part high long short real front back client customer user
    team detail results goal fast hands world state cost time problem decision market award mission entry
    senior junior mid end""".split()
)
COMPOUND_SECOND = frozenset(
    """based driven oriented focused facing level time stack end term solving making
    functional motivated starter scale grade related specific friendly ready critical native first led owned
    free wide side aware sensitive intensive centric certified managed hosted enabled powered""".split()
)


class _CharMap(dict):
    """str.translate table built lazily: drop controls and format characters, turn odd spaces into spaces."""

    def __missing__(self, codepoint: int) -> int | str | None:
        char = chr(codepoint)
        category = unicodedata.category(char)
        if char == "\n":
            result: int | str | None = codepoint
        elif char == "\t" or category in ("Zs", "Co") or char == "\ufffd":
            result = " "
        elif category in ("Zl", "Zp"):
            result = "\n"
        elif category in ("Cc", "Cf", "Cs") or (codepoint & 0xFFFE) == 0xFFFE or 0xFDD0 <= codepoint <= 0xFDEF:
            result = None
        else:
            result = codepoint
        self[codepoint] = result
        return result


_CHARMAP = _CharMap()


def normalise(text: str) -> str:
    """Clean extracted text so that skills match on word boundaries; idempotent."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _SOFT_HYPHEN_BREAK.sub("", text)  # a soft hyphen at a line end is a word split by hyphenation
    text = text.translate(_CHARMAP)
    text = unicodedata.normalize("NFKC", text)  # also expands ligatures (ﬁ, ﬂ) and full-width forms
    text = text.translate(_DASHES)
    while True:
        stripped = CID_ARTEFACT.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGES.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    while True:  # removals above and joins below can bring a letter and a combining mark together
        joined = _join_broken_words(text)
        if not unicodedata.is_normalized("NFKC", joined):
            joined = unicodedata.normalize("NFKC", joined)
        if joined == text:
            return text.strip()
        text = joined


def _join_broken_words(text: str) -> str:
    """Remove "-\n" inside words broken across lines, keeping the hyphen of real compounds."""
    pieces, last, lowered = [], 0, ""
    index = text.find("-\n")
    while index != -1:
        start, end = index, index + 2
        while start > 0 and _is_letter(text[start - 1]):
            start -= 1
        while end < len(text) and _is_letter(text[end]):
            end += 1
        first, second = text[start:index], text[index + 2 : end]
        if first and second:
            lowered = lowered or text.lower()
            if _is_broken_word(first, second, text[start - 1] if start else " ", lowered):
                pieces.append(text[last:index])
                last = index + 2
        index = text.find("-\n", index + 2)
    return "".join(pieces) + text[last:] if pieces else text


def _is_broken_word(first: str, second: str, before: str, lowered: str) -> bool:
    if before not in _WORD_START:
        return False  # part of a longer token: "state-of-the-\nart", "3D-\nprinted"
    if len(first) < 2 or len(second) < 2 or _has_token(lowered, f"{first}-{second}".lower()):
        return False
    if _has_token(lowered, (first + second).lower()):
        return True
    return not (second[0].isupper() or first.lower() in COMPOUND_FIRST or second.lower() in COMPOUND_SECOND)


def _is_letter(char: str) -> bool:
    return char.isalpha()


def _has_token(text: str, token: str) -> bool:
    """Whether token occurs in text with no letter right before or after it."""
    at = text.find(token)
    while at != -1:
        end = at + len(token)
        if (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha()):
            return True
        at = text.find(token, at + 1)
    return False
