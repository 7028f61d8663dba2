"""The pipeline's writes: documents, candidates and jobs with versions, mentions, matches, failures, events."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlmodel import Session

from pipeline import batchscore, people
from pipeline.batchscore import JobScores
from pipeline.features import JobFeatures, ResumeFeatures
from pipeline.score import MatchResult
from pipeline.stages import Analysis
from store.models import (
    Attempt,
    Candidate,
    Document,
    Event,
    Failure,
    Job,
    Match,
    MatchSkill,
    SkillMention,
    Taxonomy,
    utcnow,
)


def identity_of(item: Analysis) -> str:
    """A job's identity: its file name. (A resume's person is decided by pipeline/people.py, never by a name.)"""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(item.filename).stem.lower()).strip("-")
    return "file:" + (stem or "unnamed")


def display_name(item: Analysis) -> str:
    if item.name:
        return item.name
    return re.sub(r"[_\-.]+", " ", Path(item.filename).stem).strip().title() or item.filename


def add_event(session: Session, kind: str, **fields) -> None:
    detail = fields.pop("detail", "")
    if not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True)
    session.execute(insert(Event.__table__).values(kind=kind, detail=detail, created_at=utcnow(), **fields))


def count_attempt(session: Session, sha256: str, filename: str, error: str) -> int:
    """One more failed or crashed attempt on a file; returns how many it has had."""
    attempt = session.get(Attempt, sha256) or Attempt(sha256=sha256, filename=filename)
    attempt.attempts += 1
    attempt.last_error = error
    attempt.updated_at = utcnow()
    session.add(attempt)
    return attempt.attempts


def clear_attempt(session: Session, sha256: str) -> None:
    session.execute(delete(Attempt).where(Attempt.sha256 == sha256))


def save_failure(
    session: Session,
    *,
    sha256: str,
    kind: str,
    filename: str,
    code: str,
    reason: str,
    quarantined_path: str,
    attempts: int,
) -> Failure:
    failure = Failure(
        sha256=sha256,
        kind=kind,
        filename=filename,
        code=code,
        reason=reason,
        quarantined_path=quarantined_path,
        attempts=attempts,
    )
    session.add(failure)
    clear_attempt(session, sha256)
    add_event(session, "document.failed", sha256=sha256, filename=filename, detail=reason)
    return failure


_MENTION_COLUMNS = ("document_id", "skill", "category", "surface", "start", "end", "snippet", "requirement")
_MENTION_NAMES = ", ".join(f'"{column}"' for column in _MENTION_COLUMNS)  # quoted: "end" is an SQL keyword


def _mention_values(document_id: int, item: Analysis) -> list[tuple]:
    """A document's skill_mention rows, in _MENTION_COLUMNS' order."""
    return [
        (
            document_id,
            m.skill,
            m.category,
            m.surface[:200],
            m.start,
            m.end,
            m.snippet[:400],
            item.requirements.get(m.skill),
        )
        for m in item.mentions
    ]


def _mentions(document_id: int, item: Analysis) -> list[dict]:
    return [dict(zip(_MENTION_COLUMNS, row, strict=True)) for row in _mention_values(document_id, item)]


def _write_mentions(session: Session, document_id: int, item: Analysis) -> None:
    rows = _mentions(document_id, item)
    if rows:
        session.execute(insert(SkillMention.__table__), rows)


def _insert_document(session: Session, item: Analysis, values: dict) -> int:
    document = Document(
        kind=item.kind,
        filename=item.filename[:255],
        format=item.format,
        pages=item.pages,
        engine=item.engine,
        text=item.text,
        years=item.years,
        taxonomy_version=item.taxonomy_version,
        **values,
    )
    row = {c.name: getattr(document, c.name) for c in Document.__table__.columns if c.name != "id"}
    table = Document.__table__
    return session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()


def save_document(session: Session, item: Analysis, *, sha256: str, size: int, stored_path: str) -> Document:
    """Insert the document and its job (a new version when the file name exists) or its person (decided from
    the resume's signals); Core statements, since this runs once per file on the hot path."""
    if item.kind == "resume":
        return save_resume(session, item, sha256=sha256, size=size, stored_path=stored_path)
    identity = identity_of(item)
    now = utcnow()
    fields = {
        "title": (item.title or display_name(item))[:200],
        "min_years": int(item.years) if item.years is not None else None,
    }
    row = session.execute(select(Job.id, Job.versions).where(Job.identity == identity)).first()
    if row is None:
        owner_id = session.execute(
            insert(Job)
            .values(identity=identity, versions=1, created_at=now, updated_at=now, **fields)
            .returning(Job.id)
        ).scalar_one()
        version = 1
    else:
        owner_id, version = row[0], row[1] + 1
    document_id = _insert_document(
        session,
        item,
        dict(sha256=sha256, size_bytes=size, stored_path=stored_path, version=version, created_at=now, job_id=owner_id),
    )
    session.execute(
        update(Job)
        .where(Job.id == owner_id)
        .values(
            current_document_id=document_id, versions=version, updated_at=now, **(fields if row is not None else {})
        )
    )
    _write_mentions(session, document_id, item)
    return session.get(Document, document_id)  # type: ignore[return-value]


def _person_key(session: Session, signals, sha256: str) -> str:
    """A new person's stable key (a name for analysts, not how people are told apart: pipeline/people.py does
    that): their address when no one holds that key yet, as before people had several signals, else their first
    resume's hash."""
    if signals.email:
        key = "email:" + signals.email
        if session.execute(select(Candidate.id).where(Candidate.identity == key)).first() is None:
            return key
    return f"person:{sha256[:32]}"


def _new_candidate(session: Session, item: Analysis, identity: str, now) -> int:
    """A person first seen in this resume; returns their id."""
    values = dict(identity=identity, name=display_name(item)[:200], email=item.email, versions=1)
    values.update(created_at=now, updated_at=now, touched_at=now)
    return session.execute(insert(Candidate).values(**values).returning(Candidate.id)).scalar_one()


def save_resume(session: Session, item: Analysis, *, sha256: str, size: int, stored_path: str) -> Document:
    """A resume joins its person (or makes a new one); another file of a stored resume is kept beside it, unscored;
    a newer version of one of the person's resumes replaces it everywhere; possible duplicates are flagged."""
    placement = people.place(session, item)
    now = utcnow()
    owner_id = placement.candidate_id
    if owner_id is None:
        owner_id = _new_candidate(session, item, _person_key(session, placement.signals, sha256), now)
    versions = session.scalar(select(func.count()).where(Document.candidate_id == owner_id)) or 0
    signals = placement.signals
    document_id = _insert_document(
        session,
        item,
        dict(
            sha256=sha256,
            size_bytes=size,
            stored_path=stored_path,
            version=versions + 1,
            created_at=now,
            candidate_id=owner_id,
            email=signals.email,
            phone=signals.phone,
            person_name=signals.name,
            profiles=" ".join(sorted(signals.profiles)),
            text_key=placement.text_key,
            current=placement.same_as is None,
            same_as=placement.same_as,
        ),
    )
    people.retire(session, placement.replaces, document_id)
    fields: dict = {"updated_at": now, "touched_at": now, "versions": versions + 1}
    if placement.same_as is None:
        fields["current_document_id"] = document_id
        if item.name and placement.candidate_id is not None:
            fields["name"] = item.name[:200]
        if item.email:
            fields["email"] = item.email
    session.execute(update(Candidate).where(Candidate.id == owner_id).values(**fields))
    if placement.same_as is None:
        _write_mentions(session, document_id, item)
    for pair in people.flag_duplicates(session, owner_id, placement.possible):
        add_event(
            session, "person.possible_duplicate", candidate_id=owner_id, document_id=document_id, detail={"pair": pair}
        )
    if placement.replaces:
        add_event(
            session,
            "resume.replaced",
            candidate_id=owner_id,
            document_id=document_id,
            detail={"replaced": placement.replaces},
        )
    return session.get(Document, document_id)  # type: ignore[return-value]


def write_matches(session: Session, pairs: list[tuple[int, int, int, int, MatchResult]], version: str) -> None:
    """Replace the (job, candidate) matches given as (job_id, candidate_id, job_doc, resume_doc, result)."""
    if not pairs:
        return
    jobs = sorted({pair[0] for pair in pairs})
    resumes = sorted({pair[3] for pair in pairs})
    candidates = sorted({pair[1] for pair in pairs})
    by_resume = len(resumes) <= len(jobs)
    if by_resume:  # a new resume: its matches against every job
        for start in range(0, len(resumes), 500):
            session.execute(
                delete(Match).where(Match.resume_document_id.in_(resumes[start : start + 500]), Match.job_id.in_(jobs))
            )
    else:
        session.execute(delete(Match).where(Match.job_id.in_(jobs)))
        # every current resume is in `pairs` when a job is (re-)scored; the matches of others go too
    _insert_matches(session, pairs, _match_rows(pairs, version))
    if by_resume:
        people.refresh_best(session, candidate_ids=candidates)
    else:
        people.refresh_best(session, job_ids=jobs)


def _match_rows(pairs: list[tuple[int, int, int, int, MatchResult]], version: str) -> list[dict]:
    now = utcnow()
    return [
        dict(
            job_id=job_id,
            candidate_id=cand_id,
            job_document_id=job_doc,
            resume_document_id=resume_doc,
            score=result.score,
            required_total=len(result.matched_required) + len(result.missing_required),
            required_matched=len(result.matched_required),
            preferred_total=len(result.matched_preferred) + len(result.missing_preferred),
            preferred_matched=len(result.matched_preferred),
            resume_years=result.resume_years,
            job_years=result.job_years,
            coverage=result.coverage,
            depth=result.depth,
            text_relevance=result.text,
            role_fit=result.role,
            experience_fit=result.experience,
            model_version=result.model_version,
            taxonomy_version=version,
            computed_at=now,
        )
        for job_id, cand_id, job_doc, resume_doc, result in pairs
    ]


def _skill_rows(match_ids: list[int], pairs: list[tuple[int, int, int, int, MatchResult]]) -> list[dict]:
    return [
        dict(
            match_id=match_id,
            skill=a.skill,
            requirement=a.requirement,
            matched=a.kind is not None,
            relation=a.kind,
            via=a.via,
        )
        for match_id, (*_, result) in zip(match_ids, pairs)
        for a in result.answers
    ]


def _insert_matches(session: Session, pairs: list, rows: list[dict]) -> None:
    table = Match.__table__
    ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    skills = _skill_rows(ids, pairs)
    if skills:
        session.execute(insert(MatchSkill.__table__), skills)


def _mark(session: Session) -> str:
    """The driver's placeholder for the raw statements below: `?` for sqlite3, `%s` for psycopg."""
    return "?" if session.get_bind().dialect.paramstyle in ("qmark", "numeric") else "%s"


def _executemany(session: Session, table, sql: str, columns: list[str], rows: list[dict], extra=()) -> None:
    """One prepared statement for many rows, values put through each column's own type (the re-score's hot path)."""
    dialect = session.get_bind().dialect
    procs = [table.c[c].type.bind_processor(dialect) for c in columns]
    params = [
        tuple(proc(row[c]) if proc else row[c] for c, proc in zip(columns, procs)) + tuple(more)
        for row, more in zip(rows, extra or [()] * len(rows))
    ]
    session.connection().exec_driver_sql(sql, params)


def rewrite_matches(session: Session, pairs: list[tuple[int, int, int, int, MatchResult]], version: str) -> None:
    """Matches scored again (a re-score): each existing (job, resume) row is updated in place and only its
    skill rows that changed are replaced; a pair without a row yet is inserted. Other matches are left alone;
    which resume of each person a ranking uses is decided again."""
    if not pairs:
        return
    table = Match.__table__
    candidates = sorted({pair[1] for pair in pairs})
    existing = {}
    for start in range(0, len(candidates), 500):
        existing.update(
            {
                (job, resume): match_id
                for match_id, job, resume in session.execute(
                    select(table.c.id, table.c.job_id, table.c.resume_document_id).where(
                        table.c.candidate_id.in_(candidates[start : start + 500])
                    )
                )
            }
        )
    rows = _match_rows(pairs, version)
    ids = [existing.get((pair[0], pair[3])) for pair in pairs]
    new = [i for i, match_id in enumerate(ids) if match_id is None]
    if new:
        _insert_matches(session, [pairs[i] for i in new], [rows[i] for i in new])
    kept = [i for i, match_id in enumerate(ids) if match_id is not None]
    if kept:
        _update_matches(session, [pairs[i] for i in kept], [rows[i] for i in kept], [ids[i] for i in kept])
    people.refresh_best(session, candidate_ids=candidates)


def _update_matches(session: Session, pairs: list, rows: list[dict], kept_ids: list[int]) -> None:
    """Existing match rows rewritten in place; only the skill rows that differ are replaced."""
    table = Match.__table__
    columns = [c for c in rows[0] if c not in ("job_id", "candidate_id")]
    mark = _mark(session)
    _executemany(
        session,
        table,
        f"UPDATE match SET {', '.join(f'{c} = {mark}' for c in columns)} WHERE id = {mark}",
        columns,
        rows,
        [(match_id,) for match_id in kept_ids],
    )
    _replace_skill_rows(
        session,
        [
            (match_id, [(r["skill"], r["requirement"], r["matched"], r["relation"], r["via"]) for r in skill_rows])
            for match_id, skill_rows in ((m, _skill_rows([m], [pair])) for m, pair in zip(kept_ids, pairs))
        ],
        mark,
    )


def replace_mentions(session: Session, document: Document, item: Analysis) -> None:
    session.execute(delete(SkillMention).where(SkillMention.document_id == document.id))
    _write_mentions(session, document.id, item)
    document.taxonomy_version = item.taxonomy_version
    document.years = item.years
    session.add(document)


def save_taxonomy(session: Session, version: str, skills: int) -> None:
    if session.get(Taxonomy, version) is None:
        session.add(Taxonomy(version=version, skills=skills))


def replace_mentions_many(session: Session, documents: list[tuple[int, Analysis]]) -> None:
    """Documents extracted again (a taxonomy change): their mentions, taxonomy version and years, replaced in a
    few set-wise statements, since a re-score does this for thousands of documents."""
    if not documents:
        return
    mentions, table = SkillMention.__table__, Document.__table__
    session.execute(delete(mentions).where(mentions.c.document_id.in_([doc_id for doc_id, _ in documents])))
    rows = [row for doc_id, item in documents for row in _mention_values(doc_id, item)]
    if rows:  # through the driver: SQLAlchemy's per-row parameter building cost more than the insert itself
        mark = "?" if session.get_bind().dialect.paramstyle in ("qmark", "numeric") else "%s"
        session.connection().exec_driver_sql(
            f"INSERT INTO skill_mention ({_MENTION_NAMES}) VALUES ({', '.join(mark for _ in _MENTION_COLUMNS)})", rows
        )
    session.execute(
        update(table)
        .where(table.c.id == bindparam("doc_id"))
        .values(taxonomy_version=bindparam("doc_version"), years=bindparam("doc_years")),
        [
            {"doc_id": doc_id, "doc_version": item.taxonomy_version, "doc_years": item.years}
            for doc_id, item in documents
        ],
    )


# -- the re-score's writes: one job's scores against a batch of resumes as arrays (pipeline/batchscore.py)

_MATCH_COLUMNS = (
    "job_document_id",
    "resume_document_id",
    "score",
    "required_total",
    "required_matched",
    "preferred_total",
    "preferred_matched",
    "resume_years",
    "job_years",
    "coverage",
    "depth",
    "text_relevance",
    "role_fit",
    "experience_fit",
    "model_version",
    "taxonomy_version",
    "computed_at",
)
_COMPONENT_COLUMNS = (
    ("coverage", "coverage"),
    ("depth", "depth"),
    ("text", "text_relevance"),
    ("role", "role_fit"),
    ("experience", "experience_fit"),
)


def _or_none(values) -> list:
    return [None if v != v else v for v in values.tolist()]  # NaN (unknown) -> NULL


def _skill_keys(scores: JobScores) -> list[list[tuple]]:
    """Per job skill, the match_skill row (skill, requirement, matched, relation, via) of each giver, then of a
    missing answer (index -1, batchscore.MISSING)."""
    out = []
    for skill, requirement, givers, _missing in scores.plan.options:
        keys = [(skill, requirement, True, kind, None if kind == "exact" else giver) for giver, kind, _ in givers]
        out.append(keys + [(skill, requirement, False, None, None)])
    return out


def _job_rows(
    job_id: int, job: JobFeatures, keys: list[tuple[int, int]], resume_years: list, scores: JobScores, constants: tuple
) -> list[tuple]:
    """The match rows of one job against the batch: (job id, candidate id, *_MATCH_COLUMNS)."""
    requirements = np.array([option[1] == "required" for option in scores.plan.options], dtype=bool)
    matched = scores.chosen != batchscore.MISSING
    required = matched[requirements].sum(axis=0).tolist()
    preferred = matched[~requirements].sum(axis=0).tolist()
    n_required, n_preferred = int(requirements.sum()), int((~requirements).sum())
    parts = [_or_none(scores.components[name]) for name, _column in _COMPONENT_COLUMNS]
    return [
        (
            job_id,
            cand_id,
            job.document_id,
            doc_id,
            score,
            n_required,
            req,
            n_preferred,
            pref,
            years,
            job.years,
            *components,
            *constants,
        )
        for (cand_id, doc_id), score, req, pref, years, *components in zip(
            keys, scores.score.tolist(), required, preferred, resume_years, *parts, strict=True
        )
    ]


def _existing_matches(session: Session, candidates: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(job id, resume document id) -> (match id, job document id) of every match of these people."""
    match, existing = Match.__table__, {}
    for start in range(0, len(candidates), 500):
        existing.update(
            {
                (job, resume): (match_id, job_document)
                for match_id, job, resume, job_document in session.execute(
                    select(match.c.id, match.c.job_id, match.c.resume_document_id, match.c.job_document_id).where(
                        match.c.candidate_id.in_(candidates[start : start + 500])
                    )
                )
            }
        )
    return existing


def _stamp(dialect, now):
    """computed_at as the driver stores it, converted once for a batch's rows rather than by the driver per row."""
    stamp = Match.__table__.c.computed_at.type.bind_processor(dialect)
    value = stamp(now) if stamp else now
    adapt = sqlite3.adapters.get((type(value), sqlite3.PrepareProtocol)) if dialect.name == "sqlite" else None
    return adapt(value) if adapt else value


def _update_matches(session: Session, kept: list[tuple], mark: str) -> None:
    """Each kept match's row updated in place; its document columns (part of a unique key and two foreign keys,
    which SQLite checks whenever they are set) only where the job's document changed."""
    for columns, rows in (
        (_MATCH_COLUMNS[2:], [row[4:] + (match_id,) for row, match_id, _, job_doc in kept if job_doc == row[2]]),
        (_MATCH_COLUMNS, [row[2:] + (match_id,) for row, match_id, _, job_doc in kept if job_doc != row[2]]),
    ):
        if rows:
            session.connection().exec_driver_sql(
                f"UPDATE match SET {', '.join(f'{c} = {mark}' for c in columns)} WHERE id = {mark}", rows
            )


def rewrite_scored(
    session: Session,
    jobs: dict[int, JobFeatures],
    resumes: dict[tuple[int, int], ResumeFeatures],
    scored: list[JobScores],
    version: str,
    model_version: str,
) -> None:
    """rewrite_matches for a batch scored by pipeline/batchscore.py (scored[j]: list(jobs)[j] against every resume
    of `resumes`, in order): each (job, resume) row updated in place in one executemany, only the skill rows that
    changed replaced, a pair without a row inserted; no MatchResult or ORM object is made."""
    if not jobs or not resumes:
        return
    match, dialect = Match.__table__, session.get_bind().dialect
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    candidates = sorted({cand for cand, _doc in resumes})
    existing = _existing_matches(session, candidates)
    now = utcnow()
    constants = (model_version, version, _stamp(dialect, now))
    keys, years = list(resumes), [resumes[k].years for k in resumes]
    kept: list[tuple] = []  # (row, match id, skill keys of the row, job document id the row has)
    new: list[tuple] = []
    for (job_id, job), scores in zip(jobs.items(), scored, strict=True):
        options = _skill_keys(scores)
        chosen = scores.chosen.T.tolist()  # per resume, the giver index of each job skill
        for row, picks in zip(_job_rows(job_id, job, keys, years, scores, constants), chosen, strict=True):
            skill_rows = [options[k][g] for k, g in enumerate(picks)]
            match_id, job_document = existing.get((job_id, row[3]), (None, None))
            (new if match_id is None else kept).append((row, match_id, skill_rows, job_document))
    if kept:
        _update_matches(session, kept, mark)
        _replace_skill_rows(session, [(match_id, skills) for _, match_id, skills, _ in kept], mark)
    if new:
        columns = ("job_id", "candidate_id", *_MATCH_COLUMNS)
        ids = (
            session.execute(
                insert(match).returning(match.c.id, sort_by_parameter_order=True),
                [dict(zip(columns, row[:-1] + (now,), strict=True)) for row, _, _, _ in new],
            )
            .scalars()
            .all()
        )
        _replace_skill_rows(session, [(match_id, skills) for match_id, (_, _, skills, _) in zip(ids, new)], mark)
    people.refresh_best(session, candidate_ids=candidates)


def _replace_skill_rows(session: Session, matches: list[tuple[int, list[tuple]]], mark: str) -> None:
    """Each match's skill rows made (skill, requirement, matched, relation, via) as given: the rows that differ
    are deleted or inserted, the others left alone (most survive a taxonomy edit). Compared as whole sets of
    (match id, *row) at once, by the set type's own difference rather than row by row in Python (a batch holds
    tens of thousands of rows); a row that went is deleted by its values, `IS` matching the NULLs of an exact one."""
    have: set[tuple] = set()  # (match id, skill, requirement, matched, relation, via); matched 0/1 equals False/True
    ids = [match_id for match_id, _ in matches]
    cursor = session.connection().connection.cursor()  # the driver's: plain tuples, for tens of thousands of rows
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                "SELECT match_id, skill, requirement, matched, relation, via FROM match_skill WHERE match_id IN "
                f"({', '.join(mark for _ in chunk)})",
                tuple(chunk),
            )
            have.update(cursor.fetchall())
    finally:
        cursor.close()
    wanted = {(match_id, *key) for match_id, skills in matches for key in skills}
    changed = have ^ wanted  # one pass over both; the few rows that differ are then split by where they were
    gone = changed & have
    added = changed - gone
    same = "IS" if mark == "?" else "IS NOT DISTINCT FROM"  # SQLite's IS; PostgreSQL's spelling of it
    connection = session.connection()
    if gone:
        connection.exec_driver_sql(
            f"DELETE FROM match_skill WHERE match_id = {mark} AND skill = {mark} AND requirement = {mark} "
            f"AND matched = {mark} AND relation {same} {mark} AND via {same} {mark}",
            sorted(gone, key=_by_match),
        )
    if added:
        connection.exec_driver_sql(
            "INSERT INTO match_skill (match_id, skill, requirement, matched, relation, via) VALUES "
            f"({', '.join(mark for _ in range(6))})",
            sorted(added, key=_by_match),
        )


def _by_match(row: tuple) -> tuple:
    """A skill row's order for writing: by match, then skill (the same order whatever the set's hashing)."""
    return row[0], row[1], row[2]
