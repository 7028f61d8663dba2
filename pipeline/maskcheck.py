"""`python -m pipeline mask-check DIR`: how much of the identifying text in evidence snippets blind review hides.

Each resume in DIR goes through the pipeline's own stages (parse, extract); its evidence snippets are masked the
way the candidate page masks them, knowing only what the pipeline knows (the names it read). What counts as
identifying is found independently of the masker, with deliberately broad detectors: the words of the name on
the resume's first lines, anything with an @ and a dot, digit runs shaped like a phone number, and anything
shaped like a link. A found item counts as hidden when its text no longer appears in the masked snippet."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.masking import Who, mask
from pipeline.stages import Analysis, Limits, run_stages
from pipeline.taxonomy import Taxonomy
from pipeline.titles import candidate_name

DETECTORS = {
    "email": re.compile(r"\S+@\S+\.\w+"),
    "phone": re.compile(r"(?<![\d/-])\+?\(?\d{1,4}\)?(?:[\s.-]?\(?\d{2,4}\)?){2,4}(?![\d/])"),
    "url": re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|org|net|io|dev|me|co|in|edu)/\S*|"
                      r"\b(?:linkedin|github)\.com\S*", re.IGNORECASE),
}
_YEARS = re.compile(r"^\(?(?:19|20)\d\d\)?(?:\s*[-–]\s*\(?(?:19|20)\d\d\)?)?$")


def _name_words(text: str) -> set[str]:
    """Words of the person's name: the name the pipeline reads, and a name-like first line."""
    names = [candidate_name(text) or ""]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if 2 <= len(first.split()) <= 4 and all(w[:1].isupper() for w in first.split()):
        names.append(first)
    return {w for name in names for w in re.findall(r"[A-Za-z][A-Za-z'-]+", name) if len(w) > 1}


def _found(snippet: str, words: set[str]) -> list[tuple[str, str]]:
    items = []
    for kind, pattern in DETECTORS.items():
        for match in pattern.finditer(snippet):
            value = match.group().strip(".,;:()")
            if kind == "phone" and (sum(c.isdigit() for c in value) < 7 or _YEARS.match(value)):
                continue
            items.append((kind, value))
    for word in words:
        items += [("name", m.group()) for m in re.finditer(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])",
                                                             snippet, re.IGNORECASE)]
    return items


def check(folder: Path, taxonomy: Taxonomy, limits: Limits) -> dict:
    """Counts of identifying items found in evidence snippets, and how many masking hid, by kind."""
    found: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    misses: list[dict] = []
    files = sorted(p for p in folder.iterdir() if p.is_file())
    for path in files:
        item = run_stages(Analysis(filename=path.name, kind="auto", data=path.read_bytes()), limits, taxonomy)
        if item.kind != "resume":
            continue
        who = Who(tuple(n for n in (item.name,) if n))
        words = _name_words(item.text)
        for mention in item.mentions:
            masked = mask(mention.snippet, who) or ""
            for kind, value in _found(mention.snippet, words):
                found[kind] += 1
                if value.lower() not in masked.lower():
                    hidden[kind] += 1
                elif len(misses) < 20:
                    misses.append({"file": path.name, "kind": kind, "text": value})
    total_found, total_hidden = sum(found.values()), sum(hidden.values())
    return {"files": len(files), "found": dict(found), "hidden": dict(hidden),
            "share_hidden": round(total_hidden / total_found, 4) if total_found else 1.0,
            "by_kind": {k: round(hidden[k] / found[k], 4) for k in found}, "misses": misses}
