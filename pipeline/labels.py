"""Read a labelled set (documents, skill labels, relevance grades, traps) and check its shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class LabelError(ValueError):
    """A labelled set that cannot be used; the message says which file or entry is wrong."""


@dataclass(frozen=True)
class LabelledDoc:
    """One document of the set with what a person labelled in it."""

    key: str
    kind: str  # resume | jd
    path: Path
    skills: dict[str, tuple[str, ...]]  # canonical -> surface forms (a JD: required and preferred together)
    required: frozenset[str] = frozenset()
    preferred: frozenset[str] = frozenset()
    years: float | None = None  # resume: labelled total years; JD: min_years
    title: str = ""
    relevance: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelledSet:
    folder: Path
    docs: dict[str, LabelledDoc]
    negative_traps: tuple[tuple[str, str], ...]  # (sentence, skill that must not fire)
    positive_traps: tuple[tuple[str, str], ...]  # (sentence, skill that must fire)

    def of_kind(self, kind: str) -> list[LabelledDoc]:
        return [d for key, d in sorted(self.docs.items()) if d.kind == kind]


def _forms(where: str, value) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        raise LabelError(f"{where} must map a canonical skill name to a list of surface forms")
    return {name: tuple(str(s) for s in surfaces) for name, surfaces in value.items()}


def _doc(folder: Path, key: str, raw) -> LabelledDoc:
    if not isinstance(raw, dict) or raw.get("kind") not in ("resume", "jd") or not raw.get("file"):
        raise LabelError(f'labels.json: docs.{key} needs "kind" (resume or jd) and "file"')
    path = folder / "files" / raw["file"]
    if not path.is_file():
        raise LabelError(f"labels.json: docs.{key} names {raw['file']!r}, which is not in {folder / 'files'}")
    if raw["kind"] == "resume":
        return LabelledDoc(
            key,
            "resume",
            path,
            _forms(f"docs.{key}.skills", raw.get("skills", {})),
            years=raw.get("years"),
            title=raw.get("title") or "",
        )
    required = _forms(f"docs.{key}.required", raw.get("required", {}))
    preferred = _forms(f"docs.{key}.preferred", raw.get("preferred", {}))
    relevance = raw.get("relevance", {})
    if not isinstance(relevance, dict) or any(g not in (0, 1, 2) for g in relevance.values()):
        raise LabelError(f"labels.json: docs.{key}.relevance must map resume ids to grades 0, 1 or 2")
    return LabelledDoc(
        key,
        "jd",
        path,
        {**preferred, **required},
        frozenset(required),
        frozenset(preferred),
        years=raw.get("min_years"),
        title=raw.get("title") or "",
        relevance=dict(relevance),
    )


def load_labels(folder: Path) -> LabelledSet:
    """The set in `folder` (labels.json plus files/); a LabelError names what is missing or malformed."""
    source = folder / "labels.json"
    if not source.is_file():
        raise LabelError(f"{folder} has no labels.json (see the devset README for the format)")
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("docs"), dict):
        raise LabelError(f'{source} needs a "docs" object')
    docs = {key: _doc(folder, key, value) for key, value in raw["docs"].items()}
    for doc in docs.values():
        unknown = set(doc.relevance) - set(docs)
        if unknown:
            raise LabelError(f"labels.json: docs.{doc.key}.relevance grades unknown documents {sorted(unknown)}")
    traps = raw.get("traps") or {}
    negative = tuple((t["text"], t["not"]) for t in traps.get("negative", []))
    positive = tuple((t["text"], t["skill"]) for t in traps.get("positive", []))
    return LabelledSet(folder, docs, negative, positive)
