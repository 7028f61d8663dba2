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


def advise(report: dict[str, Any]) -> list[str]:
    """What to add or change, most important first."""
    tips: list[str] = []
    for skill in report["missing_required"]:
        tips.append(f"Add {skill} if you have used it: the job lists it as required. Use the same word the posting "
                    f"uses and say where you used it.")
    years, asked = report.get("resume_years"), report.get("job_years")
    if asked:
        if years is None:
            tips.append(f"The job asks for {asked}+ years of experience, and we could not tell yours: give each role "
                        f"a start and end date.")
        elif years < asked:
            tips.append(f"The job asks for {asked}+ years; your resume shows about {years:g}. If you have more, make "
                        f"the dates of each role explicit.")
    for skill in report["missing_preferred"]:
        tips.append(f"Mention {skill} if you know it: it is a nice-to-have for this job.")
    thin = [m["skill"] for m in report["matched"] if len(m.get("evidence") or []) == 1]
    if thin:
        listed = ", ".join(thin[:5])
        tips.append(f"{listed} appear{'s' if len(thin) == 1 else ''} only once. Show "
                    f"{'it' if len(thin) == 1 else 'them'} in context: a project or a result where you used "
                    f"{'it' if len(thin) == 1 else 'each'}.")
    if not tips:
        tips.append("Nothing is missing for this job. Lead with the results you achieved using these skills.")
    return tips
