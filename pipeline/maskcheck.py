"""`python -m pipeline mask-check DIR`: how much of the identifying text in evidence snippets blind review hides.

Each resume in DIR goes through the pipeline's own stages (parse, extract); its evidence snippets are masked the
way the candidate page masks them, knowing only what the pipeline knows (the names it read). What counts as
identifying is found apart from the masker, with its own broad detectors: the words of the name on the resume's
first line (unless that line is the labelled job title, from labels.json beside DIR when there is one), anything
with an @ and a dot, digit runs shaped like a phone number, and anything shaped like a link. A found item counts
as hidden when its text no longer appears in the masked snippet."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from pipeline.masking import Who, header_names, mask
from pipeline.sections import heading_name
from pipeline.stages import Analysis, Limits, run_stages
from pipeline.taxonomy import Taxonomy

DETECTORS = {
    "email": re.compile(r"\S+@\S+\.\w+"),
    "phone": re.compile(r"(?<![\d/-])\+?\(?\d{1,4}\)?(?:[\s.-]?\(?\d{2,4}\)?){2,4}(?![\d/])"),
    "url": re.compile(
        r"(?:https?://|www\.)\S+|\b\S+\.(?:com|org|net|io|dev|me|co|in|edu)/\S*|"
        r"\b(?:linkedin|github)\.com\S*",
        re.IGNORECASE,
    ),
}
_YEARS = re.compile(r"^\(?(?:19|20)\d\d\)?(?:\s*[-–]\s*\(?(?:19|20)\d\d\)?)?$")


def _name_words(text: str, title: str | None) -> set[str]:
    """Words of the person's name as a reader finds it: the resume's first line (markdown and trailing
    credentials such as ', RN, BSN' dropped), when it is two to four words and is not the labelled job title;
    words that open a section (Experience, Summary) are left out."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = re.split(r"\s[|•·]\s|\bE-?mail\b|\bPhone\b|\bMobile\b", first.strip("#*_ "))[0]
    first = re.sub(r"(?:,\s*[A-Z][A-Za-z.]{0,5})+\s*$", "", first.strip("#*_ :"))
    words = first.split()
    title_words = {w.lower() for w in re.findall(r"[A-Za-z]+", title or "")}
    if not 2 <= len(words) <= 4 or not all(re.fullmatch(r"[A-Za-z][A-Za-z'.-]*", w) for w in words):
        return set()
    if {w.lower() for w in words} & title_words:
        return set()
    return {w for w in words if len(w) > 1 and heading_name(w, "resume") is None}


def _titles(folder: Path) -> dict[str, str]:
    """Labelled job titles by file name, when the folder sits in a labelled set (labels.json beside it)."""
    labels = folder.parent / "labels.json"
    if not labels.is_file():
        return {}
    docs = json.loads(labels.read_text()).get("docs", {})
    return {doc["file"]: doc.get("title") or "" for doc in docs.values() if "file" in doc}


def _found(snippet: str, words: set[str]) -> list[tuple[str, str]]:
    items = []
    for kind, pattern in DETECTORS.items():
        for match in pattern.finditer(snippet):
            value = match.group().strip(".,;:()")
            if kind == "phone" and (sum(c.isdigit() for c in value) < 7 or _YEARS.match(value)):
                continue
            items.append((kind, value))
    for word in words:
        items += [
            ("name", m.group())
            for m in re.finditer(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", snippet, re.IGNORECASE)
        ]
    return items


def _tally(text: str, who: Who, words: set[str], found: Counter, hidden: Counter, misses: list, name: str) -> None:
    masked = mask(text, who) or ""
    for kind, value in _found(text, words):
        found[kind] += 1
        if value.lower() not in masked.lower():
            hidden[kind] += 1
        elif len(misses) < 20:
            misses.append({"file": name, "kind": kind, "text": value})


def _summary(found: Counter, hidden: Counter, misses: list) -> dict:
    total_found, total_hidden = sum(found.values()), sum(hidden.values())
    return {
        "found": dict(found),
        "hidden": dict(hidden),
        "share_hidden": round(total_hidden / total_found, 4) if total_found else 1.0,
        "by_kind": {k: round(hidden[k] / found[k], 4) for k in found},
        "misses": misses,
    }


def check(folder: Path, taxonomy: Taxonomy, limits: Limits) -> dict:
    """Identifying items found and hidden, by kind: in evidence snippets (the figure that passes or fails) and,
    for a broader view, in the whole resume text the candidate page shows."""
    tallies: dict[str, tuple[Counter, Counter, list]] = {
        "snippets": (Counter(), Counter(), []),
        "text": (Counter(), Counter(), []),
    }
    files = sorted(p for p in folder.iterdir() if p.is_file())
    titles = _titles(folder)
    resumes = 0
    for path in files:
        item = run_stages(Analysis(filename=path.name, kind="auto", data=path.read_bytes()), limits, taxonomy)
        if item.kind != "resume":
            continue
        resumes += 1
        who = Who(tuple(n for n in (item.name, *header_names(item.text)) if n))
        words = _name_words(item.text, titles.get(path.name))
        for mention in item.mentions:
            _tally(mention.snippet, who, words, *tallies["snippets"], path.name)
        _tally(item.text, who, words, *tallies["text"], path.name)
    return {
        "files": len(files),
        "resumes": resumes,
        **_summary(*tallies["snippets"]),
        "whole_text": _summary(*tallies["text"]),
    }
