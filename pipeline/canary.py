"""Canary documents with known answers, read through the real parser and extractor to measure accuracy."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.quality import mean, ndcg_at
from pipeline.features import job_features, mentions_of, resume_features
from pipeline.model import model_for
from pipeline.score import score_pair
from pipeline.textrank import cosines
from pipeline.stages import Analysis, Limits, run_stages
from pipeline.taxonomy import Taxonomy
from store.yamlfile import load_model

SOFT = "Soft skills"  # the category left out of precision and recall: expected answers list hard skills only
RANK_DEPTH = 5  # NDCG@5, as the evaluation harness reports


class CanaryError(ValueError):
    """The canary folder cannot be read: the message names the file and what is wrong."""


@dataclass
class DocumentResult:
    id: str
    kind: str
    file: str
    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    misclassified: list[str] = field(default_factory=list)  # job skills found on the wrong side of required/preferred
    years: float | None = None
    expected_years: float | None = None
    error: str = ""


@dataclass
class CanaryReport:
    version: str
    recall: float
    precision: float
    ndcg: float
    split: float | None  # share of the job skills found that sit on the expected side of required/preferred
    documents: list[DocumentResult]
    rankings: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "recall": self.recall,
            "precision": self.precision,
            "ndcg": self.ndcg,
            "split": self.split,
            "rankings": self.rankings,
            "documents": [vars(d) for d in self.documents],
        }


def canary_version(folder: Path) -> str:
    """The first 12 hex digits of the sha256 of the spec and every file, by name: any edit is a new version."""
    digest = hashlib.sha256()
    for path in sorted([folder / "canaries.yaml", *(folder / "files").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class CanaryDocument(BaseModel):
    """One canary: its file, how tests.make_canaries renders it, and its expected answers."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    kind: Literal["resume", "job"]
    file: str = Field(min_length=1)
    layout: Optional[str] = None
    text: Optional[str] = None
    years: Optional[float] = None
    min_years: Optional[float] = None
    skills: list[str] = []
    required: list[str] = []
    preferred: list[str] = []
    grades: dict[str, Literal[0, 1, 2]] = {}


class CanarySpec(BaseModel):
    documents: list[CanaryDocument] = Field(min_length=1)

    @field_validator("documents")
    @classmethod
    def _known_ids(cls, documents: list[CanaryDocument]) -> list[CanaryDocument]:
        ids = [doc.id for doc in documents]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"document id {twice[0]!r} is used twice")
        resumes = {doc.id for doc in documents if doc.kind == "resume"}
        for doc in documents:
            unknown = sorted(set(doc.grades) - resumes)
            if unknown:
                raise ValueError(f"{doc.id!r} grades {', '.join(unknown)}, not resumes of this set")
        return documents


def load_spec(folder: Path) -> list[dict[str, Any]]:
    """The canary documents of canaries.yaml, checked; a mistake names the file and the line."""
    _, data = load_model(Path(folder) / "canaries.yaml", CanarySpec, CanaryError)
    return data["documents"]


def _expected(doc: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    if doc["kind"] == "job":
        split = {s: "required" for s in doc.get("required", [])} | {s: "preferred" for s in doc.get("preferred", [])}
        return set(split), split
    return set(doc.get("skills", [])), {}


def _read(folder: Path, doc: dict[str, Any], limits: Limits, taxonomy: Taxonomy) -> Analysis:
    data = (folder / "files" / doc["file"]).read_bytes()
    return run_stages(Analysis(filename=doc["file"], kind=doc["kind"], data=data), limits, taxonomy)


def _hard(item: Analysis, taxonomy: Taxonomy) -> set[str]:
    return {m.skill for m in item.mentions if taxonomy.skills[m.skill].category != SOFT}


def run(folder: Path, taxonomy: Taxonomy, limits: Limits) -> CanaryReport:
    """Parse and extract every canary, compare with its answers, rank each job's resumes; no database."""
    folder = Path(folder)
    documents = load_spec(folder)
    results, analysed = [], {}
    hits = found_total = expected_total = 0
    split_right = split_total = 0
    for doc in documents:
        expected, split = _expected(doc)
        result = DocumentResult(
            doc["id"], doc["kind"], doc["file"], expected_years=doc.get("years", doc.get("min_years"))
        )
        try:
            item = analysed[doc["id"]] = _read(folder, doc, limits, taxonomy)
        except Exception as exc:  # a canary that cannot be read is all missed: that is what must show
            result.error, result.missed = f"{type(exc).__name__}: {exc}", sorted(expected)
            expected_total += len(expected)
            results.append(result)
            continue
        found = _hard(item, taxonomy)
        result.found, result.missed = sorted(found & expected), sorted(expected - found)
        result.extra, result.years = sorted(found - expected), item.years
        hits, found_total = hits + len(found & expected), found_total + len(found)
        expected_total += len(expected)
        if split:
            kept = [s for s in split if s in item.requirements]
            result.misclassified = sorted(s for s in kept if item.requirements[s] != split[s])
            split_right, split_total = split_right + len(kept) - len(result.misclassified), split_total + len(kept)
        results.append(result)
    precision = hits / found_total if found_total else 0.0
    recall = hits / expected_total if expected_total else 0.0
    rankings, ndcgs = _rank(documents, analysed, taxonomy)
    return CanaryReport(
        version=canary_version(folder),
        recall=recall,
        precision=precision,
        ndcg=mean(ndcgs) or 0.0,
        split=split_right / split_total if split_total else None,
        documents=results,
        rankings=rankings,
    )


def _rank(
    documents: list[dict[str, Any]], analysed: dict[str, Analysis], taxonomy: Taxonomy
) -> tuple[dict[str, list[str]], list]:
    """Each job's resumes ordered by the product's score (pipeline.score with the fitted weights), and that
    order's NDCG against the answers."""
    model = model_for(taxonomy)
    resumes = [d["id"] for d in documents if d["kind"] == "resume" and d["id"] in analysed]
    features = {
        rid: resume_features(
            0,
            analysed[rid].text,
            mentions_of(analysed[rid]),
            analysed[rid].years,
            model.roles,
            analysed[rid].name or "",
        )
        for rid in resumes
    }
    rankings, ndcgs = {}, []
    for doc in documents:
        if doc["kind"] != "job":
            continue
        job = analysed.get(doc["id"])
        grades = {rid: float(g) for rid, g in doc.get("grades", {}).items()}
        if job is None:
            ndcgs.append(0.0 if grades else None)
            continue
        wanted = job_features(
            0, job.text, mentions_of(job), None if job.years is None else int(job.years), job.title or "", model.roles
        )
        texts = cosines([features[rid].text for rid in resumes], [wanted.text])
        scored = [
            (
                -score_pair(
                    features[rid], wanted, float(texts[i, 0]), model.relations, model.weights, model.roles.closeness
                ).score,
                rid,
            )
            for i, rid in enumerate(resumes)
        ]
        scored += [(1.0, d["id"]) for d in documents if d["kind"] == "resume" and d["id"] not in analysed]
        rankings[doc["id"]] = [rid for _, rid in sorted(scored)]
        ndcgs.append(ndcg_at(rankings[doc["id"]], grades, RANK_DEPTH))
    return rankings, ndcgs
