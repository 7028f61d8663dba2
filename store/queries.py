"""Named read queries shared by the web UI and the pipeline's CLI; each returns plain, JSON-ready values.

Every query is a constant number of statements (no query per row), so pages stay fast at
10,000 candidates: the ranking page is one indexed query for the rows, one for their skills,
one for the total and one for the rank of the page's scores.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from store.models import Candidate, Decision, Document, Event, Failure, Heartbeat, Job, Match, MatchSkill, SkillMention

STATUSES = ("new", "shortlisted", "rejected")
SORTS = ("score", "name", "years", "status", "required", "updated")

_m = Match.__table__
_c = Candidate.__table__
_d = Decision.__table__
_j = Job.__table__
_ms = MatchSkill.__table__
_sm = SkillMention.__table__
_doc = Document.__table__
_f = Failure.__table__
_e = Event.__table__

_STATUS = func.coalesce(_d.c.status, literal("new"))
_SORT_COLUMNS = {
    "score": _m.c.score,
    "name": func.lower(_c.c.name),
    "years": _m.c.resume_years,
    "status": _STATUS,
    "required": _m.c.required_matched,
    "updated": _m.c.computed_at,
}
_CHUNK = 500


def _all(session: Session, statement) -> list[dict[str, Any]]:
    return [dict(row) for row in session.connection().execute(statement).mappings()]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# --- jobs --------------------------------------------------------------------------------------


def find_job(session: Session, ref: str) -> Job | None:
    """A job by numeric id, else exact title, else case-insensitive title (newest first)."""
    ref = str(ref).strip()
    if not ref:
        return None
    if ref.isdigit():
        job = session.get(Job, int(ref))
        if job is not None:
            return job
    for condition in (Job.title == ref, func.lower(Job.title) == ref.lower()):
        job = session.scalars(select(Job).where(condition).order_by(Job.updated_at.desc(), Job.id.desc())).first()
        if job is not None:
            return job
    return None


JOB_STATUSES = ("open", "closed")


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally (escape character \\)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def job_status_counts(session: Session) -> dict[str, int]:
    """How many jobs are open and closed."""
    counts = dict.fromkeys(JOB_STATUSES, 0)
    for status, count in session.connection().execute(select(_j.c.status, func.count()).group_by(_j.c.status)):
        counts[status] = int(count)
    return counts


def jobs_overview(session: Session, q: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Jobs with their candidates scored, best and average score, shortlisted and rejected counts; `q` keeps
    the titles containing it (any case), `status` the open or closed ones."""
    counts = (
        select(
            _m.c.job_id,
            func.count().label("candidates"),
            func.max(_m.c.score).label("best_score"),
            func.avg(_m.c.score).label("average_score"),
        )
        .where(_m.c.best.is_(True))
        .group_by(_m.c.job_id)
        .subquery()
    )
    decided = (
        select(
            _d.c.job_id,
            func.sum(case((_d.c.status == "shortlisted", 1), else_=0)).label("shortlisted"),
            func.sum(case((_d.c.status == "rejected", 1), else_=0)).label("rejected"),
        )
        .group_by(_d.c.job_id)
        .subquery()
    )
    statement = (
        select(
            _j.c.id,
            _j.c.title,
            _j.c.identity,
            _j.c.status,
            _j.c.min_years,
            _j.c.versions,
            _j.c.updated_at,
            func.coalesce(counts.c.candidates, 0).label("candidates"),
            counts.c.best_score,
            counts.c.average_score,
            func.coalesce(decided.c.shortlisted, 0).label("shortlisted"),
            func.coalesce(decided.c.rejected, 0).label("rejected"),
        )
        .select_from(_j.outerjoin(counts, counts.c.job_id == _j.c.id).outerjoin(decided, decided.c.job_id == _j.c.id))
        .order_by(func.lower(_j.c.title), _j.c.id)
    )
    if q and q.strip():
        statement = statement.where(func.lower(_j.c.title).like(_like(q.strip().lower()), escape="\\"))
    if status:
        statement = statement.where(_j.c.status == status)
    rows = _all(session, statement)
    for row in rows:
        row["updated_at"] = _iso(row["updated_at"])
        row["best_score"] = _round(row["best_score"])
        row["average_score"] = _round(row["average_score"])
    return rows


def decision_counts(session: Session, job_id: int) -> dict[str, int]:
    """How many of a job's candidates are shortlisted and rejected."""
    counts = {"shortlisted": 0, "rejected": 0}
    statement = select(_d.c.status, func.count()).where(_d.c.job_id == job_id).group_by(_d.c.status)
    for status, count in session.connection().execute(statement):
        if status in counts:
            counts[status] = int(count)
    return counts


def job_detail(session: Session, job_id: int) -> dict[str, Any] | None:
    """One job with its required and preferred skills (from its current document)."""
    job = session.get(Job, job_id)
    if job is None:
        return None
    skills: dict[str, list[str]] = {"required": [], "preferred": []}
    filename = None
    if job.current_document_id is not None:
        rows = _all(
            session,
            select(_sm.c.skill, _sm.c.requirement)
            .distinct()
            .where(_sm.c.document_id == job.current_document_id)
            .order_by(_sm.c.skill),
        )
        for row in rows:
            skills["required" if row["requirement"] == "required" else "preferred"].append(row["skill"])
        filename = (
            session.connection().execute(select(_doc.c.filename).where(_doc.c.id == job.current_document_id)).scalar()
        )
    skills["preferred"] = [s for s in skills["preferred"] if s not in skills["required"]]
    return {
        "id": job.id,
        "title": job.title,
        "status": job.status,
        "min_years": job.min_years,
        "versions": job.versions,
        "document_id": job.current_document_id,
        "filename": filename,
        "updated_at": _iso(job.updated_at),
        "required_skills": skills["required"],
        "preferred_skills": skills["preferred"],
    }


# --- ranking -----------------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _ranking_filters(
    job_id: int, min_score: float | None, status: str | None, skill: str | None, candidate_id: int | None = None
) -> list:
    conditions = [_m.c.job_id == job_id, _m.c.best.is_(True)]
    if candidate_id is not None:
        conditions.append(_m.c.candidate_id == candidate_id)
    if min_score is not None:
        conditions.append(_m.c.score >= min_score)
    if status:  # decisions are few: test membership in the job's decided set rather than join every row
        decided = select(_d.c.candidate_id).where(_d.c.job_id == job_id)
        if status == "new":
            conditions.append(_m.c.candidate_id.not_in(decided.where(_d.c.status != "new")))
        else:
            conditions.append(_m.c.candidate_id.in_(decided.where(_d.c.status == status)))
    if skill:
        conditions.append(_m.c.resume_document_id.in_(select(_sm.c.document_id).where(_sm.c.skill == skill)))
    return conditions


def resolve_skill(session: Session, skill: str | None) -> str | None:
    """The canonical spelling of a skill typed in any case ("python" -> "Python"); unknown names pass through."""
    if not skill or not skill.strip():
        return None
    skill = skill.strip()
    connection = session.connection()
    for spelling in dict.fromkeys((skill, skill.title(), skill.upper(), skill[:1].upper() + skill[1:])):
        if connection.execute(select(literal(1)).where(_sm.c.skill == spelling).limit(1)).first():
            return spelling
    found = connection.execute(select(_sm.c.skill).where(func.lower(_sm.c.skill) == skill.lower()).limit(1)).scalar()
    return found or skill


def _ranking_columns() -> list:
    """What a ranking row reads: the match, its person, the decision and the resume's file name."""
    scores = (_m.c.score, _m.c.required_total, _m.c.required_matched, _m.c.preferred_total, _m.c.preferred_matched)
    return [
        *(_m.c.id.label("match_id"), _m.c.candidate_id, _c.c.name, _c.c.email, *scores),
        *(_m.c.resume_years, _m.c.job_years, _m.c.computed_at, *_component_columns()),
        *(_STATUS.label("status"), func.coalesce(_d.c.note, literal("")).label("note")),
        *(_m.c.resume_document_id, _doc.c.filename.label("resume_file")),
    ]


def ranking(
    session: Session,
    job_id: int,
    *,
    min_score: float | None = None,
    status: str | None = None,
    skill: str | None = None,
    sort: str = "score",
    descending: bool = True,
    limit: int | None = 50,
    offset: int = 0,
    candidate_id: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a job's candidates and the number matching the filters.

    Rows: rank (by score within the whole job, ties share a rank), candidate_id, name, email, score,
    matched, missing_required, missing_preferred (skill lists), required/preferred counts,
    resume_years, job_years, status (new|shortlisted|rejected), note, computed_at.
    `limit=None` returns every matching row (the CSV export); `candidate_id` narrows to one row.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    skill = resolve_skill(session, skill)
    conditions = _ranking_filters(job_id, min_score, status, skill, candidate_id)
    source = (
        _m.join(_c, _c.c.id == _m.c.candidate_id)
        .join(_doc, _doc.c.id == _m.c.resume_document_id)
        .outerjoin(_d, and_(_d.c.job_id == _m.c.job_id, _d.c.candidate_id == _m.c.candidate_id))
    )
    key = _SORT_COLUMNS[sort]
    order = [key.desc().nulls_last() if descending else key.asc().nulls_last()]
    if sort != "score":
        order.append(_m.c.score.desc())
    order.append(_m.c.candidate_id.asc())
    statement = (
        select(*_ranking_columns()).select_from(source).where(*conditions).order_by(*order).offset(max(offset, 0))
    )
    if limit is not None:
        statement = statement.limit(max(limit, 0))
    rows = _all(session, statement)
    total = _ranking_total(session, conditions, len(rows), limit, offset)
    _attach_skills(session, rows)
    ranks = _ranks(session, job_id, [row["score"] for row in rows])
    for row in rows:
        row["rank"] = ranks[row["score"]]
        row["score"] = _round(row["score"])
        _pop_components(row)
        row["computed_at"] = _iso(row["computed_at"])
        del row["match_id"]
    return [_ordered(row) for row in rows], total


_ROW_ORDER = (
    "rank",
    "candidate_id",
    "name",
    "email",
    "score",
    "components",
    "matched",
    "answers",
    "missing_required",
    "missing_preferred",
    "required_matched",
    "required_total",
    "preferred_matched",
    "preferred_total",
    "resume_years",
    "job_years",
    "status",
    "note",
    "model_version",
    "computed_at",
    "resume_document_id",
    "resume_file",
)


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in _ROW_ORDER}


def _ranking_total(session: Session, conditions: list, fetched: int, limit: int | None, offset: int) -> int:
    offset = max(offset, 0)
    if limit is None or 0 < fetched < limit or (offset == 0 and fetched == 0 and limit > 0):
        return offset + fetched
    statement = select(func.count()).select_from(_m).where(*conditions)
    return int(session.connection().execute(statement).scalar() or 0)


COMPONENTS = (
    ("coverage", "coverage"),
    ("depth", "depth"),
    ("text", "text_relevance"),
    ("role", "role_fit"),
    ("experience", "experience_fit"),
)  # (name shown, match column): the score's parts, in [0, 1]


def _component_columns() -> list:
    return [_m.c[column] for _, column in COMPONENTS] + [_m.c.model_version]


def _pop_components(row: dict[str, Any]) -> None:
    """Move the component columns of a row into row["components"] (0-100, None when unknown)."""
    row["components"] = {
        name: None if row[column] is None else round(100 * row[column], 1) for name, column in COMPONENTS
    }
    for _, column in COMPONENTS:
        del row[column]


def _attach_skills(session: Session, rows: list[dict[str, Any]]) -> None:
    """Matched and missing skill names of each row, and for each matched one how it was answered: `answers`,
    [{skill, requirement, relation: exact|implied|related|broader, via}]."""
    by_match: dict[int, dict[str, list]] = defaultdict(
        lambda: {"matched": [], "missing_required": [], "missing_preferred": [], "answers": []}
    )
    ids = [row["match_id"] for row in rows]
    for chunk in _chunks(ids):
        statement = (
            select(_ms.c.match_id, _ms.c.skill, _ms.c.requirement, _ms.c.matched, _ms.c.relation, _ms.c.via)
            .where(_ms.c.match_id.in_(chunk))
            .order_by(_ms.c.match_id, case((_ms.c.requirement == "required", 0), else_=1), _ms.c.skill)
        )
        for match_id, skill, requirement, matched, relation, via in session.connection().execute(statement):
            bucket = (
                "matched" if matched else ("missing_required" if requirement == "required" else "missing_preferred")
            )
            by_match[match_id][bucket].append(skill)
            if matched:
                by_match[match_id]["answers"].append(
                    {"skill": skill, "requirement": requirement, "relation": relation or "exact", "via": via}
                )
    for row in rows:
        row.update(by_match[row["match_id"]])


def _ranks(session: Session, job_id: int, scores: list[float]) -> dict[float, int]:
    """Rank of each score within the job (1 = best; ties share): one scan of the (job_id, score) index."""
    if not scores:
        return {}
    lowest = min(scores)
    statement = (
        select(_m.c.score, func.count())
        .where(_m.c.job_id == job_id, _m.c.best.is_(True), _m.c.score >= lowest)
        .group_by(_m.c.score)
        .order_by(_m.c.score.desc())
    )
    ranks: dict[float, int] = {}
    above = 0
    for score, count in session.connection().execute(statement):
        ranks[score] = above + 1
        above += count
    return ranks


def ranking_row(session: Session, job_id: int, candidate_id: int) -> dict[str, Any] | None:
    """The ranking row of one candidate for one job (after a decision changes it)."""
    rows, _ = ranking(session, job_id, candidate_id=candidate_id, limit=1)
    return rows[0] if rows else None


# --- candidates --------------------------------------------------------------------------------


def candidate_detail(session: Session, candidate_id: int) -> dict[str, Any] | None:
    """A candidate, their current resume with its skill mentions, every version, and matches against every job."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        return None
    connection = session.connection()
    versions = _all(
        session,
        select(
            _doc.c.id,
            _doc.c.sha256,
            _doc.c.filename,
            _doc.c.format,
            _doc.c.size_bytes,
            _doc.c.version,
            _doc.c.created_at,
        )
        .where(_doc.c.candidate_id == candidate_id)
        .order_by(_doc.c.version.desc(), _doc.c.id.desc()),
    )
    for version in versions:
        version["created_at"] = _iso(version["created_at"])
    document = None
    mentions: list[dict[str, Any]] = []
    if candidate.current_document_id is not None:
        row = connection.execute(select(_doc).where(_doc.c.id == candidate.current_document_id)).mappings().first()
        if row is not None:
            document = {
                key: row[key]
                for key in (
                    "id",
                    "sha256",
                    "filename",
                    "format",
                    "size_bytes",
                    "pages",
                    "version",
                    "years",
                    "text",
                    "taxonomy_version",
                )
            }
            document["created_at"] = _iso(row["created_at"])
            mentions = document_mentions(session, row["id"])
    return {
        "id": candidate.id,
        "name": candidate.name,
        "email": candidate.email,
        "identity": candidate.identity,
        "versions_count": candidate.versions,
        "created_at": _iso(candidate.created_at),
        "updated_at": _iso(candidate.updated_at),
        "document": document,
        "versions": versions,
        "mentions": mentions,
        "skills": sorted({m["skill"] for m in mentions}, key=str.lower),
        "matches": candidate_matches(session, candidate_id),
    }


def document_mentions(session: Session, document_id: int) -> list[dict[str, Any]]:
    """Every skill mention in a document, in text order."""
    return _all(
        session,
        select(_sm.c.skill, _sm.c.category, _sm.c.surface, _sm.c.start, _sm.c.end, _sm.c.snippet, _sm.c.requirement)
        .where(_sm.c.document_id == document_id)
        .order_by(_sm.c.start, _sm.c.end.desc()),
    )


def candidate_matches(session: Session, candidate_id: int) -> list[dict[str, Any]]:
    """A candidate's match against every job, best first, with skill lists and the team's decision."""
    statement = (
        select(
            _m.c.id.label("match_id"),
            _m.c.job_id,
            _j.c.title,
            _m.c.score,
            _m.c.required_matched,
            _m.c.required_total,
            _m.c.preferred_matched,
            _m.c.preferred_total,
            _m.c.resume_years,
            _m.c.job_years,
            _m.c.computed_at,
            *_component_columns(),
            _STATUS.label("status"),
            func.coalesce(_d.c.note, literal("")).label("note"),
            _m.c.resume_document_id,
            _doc.c.filename.label("resume_file"),
        )
        .select_from(
            _m.join(_j, _j.c.id == _m.c.job_id)
            .join(_doc, _doc.c.id == _m.c.resume_document_id)
            .outerjoin(_d, and_(_d.c.job_id == _m.c.job_id, _d.c.candidate_id == _m.c.candidate_id))
        )
        .where(_m.c.candidate_id == candidate_id, _m.c.best.is_(True))
        .order_by(_m.c.score.desc(), _j.c.title)
    )
    rows = _all(session, statement)
    _attach_skills(session, rows)
    for row in rows:
        row["score"] = _round(row["score"])
        row["computed_at"] = _iso(row["computed_at"])
        _pop_components(row)
        del row["match_id"]
    return rows


def _match_skills(session: Session, match_id: int) -> list[dict[str, Any]]:
    """A match's skills (required first), each with whether it was matched, how and through which skill."""
    statement = (
        select(_ms.c.skill, _ms.c.requirement, _ms.c.matched, _ms.c.relation, _ms.c.via)
        .where(_ms.c.match_id == match_id)
        .order_by(case((_ms.c.requirement == "required", 0), else_=1), _ms.c.skill)
    )
    return [dict(row) for row in session.connection().execute(statement).mappings()]


def _with_evidence(session: Session, matched: list[dict[str, Any]], resume_document_id: int) -> list[dict[str, Any]]:
    """Matched skills with where in the resume each (or the skill that answered it) was found."""
    evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for mention in document_mentions(session, resume_document_id):
        evidence[mention["skill"]].append(mention)
    return [
        {
            "skill": s["skill"],
            "requirement": s["requirement"],
            "relation": s["relation"] or "exact",
            "via": s["via"],
            "evidence": evidence.get(s["via"] or s["skill"], []),
        }
        for s in matched
    ]


def match_report(
    session: Session, job_id: int, candidate_id: int, resume_document_id: int | None = None
) -> dict[str, Any] | None:
    """One candidate against one job (their resume the ranking uses, or the one given while it is scored), with
    where in the resume each matched skill was found."""
    which = _m.c.best.is_(True) if resume_document_id is None else _m.c.resume_document_id == resume_document_id
    match = (
        session.connection()
        .execute(select(_m).where(_m.c.job_id == job_id, _m.c.candidate_id == candidate_id, which))
        .mappings()
        .first()
    )
    if match is None and resume_document_id is not None:
        return match_report(session, job_id, candidate_id)
    if match is None:
        return None
    skills = _match_skills(session, match["id"])
    matched = _with_evidence(session, [s for s in skills if s["matched"]], match["resume_document_id"])
    components = dict(match)
    _pop_components(components)
    title = session.connection().execute(select(_j.c.title).where(_j.c.id == job_id)).scalar()
    return {
        "job_id": job_id,
        "job_title": title,
        "candidate_id": candidate_id,
        "score": _round(match["score"]),
        "components": components["components"],
        "model_version": match["model_version"],
        "taxonomy_version": match["taxonomy_version"],
        "required_matched": match["required_matched"],
        "required_total": match["required_total"],
        "preferred_matched": match["preferred_matched"],
        "preferred_total": match["preferred_total"],
        "resume_years": match["resume_years"],
        "job_years": match["job_years"],
        "resume_document_id": match["resume_document_id"],
        "job_document_id": match["job_document_id"],
        "matched": matched,
        "missing_required": [s["skill"] for s in skills if not s["matched"] and s["requirement"] == "required"],
        "missing_preferred": [s["skill"] for s in skills if not s["matched"] and s["requirement"] != "required"],
        "computed_at": _iso(match["computed_at"]),
    }


def document_file(session: Session, document_id: int) -> dict[str, Any] | None:
    """Where a document's original is stored, for download."""
    row = (
        session.connection()
        .execute(
            select(
                _doc.c.id,
                _doc.c.filename,
                _doc.c.format,
                _doc.c.stored_path,
                _doc.c.kind,
                _doc.c.candidate_id,
                _doc.c.job_id,
            ).where(_doc.c.id == document_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


# --- files, failures, the feed -----------------------------------------------------------------


def failures(session: Session, *, include_retried: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """Quarantined files, newest first, with the reason a person can read."""
    statement = select(_f).order_by(_f.c.created_at.desc(), _f.c.id.desc()).limit(limit)
    if not include_retried:
        statement = statement.where(_f.c.retried_at.is_(None))
    rows = _all(session, statement)
    for row in rows:
        row["created_at"] = _iso(row["created_at"])
        row["retried_at"] = _iso(row["retried_at"])
    return rows


def documents_by_sha256(session: Session, hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Documents known by content hash: id, kind, candidate_id, job_id, filename."""
    found: dict[str, dict[str, Any]] = {}
    hashes = list(dict.fromkeys(hashes))
    for start in range(0, len(hashes), _CHUNK):
        statement = select(
            _doc.c.sha256, _doc.c.id, _doc.c.kind, _doc.c.filename, _doc.c.candidate_id, _doc.c.job_id
        ).where(_doc.c.sha256.in_(hashes[start : start + _CHUNK]))
        for row in _all(session, statement):
            found[row["sha256"]] = row
    return found


def file_statuses(session: Session, hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Where each file (by sha256) is in the pipeline: queued, parsing, scored, duplicate or failed."""
    hashes = list(dict.fromkeys(h for h in hashes if h))[:_CHUNK]
    statuses = {h: {"sha256": h, "status": "queued", "detail": ""} for h in hashes}
    if not hashes:
        return statuses
    for row in _all(
        session,
        select(_e.c.id, _e.c.kind, _e.c.sha256, _e.c.detail, _e.c.document_id, _e.c.candidate_id, _e.c.job_id)
        .where(_e.c.sha256.in_(hashes), _e.c.kind.like("document.%"))
        .order_by(_e.c.id),
    ):
        status = event_file_status(row)
        if status:
            statuses[row["sha256"]].update(status)
    for sha, document in documents_by_sha256(session, hashes).items():
        if statuses[sha]["status"] not in ("scored", "duplicate"):
            statuses[sha].update({"status": "scored", "detail": ""})
        statuses[sha].update(
            {"document_id": document["id"], "candidate_id": document["candidate_id"], "job_id": document["job_id"]}
        )
    return statuses


def event_file_status(event: dict[str, Any]) -> dict[str, Any] | None:
    """The per-file status a pipeline event stands for (None for events that are not about one file)."""
    kind = event["kind"]
    status = {
        "document.started": "parsing",
        "document.parsed": "parsed",
        "document.scored": "scored",
        "document.duplicate": "duplicate",
        "document.failed": "failed",
    }.get(kind)
    if status is None:
        return None
    detail = (event.get("detail") or "") if status == "failed" else ""  # other details are for machines
    return {
        "status": status,
        "detail": detail,
        "document_id": event.get("document_id"),
        "candidate_id": event.get("candidate_id"),
        "job_id": event.get("job_id"),
    }


def feed_head(session: Session) -> int:
    """The id of the newest change-feed event (0 when empty)."""
    return int(session.connection().execute(select(func.max(_e.c.id))).scalar() or 0)


def events_after(session: Session, after_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """Change-feed events newer than after_id, oldest first."""
    rows = _all(session, select(_e).where(_e.c.id > after_id).order_by(_e.c.id).limit(limit))
    for row in rows:
        row["created_at"] = _iso(row["created_at"])
    return rows


def recent_events(session: Session, count: int) -> list[dict[str, Any]]:
    """The last `count` change-feed events, oldest first."""
    rows = _all(session, select(_e).order_by(_e.c.id.desc()).limit(count))
    for row in rows:
        row["created_at"] = _iso(row["created_at"])
    return rows[::-1]


def heartbeat_age(session: Session, process: str, now: datetime) -> float | None:
    """Seconds since a process last beat (None if it never did)."""
    beat = (
        session.connection()
        .execute(select(Heartbeat.__table__.c.beat_at).where(Heartbeat.__table__.c.process == process))
        .scalar()
    )
    return None if beat is None else (now - beat).total_seconds()
