"""Sample jobs, candidates and matches written straight through the models, for demos, screenshots, tests and the benchmark.

The pipeline is the only writer in production; this module stands in for it when a page needs
realistic rows without parsing files (it writes the same tables the pipeline writes).
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from store.models import Candidate, Document, Event, Job, Match, MatchSkill, SkillMention

SKILLS = {
    "Python": "language", "Go": "language", "Java": "language", "TypeScript": "language", "SQL": "language",
    "Rust": "language", "Bash": "language", "Django": "framework", "FastAPI": "framework", "React": "framework",
    "PostgreSQL": "database", "Redis": "database", "Kafka": "data", "Spark": "data", "Airflow": "data",
    "Docker": "platform", "Kubernetes": "platform", "Terraform": "platform", "AWS": "cloud", "GCP": "cloud",
    "Prometheus": "observability", "Grafana": "observability", "Linux": "platform", "Git": "tool",
    "CI/CD": "practice", "Machine Learning": "data", "Pandas": "data", "GraphQL": "framework",
}
ALIASES = {"Kubernetes": "k8s", "PostgreSQL": "Postgres", "Machine Learning": "ML", "TypeScript": "TS"}

FIRST = ("Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia",
         "Guido", "Katherine", "Tim", "Sophie", "Niklaus", "Hedy", "Donald", "Anita", "John", "Mary", "Yukihiro",
         "Shafi", "Leslie", "Lynn", "Brian", "Karen", "Ivan", "Joan", "Bjarne", "Amara", "Chen", "Priya", "Mateo",
         "Fatima", "Kwame", "Ingrid", "Diego", "Aiko", "Olu")
LAST = ("Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen",
        "Dijkstra", "Perlman", "van Rossum", "Johnson", "Berners-Lee", "Wilson", "Wirth", "Lamarr", "Knuth",
        "Borg", "McCarthy", "Kenneth", "Matsumoto", "Goldwasser", "Lamport", "Conway", "Kernighan", "Jones",
        "Sutherland", "Clarke", "Stroustrup", "Okafor", "Wei", "Raman", "Silva", "Haddad", "Mensah", "Berg",
        "Rojas", "Tanaka", "Adeyemi")


@dataclass(frozen=True)
class JobSpec:
    title: str
    required: tuple[str, ...]
    preferred: tuple[str, ...]
    years: int


JOBS = (
    JobSpec("Backend Engineer", ("Python", "PostgreSQL", "Docker", "SQL"), ("Kubernetes", "Redis", "AWS"), 3),
    JobSpec("Site Reliability Engineer", ("Linux", "Kubernetes", "Prometheus", "Terraform"),
            ("Go", "Grafana", "Bash", "AWS"), 5),
    JobSpec("Data Engineer", ("Python", "SQL", "Spark", "Airflow"), ("Kafka", "AWS", "Pandas"), 2),
    JobSpec("Frontend Developer", ("TypeScript", "React", "GraphQL"), ("CI/CD", "Docker"), 2),
)


@dataclass
class _Text:
    """Builds a document's text while recording where each skill lands (the evidence offsets)."""
    parts: list[str] = field(default_factory=list)
    length: int = 0
    mentions: list[tuple[str, str, int, int]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def skill(self, skill: str, surface: str | None = None) -> None:
        surface = surface or skill
        self.mentions.append((skill, surface, self.length, self.length + len(surface)))
        self.add(surface)

    def skills(self, names: list[str], rng: random.Random) -> None:
        for index, name in enumerate(names):
            if index:
                self.add(", ")
            alias = ALIASES.get(name)
            self.skill(name, alias if alias and rng.random() < 0.3 else None)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def resume_text(rng: random.Random, name: str, email: str, skills: list[str], years: float,
                extra: str = "") -> _Text:
    doc = _Text()
    doc.add(f"{name}\n{email}\n\nSUMMARY\nEngineer with {years:g} years of experience building reliable services. ")
    doc.add(extra)
    doc.add("\n\nSKILLS\n")
    doc.skills(skills[: max(1, len(skills) // 2)], rng)
    doc.add("\n\nEXPERIENCE\nSenior engineer, Example Corp (2019-2024)\nBuilt an ingestion service in ")
    rest = skills[max(1, len(skills) // 2):] or skills[:1]
    doc.skills(rest, rng)
    doc.add(", cut p95 latency by 40% and ran the on-call rotation.\n\nEDUCATION\nBSc Computer Science\n")
    return doc


def job_text(spec: JobSpec) -> _Text:
    doc = _Text()
    doc.add(f"{spec.title}\n\nWe are hiring a {spec.title.lower()} with {spec.years}+ years of experience.\n\n"
            "Requirements:\n")
    for skill in spec.required:
        doc.add("- ")
        doc.skill(skill)
        doc.add("\n")
    doc.add("\nNice to have:\n")
    for skill in spec.preferred:
        doc.add("- ")
        doc.skill(skill)
        doc.add("\n")
    return doc


def score(required: tuple[str, ...], preferred: tuple[str, ...], have: set[str], years: float, ask: int) -> float:
    req = sum(s in have for s in required) / len(required) if required else 1.0
    pref = sum(s in have for s in preferred) / len(preferred) if preferred else 1.0
    fit = min(1.0, years / ask) if ask else 1.0
    return round(100 * (0.7 * req + 0.2 * pref + 0.1 * fit), 1)


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(0, start - 40):min(len(text), end + 40)].replace("\n", " ")


def _next_id(connection, table) -> int:
    return int(connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def seed(engine: Engine, *, candidates: int = 40, jobs: int = 3, rng_seed: int = 7,
         files_dir: Path | None = None, batch: int = 2000) -> dict[str, list[int]]:
    """Write `jobs` jobs and `candidates` resumes scored against every job; returns the new ids.

    With `files_dir`, each document's original is written there as <sha256>.txt (so downloads work).
    """
    rng = random.Random(rng_seed)
    specs = [JOBS[i % len(JOBS)] for i in range(jobs)]
    now = datetime.now(timezone.utc)
    dt, ct, jt, st, mt, mst, et = (Document.__table__, Candidate.__table__, Job.__table__, SkillMention.__table__,
                                    Match.__table__, MatchSkill.__table__, Event.__table__)
    with engine.begin() as connection:
        doc_id, cand_id, job_id = _next_id(connection, dt), _next_id(connection, ct), _next_id(connection, jt)
        mention_id, match_id, skill_id = _next_id(connection, st), _next_id(connection, mt), _next_id(connection, mst)
        docs, mentions, job_rows, job_ids = [], [], [], []
        for index, spec in enumerate(specs):
            title = spec.title if index < len(JOBS) else f"{spec.title} {index // len(JOBS) + 1}"
            built = job_text(JobSpec(title, spec.required, spec.preferred, spec.years))
            text = built.text
            sha = hashlib.sha256(f"job:{rng_seed}:{job_id}:{text}".encode()).hexdigest()
            docs.append(_document(doc_id, sha, "job", f"{title.lower().replace(' ', '-')}.txt", text, files_dir,
                                  job_id=job_id, years=spec.years, created=now))
            for skill, surface, start, end in built.mentions:
                mentions.append({"id": mention_id, "document_id": doc_id, "skill": skill,
                                 "category": SKILLS[skill], "surface": surface, "start": start, "end": end,
                                 "snippet": _snippet(text, start, end),
                                 "requirement": "required" if skill in spec.required else "preferred"})
                mention_id += 1
            job_rows.append({"id": job_id, "identity": f"sample-{rng_seed}-{job_id}.txt", "title": title,
                             "current_document_id": doc_id, "min_years": spec.years, "versions": 1,
                             "created_at": now, "updated_at": now})
            job_ids.append((job_id, doc_id, spec))
            doc_id += 1
            job_id += 1
        if job_rows:
            connection.execute(insert(jt), job_rows)
            connection.execute(insert(dt), docs)
            connection.execute(insert(st), mentions)
            connection.execute(insert(et), [{"kind": "document.scored", "document_id": d["id"], "job_id": d["job_id"],
                                             "sha256": d["sha256"], "filename": d["filename"], "detail": "",
                                             "created_at": now} for d in docs])
        job_ids = _all_jobs(connection)

        candidate_ids: list[int] = []
        pool = list(SKILLS)
        pending: dict[str, list[dict]] = {"c": [], "d": [], "s": [], "m": [], "k": [], "e": []}
        for index in range(candidates):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
            email = f"{first}.{last}.{cand_id}@example.com".lower().replace(" ", "")
            profile = rng.choice([spec for _, _, spec in job_ids] or list(JOBS))
            skills = [x for x in profile.required if rng.random() < 0.65]
            skills += [x for x in profile.preferred if rng.random() < 0.4]
            skills += rng.sample([x for x in pool if x not in skills], rng.randint(1, 5))
            rng.shuffle(skills)
            years = round(rng.uniform(0.5, 14), 1)
            built = resume_text(rng, name, email, skills, years)
            text = built.text
            sha = hashlib.sha256(f"resume:{rng_seed}:{cand_id}:{text}".encode()).hexdigest()
            created = now - timedelta(minutes=candidates - index)
            pending["c"].append({"id": cand_id, "identity": email, "name": name, "email": email,
                                 "current_document_id": doc_id, "versions": 1, "created_at": created,
                                 "updated_at": created})
            pending["d"].append(_document(doc_id, sha, "resume", f"{first}-{last}-cv.txt".lower().replace(" ", "-"),
                                          text, files_dir, candidate_id=cand_id, years=years, created=created))
            for skill, surface, start, end in built.mentions:
                pending["s"].append({"id": mention_id, "document_id": doc_id, "skill": skill,
                                     "category": SKILLS[skill], "surface": surface, "start": start, "end": end,
                                     "snippet": _snippet(text, start, end), "requirement": None})
                mention_id += 1
            have = set(skills)
            for jid, jdoc, spec in job_ids:
                pending["m"].append({
                    "id": match_id, "job_id": jid, "candidate_id": cand_id, "resume_document_id": doc_id,
                    "job_document_id": jdoc, "score": score(spec.required, spec.preferred, have, years, spec.years),
                    "required_total": len(spec.required), "preferred_total": len(spec.preferred),
                    "required_matched": sum(s in have for s in spec.required),
                    "preferred_matched": sum(s in have for s in spec.preferred),
                    "resume_years": years, "job_years": spec.years, "taxonomy_version": "sample",
                    "computed_at": created})
                for requirement, names in (("required", spec.required), ("preferred", spec.preferred)):
                    for skill in names:
                        pending["k"].append({"id": skill_id, "match_id": match_id, "skill": skill,
                                             "requirement": requirement, "matched": skill in have})
                        skill_id += 1
                match_id += 1
            pending["e"].append({"kind": "document.scored", "document_id": doc_id, "candidate_id": cand_id,
                                 "sha256": sha, "filename": pending["d"][-1]["filename"], "detail": "",
                                 "created_at": created})
            candidate_ids.append(cand_id)
            cand_id += 1
            doc_id += 1
            if len(pending["c"]) >= batch:
                _flush(connection, pending, (ct, dt, st, mt, mst, et))
        _flush(connection, pending, (ct, dt, st, mt, mst, et))
    return {"jobs": [row["id"] for row in job_rows], "candidates": candidate_ids}


def _all_jobs(connection) -> list[tuple[int, int, JobSpec]]:
    """Every job with a current document, as (job id, document id, spec read back from its skill mentions)."""
    jobs = connection.execute(select(Job.__table__.c.id, Job.__table__.c.title, Job.__table__.c.current_document_id,
                                     Job.__table__.c.min_years)
                              .where(Job.__table__.c.current_document_id.is_not(None))).all()
    sm = SkillMention.__table__
    out = []
    for job_id, title, doc_id, years in jobs:
        rows = connection.execute(select(sm.c.skill, sm.c.requirement).where(sm.c.document_id == doc_id)).all()
        required = tuple(dict.fromkeys(s for s, r in rows if r == "required"))
        preferred = tuple(dict.fromkeys(s for s, r in rows if r != "required" and s not in required))
        out.append((job_id, doc_id, JobSpec(title, required, preferred, years or 0)))
    return out


def _flush(connection, pending: dict[str, list[dict]], tables) -> None:
    for key, table in zip("cdsmke", tables):
        if pending[key]:
            connection.execute(insert(table), pending[key])
            pending[key].clear()


def _document(doc_id: int, sha: str, kind: str, filename: str, text: str, files_dir: Path | None, *,
              candidate_id: int | None = None, job_id: int | None = None, years: float | None,
              created) -> dict:
    stored = f"files/{sha}.txt"
    if files_dir is not None:
        files_dir.mkdir(parents=True, exist_ok=True)
        (files_dir / f"{sha}.txt").write_text(text, encoding="utf-8")
        stored = str(files_dir / f"{sha}.txt")
    return {"id": doc_id, "sha256": sha, "kind": kind, "filename": filename, "format": "txt",
            "size_bytes": len(text.encode()), "pages": 1, "engine": "text", "stored_path": stored, "text": text,
            "candidate_id": candidate_id, "job_id": job_id, "version": 1, "years": years,
            "taxonomy_version": "sample", "created_at": created}


def find_mentions(text: str, skills: list[str] | tuple[str, ...]) -> list[tuple[str, str, int, int]]:
    """Every case-insensitive, whole-word occurrence of each skill (or its alias) in the text."""
    import re
    found = []
    for skill in skills:
        for surface in filter(None, (skill, ALIASES.get(skill))):
            for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text, flags=re.IGNORECASE):
                found.append((skill, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda m: m[2])


def add_job(engine: Engine, title: str, required: tuple[str, ...], preferred: tuple[str, ...] = (), years: int = 0,
            *, identity: str | None = None, files_dir: Path | None = None, sha256: str | None = None) -> int:
    """One job with a generated description; returns its id (existing candidates are not re-scored)."""
    spec = JobSpec(title, tuple(required), tuple(preferred), years)
    built = job_text(spec)
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        doc_id, job_id = _next_id(connection, Document.__table__), _next_id(connection, Job.__table__)
        sha = sha256 or hashlib.sha256(f"job:{job_id}:{built.text}".encode()).hexdigest()
        connection.execute(insert(Job.__table__), [{
            "id": job_id, "identity": identity or f"{title.lower().replace(' ', '-')}-{job_id}.txt",
            "title": spec.title, "current_document_id": doc_id, "min_years": spec.years, "versions": 1,
            "created_at": now, "updated_at": now}])
        connection.execute(insert(Document.__table__), [_document(
            doc_id, sha, "job", f"{spec.title.lower().replace(' ', '-')}.txt", built.text, files_dir, job_id=job_id,
            years=spec.years, created=now)])
        connection.execute(insert(SkillMention.__table__), [
            {"document_id": doc_id, "skill": skill, "category": SKILLS.get(skill, "other"), "surface": surface,
             "start": start, "end": end, "snippet": _snippet(built.text, start, end),
             "requirement": "required" if skill in spec.required else "preferred"}
            for skill, surface, start, end in built.mentions])
        connection.execute(insert(Event.__table__).values(kind="document.scored", document_id=doc_id, job_id=job_id,
                                                          sha256=sha, filename="job.txt", created_at=now))
    return job_id


def add_candidate(engine: Engine, name: str, text: str, *, email: str | None = None, years: float | None = None,
                  filename: str = "resume.txt", files_dir: Path | None = None, sha256: str | None = None) -> int:
    """One candidate whose resume is `text`, with skills found in it, scored against every job; returns its id."""
    now = datetime.now(timezone.utc)
    mentions = find_mentions(text, list(SKILLS))
    have = {m[0] for m in mentions}
    with engine.begin() as connection:
        doc_id, cand_id = _next_id(connection, Document.__table__), _next_id(connection, Candidate.__table__)
        sha = sha256 or hashlib.sha256(f"resume:{cand_id}:{text}".encode()).hexdigest()
        connection.execute(insert(Candidate.__table__), [{
            "id": cand_id, "identity": email or f"{filename}-{cand_id}", "name": name, "email": email,
            "current_document_id": doc_id, "versions": 1, "created_at": now, "updated_at": now}])
        connection.execute(insert(Document.__table__), [_document(
            doc_id, sha, "resume", filename, text, files_dir, candidate_id=cand_id, years=years, created=now)])
        if mentions:
            connection.execute(insert(SkillMention.__table__), [
                {"document_id": doc_id, "skill": skill, "category": SKILLS[skill], "surface": surface,
                 "start": start, "end": end, "snippet": _snippet(text, start, end), "requirement": None}
                for skill, surface, start, end in mentions])
        for job_id, job_doc, spec in _all_jobs(connection):
            match_id = _next_id(connection, Match.__table__)
            connection.execute(insert(Match.__table__), [{
                "id": match_id, "job_id": job_id, "candidate_id": cand_id, "resume_document_id": doc_id,
                "job_document_id": job_doc,
                "score": score(spec.required, spec.preferred, have, years or 0, spec.years),
                "required_total": len(spec.required), "preferred_total": len(spec.preferred),
                "required_matched": sum(s in have for s in spec.required),
                "preferred_matched": sum(s in have for s in spec.preferred),
                "resume_years": years, "job_years": spec.years, "taxonomy_version": "sample", "computed_at": now}])
            rows = [{"match_id": match_id, "skill": skill, "requirement": requirement, "matched": skill in have}
                    for requirement, names in (("required", spec.required), ("preferred", spec.preferred))
                    for skill in names]
            if rows:
                connection.execute(insert(MatchSkill.__table__), rows)
        connection.execute(insert(Event.__table__).values(kind="document.scored", document_id=doc_id,
                                                          candidate_id=cand_id, sha256=sha, filename=filename,
                                                          created_at=now))
    return cand_id
