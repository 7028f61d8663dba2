"""Plain-language advice for a job seeker, from their match report (a pure function: values in, sentences out)."""

from __future__ import annotations

from typing import Any


def verdict(score: float | None) -> str:
    if score is None:
        return "We could not score this resume against the job."
    if score >= 80:
        return "A strong match: your resume shows most of what this job asks for."
    if score >= 60:
        return "A good match with a few gaps worth closing before you apply."
    if score >= 40:
        return "A partial match: the job asks for several skills your resume does not show."
    return "A weak match as written: most of the required skills are missing from your resume."


def _gap_tip(gap: dict[str, Any]) -> str:
    skill, related = gap["skill"], [r for r in gap.get("related") or [] if r != gap["skill"]]
    if gap["requirement"] == "required":
        tip = (
            f"Add {skill} if you have used it: the job lists it as required. Use the posting's word for it and "
            "say where you used it."
        )
    else:
        tip = f"Mention {skill} if you know it: it is a nice-to-have for this job."
    if related:
        tip += (
            f" Your resume already shows {_listed(related)}, close to it: if you used {skill} alongside, say so there."
        )
    return tip


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def advise(report: dict[str, Any]) -> dict[str, list]:
    """What to add, grouped by importance: each missing required skill, then each missing nice-to-have, with
    the job's own sentence and a related skill the resume has; then general tips (years, thin evidence)."""
    groups: dict[str, list] = {"required": [], "preferred": [], "general": []}
    gaps = report.get("missing") or [{"skill": s, "requirement": "required"} for s in report["missing_required"]] + [
        {"skill": s, "requirement": "preferred"} for s in report["missing_preferred"]
    ]
    for gap in gaps:
        group = "required" if gap["requirement"] == "required" else "preferred"
        groups[group].append(
            {
                "skill": gap["skill"],
                "sentence": gap.get("sentence") or "",
                "related": gap.get("related") or [],
                "tip": _gap_tip(gap),
            }
        )
    years, asked = report.get("resume_years"), report.get("job_years")
    if asked:
        if years is None:
            groups["general"].append(
                f"The job asks for {asked}+ years of experience, and we could not tell yours: "
                f"give each role a start and end date."
            )
        elif years < asked:
            groups["general"].append(
                f"The job asks for {asked}+ years; your resume shows about {years:g}. If you "
                f"have more, make the dates of each role explicit."
            )
    thin = [m["skill"] for m in report["matched"] if len(m.get("evidence") or []) == 1]
    if thin:
        listed = ", ".join(thin[:5])
        groups["general"].append(
            f"{listed} appear{'s' if len(thin) == 1 else ''} only once. Show "
            f"{'it' if len(thin) == 1 else 'them'} in context: a project or a result where you "
            f"used {'it' if len(thin) == 1 else 'each'}."
        )
    if not any(groups.values()):
        groups["general"].append(
            "Nothing is missing for this job. Lead with the results you achieved using these skills."
        )
    return groups
