"""Chaos Toolkit actions that drop documents into the inbox and check what became of each: scored exactly
once, or quarantined with the reason expected."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from chaos import corpus
from chaos.actions import _drill, _run_id
from chaos.deployment import Deployment, wait_until
from chaos.drill import Drill


def drop_files(label: str = "drop", good: int = 0, bad: int = 0, over: float = 0.0, background: bool = False) -> dict:
    """Make `good` resumes and `bad` broken files (new bytes for this run), then drop them into the inbox
    spread over `over` seconds, in a background thread when asked."""
    drill, dep = _drill()
    run = _run_id(drill)
    docs = [corpus.good(run, i) for i in range(good)]
    docs += [corpus.bad(run, i, dep.settings.max_file_bytes) for i in range(bad)]
    random.Random(run).shuffle(docs)
    drill.files[label] = docs
    gap = over / max(1, len(docs))
    dropped = drill.files[f"{label}_dropped_at"] = {}  # file name -> when it was written (UTC, like the store)

    def drop() -> None:
        for i, doc in enumerate(docs):
            corpus.write(doc, dep.settings.inbox)
            dropped[doc.name] = datetime.now(timezone.utc)
            if gap:
                time.sleep(gap)
        drill.mark(f"{label} dropped")

    if background:
        thread = threading.Thread(target=drop, name=f"drop-{label}", daemon=True)
        drill.files[f"{label}_thread"] = thread
        thread.start()
    else:
        drop()
    return {"good": good, "bad": bad, "over_s": over}


def _sha(doc: corpus.Doc) -> str:
    return hashlib.sha256(doc.data).hexdigest()


def await_files(label: str = "drop", within: float = 60.0, recovery_from: str = "") -> dict:
    """Wait (at most `within` s after the last drop) until every good file is scored and every bad one
    quarantined; then check exactly once, nothing lost, every bad one with its expected reason.
    With `recovery_from` (a mark), the time from that mark to all done is the drill's time to recover."""
    drill, dep = _drill()
    docs: list[corpus.Doc] = drill.files[label]
    thread = drill.files.get(f"{label}_thread")
    if thread is not None:
        thread.join(300)
    run = _run_id(drill)
    shas = {_sha(d): d for d in docs if d.expect == "scored"}
    bad = [d for d in docs if d.expect != "scored"]

    def finished() -> bool:  # every file has an outcome: scored, or quarantined (a good one too: then it is lost)
        done, quarantined = _scored(dep, run), _failed(dep, run)
        return all(s in done or d.name in quarantined for s, d in shas.items()) and all(
            d.name in quarantined for d in bad
        )

    wait_until(finished, within, 0.25)
    drill.mark(f"{label} finished")
    if recovery_from:
        drill.measure(time_to_recover_s=drill.between(recovery_from, f"{label} finished"))
    tally = _tally(dep, run, docs)
    drops = drill.marks.get(f"{label} dropped", drill.now())
    result = tally.result(seconds=round(drill.marks[f"{label} finished"] - drops, 3))
    drill.files.setdefault("results", {})[label] = result
    _check(drill, label, tally, result)
    return result


def _scored(dep: Deployment, run: str) -> dict[str, int]:
    """`document.scored` events of this run's files, by content hash."""
    rows = dep.query(
        "SELECT sha256, COUNT(*) FROM event WHERE kind = 'document.scored' AND filename LIKE ? GROUP BY sha256",
        (f"chaos-{run}-%",),
    )
    return {sha: n for sha, n in rows}


def _failed(dep: Deployment, run: str) -> dict[str, list[tuple[str, str, str]]]:
    """Failures of this run's files, by file name: (code, reason, quarantined path), oldest first."""
    found: dict[str, list] = {}
    for filename, code, reason, path in dep.query(
        "SELECT filename, code, reason, quarantined_path FROM failure WHERE filename LIKE ?", (f"chaos-{run}-%",)
    ):
        found.setdefault(filename, []).append((code, reason, path))
    return found


@dataclass
class Tally:
    """What became of one drop's files, once they all have an outcome."""

    good: list[corpus.Doc]
    bad: list[corpus.Doc]
    events: dict[str, int]
    failures: dict[str, list[tuple[str, str, str]]]
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    misfiled: list[str] = field(default_factory=list)  # good files quarantined
    left_in_inbox: list[str] = field(default_factory=list)
    wrong_reason: list[str] = field(default_factory=list)
    no_reason: list[str] = field(default_factory=list)
    unquarantined: list[str] = field(default_factory=list)

    def code(self, name: str) -> str:
        return self.failures[name][-1][0]

    def result(self, seconds: float) -> dict:
        good, bad, misfiled = self.good, self.bad, self.misfiled
        codes: dict[str, int] = {}
        for d in bad:
            if d.name in self.failures:
                codes[self.code(d.name)] = codes.get(self.code(d.name), 0) + 1
        return {
            "dropped": len(good) + len(bad),
            "good_dropped": len(good),
            "good_scored": len(good) - len(self.lost),
            "scored_events": sum(self.events.get(_sha(d), 0) for d in good),
            "lost": len(self.lost),
            "duplicates": len(self.duplicated),
            "bad_dropped": len(bad),
            "quarantined": len(bad) - len(self.unquarantined),
            "quarantine_codes": codes,
            "wrong_reason": len(self.wrong_reason),
            "without_reason_file": len(self.no_reason),
            "good_quarantined": len(misfiled),
            "good_quarantined_codes": {
                code: sum(1 for d in misfiled if self.code(d) == code) for code in {self.code(d) for d in misfiled}
            },
            "left_in_inbox": len(self.left_in_inbox),
            "seconds_from_last_drop_to_done": seconds,
            "examples": {
                "lost": self.lost[:5],
                "duplicated": self.duplicated[:5],
                "wrong_reason": self.wrong_reason[:5],
                "unquarantined": self.unquarantined[:5],
                "good_quarantined": misfiled[:5],
            },
        }


def _tally(dep: Deployment, run: str, docs: list[corpus.Doc]) -> Tally:
    good = [d for d in docs if d.expect == "scored"]
    tally = Tally(good, [d for d in docs if d.expect != "scored"], _scored(dep, run), _failed(dep, run))
    documents = {
        sha: n
        for sha, n in dep.query(
            "SELECT sha256, COUNT(*) FROM document WHERE filename LIKE ? GROUP BY sha256", (f"chaos-{run}-%",)
        )
    }
    versions = {
        email: (n, v)
        for email, n, v in dep.query(
            "SELECT email, COUNT(*), MAX(versions) FROM candidate WHERE email LIKE ? GROUP BY email",
            (f"chaos-{run}-%",),
        )
    }
    for d in good:
        sha = _sha(d)
        if sha not in documents:
            tally.lost.append(d.name)
        if tally.events.get(sha, 0) > 1 or documents.get(sha, 0) > 1 or versions.get(d.email, (1, 1)) != (1, 1):
            tally.duplicated.append(d.name)
        if d.name in tally.failures:
            tally.misfiled.append(d.name)
    tally.left_in_inbox = [d.name for d in docs if (dep.settings.inbox / "resumes" / d.name).exists()]
    for d in tally.bad:
        entries = tally.failures.get(d.name, [])
        if not entries:
            tally.unquarantined.append(d.name)
            continue
        code, reason, path = entries[-1]
        if code != d.expect:
            tally.wrong_reason.append(f"{d.name}: {code} (expected {d.expect})")
        if not reason.strip() or not Path(path + ".reason.txt").exists():
            tally.no_reason.append(d.name)
    return tally


def _check(drill: Drill, label: str, tally: Tally, result: dict) -> None:
    good, bad, lost, duplicated = tally.good, tally.bad, tally.lost, tally.duplicated
    if tally.misfiled:
        code, reason, _ = tally.failures[tally.misfiled[0]][-1]
        drill.note(
            f"{len(tally.misfiled)} good files were quarantined instead of scored; the first "
            f"({tally.misfiled[0]}) as {code}: {reason}"
        )
    if good:
        drill.check(
            f"{label}: every good file scored exactly once",
            not lost and not duplicated,
            f"{len(good) - len(lost)}/{len(good)} scored, {len(duplicated)} duplicated",
            f"{len(good)}/{len(good)}, 0 duplicated",
            "; ".join(f"{k}: {v}" for k, v in result["examples"].items() if v),
        )
    if bad:
        unquarantined, wrong_reason, no_reason = tally.unquarantined, tally.wrong_reason, tally.no_reason
        drill.check(
            f"{label}: every bad file quarantined with its reason",
            not unquarantined and not wrong_reason and not no_reason,
            f"{len(bad) - len(unquarantined)}/{len(bad)} quarantined, {len(wrong_reason)} wrong code, "
            f"{len(no_reason)} without reason",
            f"{len(bad)}/{len(bad)}, 0, 0",
            "; ".join(wrong_reason[:3] + unquarantined[:3]),
        )
