"""A small labelled set the project generates itself, in the devset's format (labels.json + files/).

Resumes and job descriptions come from tests/fixtures.py (several role families; PDF, DOCX, TXT, MD). The labels
follow from what the generator wrote: a document's skills are the role vocabulary's names that occur in its text;
a job's required and preferred skills are the ones it was generated with; a resume is graded 2 for a job of its
own role family that it covers half the required skills of, 1 for its own family or two required skills shared,
0 otherwise. Run as a script to write a set: `python -m tests.labelled_set DIR`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.fixtures import (
    ROLES,
    SKILLS,
    SOFT_SKILLS,
    job_role,
    job_skills,
    job_years,
    make_docx,
    make_pdf,
    resume_role,
    sample_job,
    sample_resume,
)

NEGATIVE_TRAPS = (
    {"text": "Our go to market plan doubled revenue in two quarters.", "not": "Go"},
    {"text": "Excellent written and verbal skills; excels under pressure.", "not": "Excel"},
)
POSITIVE_TRAPS = (
    {"text": "Wrote high-throughput services and deployed them on k8s.", "skill": "Kubernetes"},
    {"text": "Backend: Golang, gRPC, Postgres.", "skill": "PostgreSQL"},
)
_FORMATS = ("pdf", "docx", "txt", "md")


def _write(path: Path, text: str) -> None:
    if path.suffix == ".pdf":
        path.write_bytes(make_pdf(text))
    elif path.suffix == ".docx":
        path.write_bytes(make_docx(text.split("\n")))
    else:
        path.write_text(text, encoding="utf-8")


def _mentioned(text: str) -> dict[str, list[str]]:
    """Vocabulary skills (not soft traits) that occur in `text` on word boundaries, with the surface as written."""
    found = {}
    for skill in SKILLS:
        if skill in SOFT_SKILLS:
            continue
        match = re.search(rf"(?<![\w@&]){re.escape(skill)}(?![\w+#&@])", text, re.IGNORECASE)
        if match:
            found[skill] = [match.group()]
    return found


def _grade(resume: int, job: int, resume_text: str) -> int:
    required = job_skills(job)[0]
    shared = sum(1 for s in required if s.lower() in resume_text.lower())
    same = resume_role(resume) == job_role(job)
    if same and shared * 2 >= len(required):
        return 2
    return 1 if same or shared >= 2 else 0


def write_labelled_set(folder: Path, resumes: int = 16, jobs: int = len(ROLES)) -> Path:
    """Write `resumes` resumes and `jobs` jobs with labels.json into `folder`; returns the folder."""
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    docs: dict[str, dict] = {}
    texts = {}
    for i in range(resumes):
        key, text = f"r{i:02d}", sample_resume(i, long=i % 4 == 0)
        name = f"{key}_{resume_role(i).lower().replace(' ', '_')}.{_FORMATS[i % 3]}"
        _write(files / name, text)
        texts[key] = text
        docs[key] = {"kind": "resume", "file": name, "skills": _mentioned(text), "years": None, "title": ""}
    for j in range(jobs):
        key, text = f"j{j:02d}", sample_job(j)
        name = f"{key}_{job_role(j).lower().replace(' ', '_')}.{_FORMATS[(j + 2) % 4]}"
        _write(files / name, text)
        required, preferred = job_skills(j)
        docs[key] = {
            "kind": "jd",
            "file": name,
            "title": text.split("\n", 1)[0],
            "required": {s: [s] for s in required if s not in SOFT_SKILLS},
            "preferred": {s: [s] for s in preferred if s not in SOFT_SKILLS},
            "min_years": job_years(j),
            "min_years_evidence": f"{job_years(j)}+ years",
            "relevance": {f"r{i:02d}": _grade(i, j, texts[f"r{i:02d}"]) for i in range(resumes)},
        }
    labels = {"docs": docs, "traps": {"negative": list(NEGATIVE_TRAPS), "positive": list(POSITIVE_TRAPS)}}
    (folder / "labels.json").write_text(json.dumps(labels, indent=1), encoding="utf-8")
    return folder


if __name__ == "__main__":
    print(write_labelled_set(Path(sys.argv[1])))
