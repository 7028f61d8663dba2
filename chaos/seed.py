"""Fill a store with N generated resumes x M jobs quickly, through the real pipeline's stages and writer.

Drills, tests and benchmarks at scale need thousands of scored documents; dropping them as files
would take minutes of parsing. This skips only the file part: each text goes through
`pipeline.stages.analyse_text` with the deployment's taxonomy and is written and scored by
`pipeline.record` exactly as the watcher would, in transactions of `chunk` documents. The texts are
`tests/fixtures.py`'s realistic resumes and job descriptions; `run` makes their bytes new.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from pipeline import record
from pipeline.stages import Analysis, analyse_text
from pipeline.taxonomy import Taxonomy
from store.db import session_scope


@dataclass
class Seeded:
    resumes: int
    jobs: int
    seconds: float


def _write(session, taxonomy: Taxonomy, run: str, kind: str, name: str, text: str, jobs: dict | None) -> None:
    item = Analysis(filename=name, kind=kind, text=text, format="txt", pages=1, engine="text")
    analyse_text(item, taxonomy)
    data = f"{run}\n{text}".encode()
    document = record.save_document(session, item, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                    stored_path="")
    record.score_document(session, document, taxonomy.version, jobs)


def seed(engine: Engine, taxonomy: Taxonomy, resumes: int, jobs: int, run: str = "seed", chunk: int = 200,
         progress: Callable[[int], None] | None = None, pause: float = 0.0, skills: Path | None = None) -> Seeded:
    """Write `jobs` job descriptions, then `resumes` resumes, each scored against every job. `pause` seconds
    between transactions let a running watcher's heartbeat row in (SQLite has one writer at a time)."""
    from pipeline.model import model_for
    from tests.fixtures import sample_job, sample_resume
    record.use_model(model_for(taxonomy, skills))  # the relevance model the watcher scores with
    started = time.perf_counter()
    with session_scope(engine) as session:
        for j in range(jobs):
            _write(session, taxonomy, run, "job", f"{run}-job-{j}.txt", sample_job(j), None)
    for start in range(0, resumes, chunk):
        with session_scope(engine) as session:
            requirements = record.job_requirements(session)
            for i in range(start, min(resumes, start + chunk)):
                _write(session, taxonomy, run, "resume", f"{run}-resume-{i}.txt", sample_resume(i), requirements)
        if progress is not None:
            progress(min(resumes, start + chunk))
        if pause:
            time.sleep(pause)
    return Seeded(resumes, jobs, time.perf_counter() - started)
