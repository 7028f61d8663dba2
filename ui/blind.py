"""Blind review in views: who is hidden where, and the masks applied to a page's context (ranking rows, the
candidate page, evidence snippets, the CSV) for anyone not revealed on purpose."""

from __future__ import annotations

from typing import Any

from pipeline.masking import BLOCK, Who, header_names, mask
from pipeline.titles import candidate_name


def label(candidate_id: int) -> str:
    return f"Candidate {candidate_id}"


def rows(rows: list[dict[str, Any]], revealed: set[int], organisations: bool) -> list[dict[str, Any]]:
    """Ranking rows (page, JSON and CSV) with the names, emails and file names of unrevealed people hidden."""
    for row in rows:
        if row["candidate_id"] in revealed:
            continue
        who = Who((row["name"],))
        row["name"] = label(row["candidate_id"])
        row["email"] = None
        row["note"] = mask(row.get("note"), who, organisations)
        if "resume_file" in row:
            row["resume_file"] = f"resume {row['resume_document_id']}"
        row["blind"] = True
    return rows


def _who(candidate: dict[str, Any]) -> Who:
    names = [candidate["name"]]
    if candidate.get("document"):
        text = candidate["document"]["text"]
        names += [candidate_name(text) or "", *header_names(text)]
    return Who(tuple(name for name in names if name))


def candidate(detail: dict[str, Any], organisations: bool) -> dict[str, Any]:
    """The candidate page's context with identity hidden: the resume text keeps its length, so highlights stay."""
    who = _who(detail)
    detail.update(name=label(detail["id"]), email=None, identity="", blind=True)
    document = detail.get("document")
    if document:
        document["text"] = mask(document["text"], who, organisations)
        document["filename"] = f"resume {document['id']}.{document['format']}"
    for mention in detail.get("mentions", []):
        mention["snippet"] = mask(mention["snippet"], who, organisations)
        mention["surface"] = mask(mention["surface"], who, organisations)
    for version in detail.get("versions", []):
        version["filename"] = f"resume {version['id']}.{version['format']}"
    for resume in detail.get("resumes", []):
        resume.update(filename=f"resume {resume['id']}.{resume['format']}", email=None, phone=None, profiles=[])
    for match in detail.get("matches", []):
        match["note"] = mask(match.get("note"), who, organisations)
        if "resume_file" in match:
            match["resume_file"] = f"resume {match['resume_document_id']}"
    return detail


def report(report: dict[str, Any], names: tuple[str, ...], organisations: bool) -> dict[str, Any]:
    """A match report's evidence snippets with identity hidden."""
    who = Who(names)
    for skill in report.get("matched", []):
        for evidence in skill.get("evidence", []):
            evidence["snippet"] = mask(evidence["snippet"], who, organisations)
    return report


__all__ = ["BLOCK", "candidate", "label", "report", "rows"]
