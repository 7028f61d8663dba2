"""Fill a store with N generated resumes x M jobs quickly, through the real pipeline's stages and writer.

Drills, tests and benchmarks at scale need thousands of scored documents; dropping them as files
would take minutes of parsing. This skips only the file part: each text goes through
`pipeline.stages.analyse_text` with the deployment's taxonomy and is scored and written by the driver's
own steps (`pipeline.steps.score`, `pipeline.steps.write`) exactly as the watcher would, in transactions of
`chunk` documents. The texts are
`tests/fixtures.py`'s realistic resumes and job descriptions; `run` makes their bytes new.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from pipeline import steps
from pipeline.filejob import FileJob, Status
from pipeline.model import Model, model_for
from pipeline.snapshot import read_snapshot
from pipeline.stages import Analysis, analyse_text
from pipeline.taxonomy import Taxonomy
from store.db import session_scope


@dataclass
class Seeded:
    resumes: int
    jobs: int
    seconds: float


def _analysed(taxonomy: Taxonomy, run: str, kind: str, name: str, text: str) -> FileJob:
    item = Analysis(filename=name, kind=kind, text=text, format="txt", pages=1, engine="text")
    analyse_text(item, taxonomy)
    data = f"{run}\n{text}".encode()
    return FileJob(
        Path(name), kind, Status.ARCHIVED, sha256=hashlib.sha256(data).hexdigest(), size=len(data), analysis=item
    )


def _write(session, model: Model, version: str, files: list[FileJob]) -> None:
    """The driver's own score and write steps over one chunk, in the caller's transaction."""
    kinds = {job.kind for job in files}
    other_side = read_snapshot(
        session,
        model,
        jobs="resume" in kinds,
        resumes="job" in kinds,
        identities=steps.identities([job.analysis for job in files if job.analysis]),
    )
    steps.score(files, other_side, model)
    steps.write(session, files, other_side, None, model, version)


def seed(
    engine: Engine,
    taxonomy: Taxonomy,
    resumes: int,
    jobs: int,
    run: str = "seed",
    chunk: int = 200,
    progress: Callable[[int], None] | None = None,
    pause: float = 0.0,
    skills: Path | None = None,
) -> Seeded:
    """Write `jobs` job descriptions, then `resumes` resumes, each scored against every job. `pause` seconds
    between transactions let a running watcher's heartbeat row in (SQLite has one writer at a time)."""
    from tests.fixtures import sample_job, sample_resume

    model = model_for(taxonomy, skills)  # the relevance model the watcher scores with
    started = time.perf_counter()
    with session_scope(engine) as session:
        _write(
            session,
            model,
            taxonomy.version,
            [_analysed(taxonomy, run, "job", f"{run}-job-{j}.txt", sample_job(j)) for j in range(jobs)],
        )
    for start in range(0, resumes, chunk):
        with session_scope(engine) as session:
            _write(
                session,
                model,
                taxonomy.version,
                [
                    _analysed(taxonomy, run, "resume", f"{run}-resume-{i}.txt", sample_resume(i))
                    for i in range(start, min(resumes, start + chunk))
                ],
            )
        if progress is not None:
            progress(min(resumes, start + chunk))
        if pause:
            time.sleep(pause)
    return Seeded(resumes, jobs, time.perf_counter() - started)
