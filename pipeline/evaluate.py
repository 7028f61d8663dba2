"""The evaluation harness: ingest a labelled set through the real pipeline into a throw-away instance and measure
skill extraction and ranking against the labels, beside baseline rankers computed in the same run.

Matching rule between labels and our skills: a labelled skill L is found when an extracted skill S has a form
(name or alias) that folds (`taxonomy.fold`) to L's canonical name, to either part of a name written
"Name (ABBR)" ("Registered Nurse (RN)": "registered nurse", "rn"), or to one of L's surface forms; an extracted
skill counts toward precision when it matches some label. Skills of the soft-traits category (SOFT_CATEGORIES)
are left out on both sides: the labels exclude generic personal traits by design.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from pipeline import baselines
from pipeline.labels import LabelledDoc, LabelledSet, load_labels
from pipeline.quality import average_precision, hit_at, mean, ndcg_at, precision_recall
from pipeline.score import SOFT_CATEGORIES
from pipeline.stages import Analysis, analyse_text
from pipeline.taxonomy import Taxonomy, fold, load_taxonomy
from store.db import make_engine, migrate, session_scope
from store.models import Document, Match, SkillMention
from store.settings import ensure_dirs, load


def _instance(home: Path, skills: Path, workers: int):
    settings = load(
        {
            "SHORTLIST_HOME": str(home),
            "SHORTLIST_SKILLS": str(skills),
            "SHORTLIST_METRICS_PORT": "0",
            "SHORTLIST_WORKERS": str(workers),
            "SHORTLIST_LOG_LEVEL": "WARNING",
        }
    )
    ensure_dirs(settings)
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    return settings, engine


def ingest_set(labels: LabelledSet, home: Path, skills: Path, workers: int = 2) -> dict:
    """Copy the set's files into a fresh instance's inbox and run `Ingestor.process` on them; read back what the
    pipeline stored: {"docs": key -> {kind, text, years, skills: {name: requirement}}, "scores": (job, resume) ->
    score, "failed": {key: reason}}."""
    from pipeline.ingest import Ingestor

    settings, engine = _instance(home, skills, workers)
    paths, key_of = [], {}
    for doc in labels.docs.values():
        target = settings.inbox_dir("job" if doc.kind == "jd" else "resume") / doc.path.name
        shutil.copyfile(doc.path, target)
        paths.append(target)
        key_of[doc.path.name] = doc.key
    ingestor = Ingestor(settings, engine)
    try:
        outcomes = ingestor.process(paths)
    finally:
        ingestor.close()
    failed = {key_of[Path(o.path).name]: o.reason for o in outcomes if o.outcome != "scored"}
    stored: dict = {"docs": {}, "scores": {}, "failed": failed}
    with session_scope(engine) as session:
        by_id = {}
        for doc_id, filename, text, years in session.execute(
            select(col(Document.id), col(Document.filename), col(Document.text), col(Document.years))
        ):
            key = key_of[filename]
            by_id[doc_id] = key
            stored["docs"][key] = {"text": text, "years": years, "skills": {}}
        for doc_id, skill, category, requirement in session.execute(
            select(
                col(SkillMention.document_id),
                col(SkillMention.skill),
                col(SkillMention.category),
                col(SkillMention.requirement),
            )
        ):
            if category not in SOFT_CATEGORIES:
                skills_of = stored["docs"][by_id[doc_id]]["skills"]
                if skills_of.get(skill) != "required":
                    skills_of[skill] = requirement or "required"
        stored["components"] = {}
        for job_doc, resume_doc, score, *parts in session.execute(
            select(
                col(Match.job_document_id),
                col(Match.resume_document_id),
                col(Match.score),
                col(Match.coverage),
                col(Match.depth),
                col(Match.text_relevance),
                col(Match.role_fit),
                col(Match.experience_fit),
            )
        ):
            stored["scores"][by_id[job_doc], by_id[resume_doc]] = score
            stored["components"][by_id[job_doc], by_id[resume_doc]] = parts
    engine.dispose()
    return stored


_ABBREVIATED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<short>[A-Z][A-Za-z0-9&/.-]{0,9})\)$")


def _name_parts(name: str) -> tuple[str, ...]:
    """The two names of a label written "Name (ABBR)": ("Registered Nurse", "RN"); else none (a note in
    brackets, as in "Hive (project management tool)", is not a second name)."""
    m = _ABBREVIATED.match(name.strip())
    return (m.group("name"), m.group("short")) if m else ()


class LabelMatcher:
    """Which labelled skills our extracted skills answer, by the folded-form rule in the module docstring."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.forms = {name: {fold(f) for f in skill.forms} for name, skill in taxonomy.skills.items()}
        self.soft = set().union(*(self.forms[n] for n, s in taxonomy.skills.items() if s.category in SOFT_CATEGORIES))

    def kept_labels(self, labelled: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
        """Labelled canonical -> its folded names, without those naming a soft trait."""
        out = {}
        for name, surfaces in labelled.items():
            folded = {fold(name), *(fold(s) for s in surfaces), *(fold(p) for p in _name_parts(name))}
            if not folded & self.soft:
                out[name] = folded
        return out

    def answers(self, extracted: str, labelled: Mapping[str, set[str]]) -> str | None:
        forms = self.forms.get(extracted, {fold(extracted)})
        return next((name for name, folded in sorted(labelled.items()) if folded & forms), None)

    def score(self, extracted: Iterable[str], labelled: Mapping[str, Iterable[str]]) -> dict:
        kept = self.kept_labels(labelled)
        mapped = {s: self.answers(s, kept) for s in extracted}
        found = {label if label else "\0" + s for s, label in mapped.items()}
        precision, recall = precision_recall(found, set(kept))
        return {
            "precision": precision,
            "recall": recall,
            "extracted": len(mapped),
            "labelled": len(kept),
            "false_positives": sorted(s for s, label in mapped.items() if label is None),
            "missed": sorted(set(kept) - found),
            "mapped": mapped,
        }


def _requirement_agreement(doc: LabelledDoc, mapped: dict[str, str | None], ours: dict[str, str]) -> tuple[int, int]:
    """(agreeing, compared) required/preferred calls on the JD skills both we and the labels have."""
    agree = total = 0
    for skill, label in mapped.items():
        if label is not None:
            total += 1
            agree += (ours[skill] == "required") == (label in doc.required)
    return agree, total


def evaluate_traps(labels: LabelledSet, taxonomy: Taxonomy, matcher: LabelMatcher) -> dict:
    """Negative traps that fire (false positives) and positive traps found, through the real extractor."""

    def fires(sentence: str, skill: str) -> bool:
        item = Analysis(filename="trap.txt", kind="resume", text=sentence)
        analyse_text(item, taxonomy)
        return any(matcher.answers(m.skill, {skill: {fold(skill)}}) for m in item.mentions)

    fired = [(text, skill) for text, skill in labels.negative_traps if fires(text, skill)]
    missed = [(text, skill) for text, skill in labels.positive_traps if not fires(text, skill)]
    return {
        "negative_total": len(labels.negative_traps),
        "negative_fired": len(fired),
        "positive_total": len(labels.positive_traps),
        "positive_found": len(labels.positive_traps) - len(missed),
        "fired": [f"{skill}: {text}" for text, skill in fired],
        "missed": [f"{skill}: {text}" for text, skill in missed],
    }


def ranking_figures(rankings: Mapping[str, list[str]], jobs: list[LabelledDoc]) -> dict:
    per_job: dict[str, dict[str, Any]] = {}
    for job in jobs:
        ranked = rankings.get(job.key, [])
        per_job[job.key] = {
            "hit@3": hit_at(ranked, job.relevance, 3),
            "ndcg@5": ndcg_at(ranked, job.relevance, 5),
            "ndcg@10": ndcg_at(ranked, job.relevance, 10),
            "map": average_precision(ranked, job.relevance),
            "top3": ranked[:3],
        }
    hits = [v["hit@3"] for v in per_job.values() if v["hit@3"] is not None]
    overall = {
        "hit@3": mean(hits),
        "hit@3_count": f"{sum(hits)} of {len(hits)}",
        **{m: mean([v[m] for v in per_job.values()]) for m in ("ndcg@5", "ndcg@10", "map")},
    }
    return {"overall": overall, "per_job": per_job}


def _years_mae(pairs: list[tuple[float | None, float | None]]) -> dict:
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    return {
        "mae": mean([abs(a - b) for a, b in both]),
        "compared": len(both),
        "unknown": sum(1 for a, b in pairs if b is not None and a is None),
    }


def evaluate(folder: Path, skills: Path, workers: int = 2) -> dict:
    """Every figure of the report for the labelled set in `folder`, with the taxonomy in `skills`."""
    labels = load_labels(folder)
    taxonomy = load_taxonomy(skills)
    matcher = LabelMatcher(taxonomy)
    with tempfile.TemporaryDirectory(prefix="shortlist-evaluate-") as home:
        stored = ingest_set(labels, Path(home), skills, workers)
    docs = stored["docs"]
    resumes, jobs = labels.of_kind("resume"), labels.of_kind("jd")
    per_doc, agreement = {}, [0, 0]
    for doc in resumes + jobs:
        ours = docs.get(doc.key, {"skills": {}, "years": None})
        figures = matcher.score(ours["skills"], doc.skills)
        if doc.kind == "jd":
            a, t = _requirement_agreement(doc, figures["mapped"], ours["skills"])
            agreement[0] += a
            agreement[1] += t
        del figures["mapped"]
        per_doc[doc.key] = {
            "kind": doc.kind,
            "file": doc.path.name,
            **figures,
            "years": ours["years"],
            "labelled_years": doc.years,
        }
    model = {
        job.key: baselines.ranked({r.key: stored["scores"].get((job.key, r.key), 0.0) for r in resumes}) for job in jobs
    }
    texts = {key: docs[key]["text"] for key in docs}
    rankers = {
        "model": model,
        "bm25": baselines.bm25_rankings(
            {r.key: texts.get(r.key, "") for r in resumes}, {j.key: texts.get(j.key, "") for j in jobs}
        ),
        "skills_only": baselines.skills_only_rankings(
            {r.key: set(docs.get(r.key, {"skills": {}})["skills"]) for r in resumes},
            {j.key: docs.get(j.key, {"skills": {}})["skills"] for j in jobs},
        ),
    }
    skills_overall = {
        kind: {m: mean([d[m] for d in per_doc.values() if d["kind"] == kind]) for m in ("precision", "recall")}
        for kind in ("resume", "jd")
    }
    return {
        "set": str(folder),
        "taxonomy_version": taxonomy.version,
        "failed": stored["failed"],
        "skills": {"overall": skills_overall, "per_doc": per_doc},
        "traps": evaluate_traps(labels, taxonomy, matcher),
        "ranking": {name: ranking_figures(r, jobs) for name, r in rankers.items()},
        "jd_requirement_agreement": agreement[0] / agreement[1] if agreement[1] else None,
        "resume_years": _years_mae([(per_doc[d.key]["years"], d.years) for d in resumes]),
        "jd_years": _years_mae([(per_doc[d.key]["years"], d.years) for d in jobs]),
    }


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}"


def _num(value: float | None) -> str:
    return " n/a " if value is None else f"{value:.3f}"


def format_report(report: dict) -> str:
    """The report as text: per document, then per job, then the overall figures."""
    lines = [f"labelled set {report['set']} (taxonomy {report['taxonomy_version'][:12]})", ""]
    for key, reason in sorted(report["failed"].items()):
        lines.append(f"NOT INGESTED {key}: {reason}")
    lines.append(f"{'doc':5} {'kind':6} {'prec':>5} {'recall':>6} {'found':>5} {'label':>5}  years (labelled)")
    for key, d in report["skills"]["per_doc"].items():
        lines.append(
            f"{key:5} {d['kind']:6} {_pct(d['precision'])} {_pct(d['recall']):>6} {d['extracted']:5} "
            f"{d['labelled']:5}  {d['years'] if d['years'] is not None else '?'} "
            f"({d['labelled_years'] if d['labelled_years'] is not None else '-'})"
        )
    lines += ["", f"{'job':5} " + "  ".join(f"{name + ' hit3 nd5 nd10 ap':29}" for name in report["ranking"])]
    jobs = next(iter(report["ranking"].values()))["per_job"]
    for key in jobs:
        cells = []
        for figures in report["ranking"].values():
            v = figures["per_job"][key]
            hit = "-" if v["hit@3"] is None else "y" if v["hit@3"] else "N"
            cells.append(f"{hit:>4} {_num(v['ndcg@5'])} {_num(v['ndcg@10'])} {_num(v['map'])}".ljust(29))
        top3 = ",".join(report["ranking"]["model"]["per_job"][key]["top3"])
        lines.append(f"{key:5} " + "  ".join(cells) + f"  top3 {top3}")
    lines.append("")
    for kind, figures in report["skills"]["overall"].items():
        lines.append(f"skills ({kind}s): precision {_pct(figures['precision'])} %, recall {_pct(figures['recall'])} %")
    t = report["traps"]
    lines.append(
        f"traps: negative fired {t['negative_fired']} of {t['negative_total']}, "
        f"positive found {t['positive_found']} of {t['positive_total']}"
    )
    lines.append(
        f"JD required/preferred agreement: {_pct(report['jd_requirement_agreement'])} %; "
        f"years MAE resumes {_num(report['resume_years']['mae'])} "
        f"({report['resume_years']['compared']} compared, {report['resume_years']['unknown']} unknown), "
        f"JDs {_num(report['jd_years']['mae'])} ({report['jd_years']['compared']} compared)"
    )
    for name, figures in report["ranking"].items():
        o = figures["overall"]
        lines.append(
            f"ranking {name:12} hit@3 {o['hit@3_count']:9} ({_pct(o['hit@3'])} %)  NDCG@5 {_num(o['ndcg@5'])}"
            f"  NDCG@10 {_num(o['ndcg@10'])}  MAP {_num(o['map'])}"
        )
    return "\n".join(lines)
