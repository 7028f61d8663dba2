"""Chaos Toolkit actions for the taxonomy-edit-under-load drill: fill the store at scale, edit `skills/`, and
wait for the batched re-score, checking that every match ends once on the new version.

The store is filled through the real pipeline (chaos/seed.py) with the deployment's own taxonomy; the
edit is a new YAML file in the deployment's skills folder, removed again by the rollback (which starts a
re-score back to the original taxonomy in the deployment).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from chaos.actions import _drill, _run_id
from chaos.deployment import wait_until

EDIT = (
    "category: Chaos drill {run}\nskills:\n  - name: Cross-team partnership {run}\n"
    "    aliases: [stakeholders, Partnered with]\n"
)


def seed_store(resumes: int = 1000, jobs: int = 10, chunk: int = 100) -> dict:
    """Add `resumes` x `jobs` scored documents to the deployment's database through the real pipeline."""
    from chaos.seed import seed
    from pipeline.taxonomy import load_taxonomy
    from store.db import make_engine

    drill, dep = _drill()
    run = _run_id(drill)
    engine = make_engine(dep.settings.database_url)
    try:
        seeded = seed(
            engine,
            load_taxonomy(dep.settings.skills),
            resumes,
            jobs,
            run=f"drill-{run}",
            chunk=chunk,
            pause=0.05,
            skills=Path(dep.settings.skills),
        )
    finally:
        engine.dispose()
    drill.mark("store seeded")
    job = dep.query("SELECT id FROM job WHERE identity = ?", (f"file:drill-{run}-job-0",))
    drill.files["job_id"] = job[0][0] if job else None  # the ranking page the load asks for
    counts = _counts(dep)
    drill.measure(seeded={"resumes": resumes, "jobs": jobs, "seconds": round(seeded.seconds, 1)}, store=counts)
    return counts


def _counts(dep) -> dict:
    ((candidates,),) = dep.query("SELECT count(*) FROM candidate WHERE current_document_id IS NOT NULL")
    ((jobs,),) = dep.query("SELECT count(*) FROM job WHERE current_document_id IS NOT NULL")
    ((matches,),) = dep.query("SELECT count(*) FROM match")
    return {"candidates": candidates, "jobs": jobs, "matches": matches}


def edit_taxonomy() -> dict:
    """Add one skill (found in every generated job and many resumes) as a new file under skills/."""
    from pipeline.taxonomy import load_taxonomy

    drill, dep = _drill()
    run = _run_id(drill)
    path = Path(dep.settings.skills) / f"zz-chaos-drill-{run}.yaml"
    before = load_taxonomy(dep.settings.skills).version
    drill.on_rollback("remove the taxonomy edit", lambda: path.unlink(missing_ok=True))
    path.write_text(EDIT.format(run=run))
    after = load_taxonomy(dep.settings.skills).version
    drill.files["taxonomy"] = {"before": before, "after": after, "file": str(path)}
    drill.mark("fault")
    return {"file": str(path), "version": after}


def remove_taxonomy_edit() -> dict:
    drill, _ = _drill()
    return {"removed": drill.rollback_label("remove the taxonomy edit")}


def _watcher_rss_mb(dep) -> dict:
    pid = dep.pid("watcher")
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {key: round(int(fields[key].split()[0]) / 1024, 1) for key in ("VmHWM", "VmRSS") if key in fields}


def await_rescore(within: float = 600.0) -> dict:
    """Wait for the re-score to the edited taxonomy to finish; check nothing is left stale and every match
    exists once; measure the re-score time, its batches and the watcher's peak memory."""
    drill, dep = _drill()
    version = drill.files["taxonomy"]["after"]
    fault = drill.marks["fault"]
    progress: list[tuple[float, float]] = []

    def finished() -> bool:
        rows = dep.query(
            "SELECT finished_at IS NOT NULL, done, total FROM rescore WHERE taxonomy_version = ?", (version,)
        )
        if rows and rows[0][2]:
            progress.append((round(drill.now() - fault, 1), round(100 * rows[0][1] / rows[0][2], 1)))
        return bool(rows and rows[0][0])

    done = wait_until(finished, within, 0.5)
    drill.mark("re-score finished" if done else "re-score not finished")
    seconds = drill.between("fault", "re-score finished")
    ((stale_matches,),) = dep.query("SELECT count(*) FROM match WHERE taxonomy_version != ?", (version,))
    ((stale_documents,),) = dep.query("SELECT count(*) FROM document WHERE taxonomy_version != ?", (version,))
    ((twice,),) = dep.query(
        "SELECT count(*) FROM (SELECT 1 FROM match GROUP BY job_id, candidate_id HAVING count(*) > 1)"
    )
    counts = _counts(dep)
    events = dep.query(
        "SELECT count(*), min(created_at), max(created_at) FROM event WHERE kind = 'rescore.progress' "
        "AND detail LIKE ?",
        (f'%"version": "{version}"%',),
    )
    row = dep.query("SELECT total, batches FROM rescore")
    drill.measure(
        rescore_s=seconds,
        rescore_total=row[0][0] if row else None,
        rescore_batches=events[0][0],
        stale_matches=stale_matches,
        stale_documents=stale_documents,
        matches=counts["matches"],
        expected_matches=counts["candidates"] * counts["jobs"],
        duplicate_matches=twice,
        watcher_memory_mb=_watcher_rss_mb(dep),
        progress_seen=_thin(progress),
    )
    drill.check(
        f"re-score finished within {within:g} s", bool(done) and seconds is not None, seconds, f"< {within:g} s"
    )
    drill.check(
        "no match or document left on the old taxonomy",
        not stale_matches and not stale_documents,
        f"{stale_matches} matches, {stale_documents} documents",
        "0 and 0",
    )
    drill.check(
        "every (job, candidate) scored exactly once",
        counts["matches"] == counts["candidates"] * counts["jobs"] and not twice,
        f"{counts['matches']} matches, {twice} pairs twice",
        f"{counts['candidates'] * counts['jobs']} ({counts['candidates']} candidates x {counts['jobs']} jobs)",
    )
    drill.check("progress shown batch by batch", events[0][0] >= 2, f"{events[0][0]} progress events", ">= 2")
    return {"rescore_s": seconds, "stale_matches": stale_matches}


def _thin(points: list[tuple[float, float]], keep: int = 12) -> list[tuple[float, float]]:
    if len(points) <= keep:
        return points
    step = len(points) / keep
    return [points[int(i * step)] for i in range(keep)] + [points[-1]]


def autoheal_left_alone(program: str = "watcher") -> bool:
    """The autoheal listener restarted nothing for a hang since the drill began (a long re-score is not a hang)."""
    drill, dep = _drill()
    text = dep.log_since("autoheal", drill.files.get("autoheal_log_offset", 0))
    lines = [line for line in text.splitlines() if f"ACTION restart shortlist:{program}" in line]
    drill.measure(autoheal_restarts=len(lines))
    return drill.check(
        f"autoheal never restarted the {program}", not lines, len(lines), 0, lines[0][:200] if lines else ""
    )


def files_not_starved(label: str = "during", settle: float = 10.0) -> bool:
    """The resumes dropped after the edit were not queued behind the re-score: each was committed before the
    re-score finished, or within `settle` seconds of its drop (one dropped as the last batch ran cannot beat it).
    Commit times of their documents and the re-score's finish come from the database."""
    drill, dep = _drill()
    version = drill.files["taxonomy"]["after"]
    run = _run_id(drill)
    dropped: dict = drill.files.get(f"{label}_dropped_at", {})
    finished = _utc(
        next(iter(dep.query("SELECT finished_at FROM rescore WHERE taxonomy_version = ?", (version,))), (None,))[0]
    )
    rows = dep.query(
        "SELECT filename, min(created_at) FROM document WHERE filename LIKE ? GROUP BY filename", (f"chaos-{run}-%",)
    )
    waits = {}
    late = []
    for filename, created in rows:
        committed, at = _utc(created), dropped.get(filename)
        wait = (committed - at).total_seconds() if committed and at else None
        waits[filename] = None if wait is None else round(wait, 2)
        if committed is None or (finished is not None and committed > finished and (wait is None or wait > settle)):
            late.append(filename)
    passed = bool(rows) and not late
    longest = max((w for w in waits.values() if w is not None), default=None)
    drill.measure(
        files_during_rescore={
            "files": len(rows),
            "longest_wait_s": longest,
            "late": late,
            "rescore_finished": finished.isoformat() if finished else None,
        }
    )
    return drill.check(
        f"{label}: new files committed while the re-score ran (not after it)",
        passed,
        f"{len(rows)} files, longest wait {longest} s, {len(late)} waited for the re-score",
        f"each before the re-score finished or within {settle:g} s of its drop",
    )


def _utc(value) -> datetime | None:
    """A timestamp as the store returns it (SQLite: naive ISO text in UTC) as an aware datetime."""
    if value is None:
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
