"""Chaos Toolkit actions that drop documents into the inbox and check what became of each: scored exactly
once, or quarantined with the reason expected."""
from __future__ import annotations

import hashlib
import random
import threading
import time
from pathlib import Path

from chaos import corpus
from chaos.actions import _drill, _run_id
from chaos.deployment import wait_until


def drop_files(label: str = "drop", good: int = 0, bad: int = 0, over: float = 0.0,
               background: bool = False) -> dict:
    """Make `good` resumes and `bad` broken files (new bytes for this run), then drop them into the inbox
    spread over `over` seconds, in a background thread when asked."""
    drill, dep = _drill()
    run = _run_id(drill)
    docs = [corpus.good(run, i) for i in range(good)]
    docs += [corpus.bad(run, i, dep.settings.max_file_bytes) for i in range(bad)]
    random.Random(run).shuffle(docs)
    drill.files[label] = docs
    gap = over / max(1, len(docs))

    def drop() -> None:
        for i, doc in enumerate(docs):
            corpus.write(doc, dep.settings.inbox)
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
    good = [d for d in docs if d.expect == "scored"]
    bad = [d for d in docs if d.expect != "scored"]
    shas = {_sha(d): d for d in good}
    run = _run_id(drill)

    def scored() -> dict[str, int]:
        rows = dep.query("SELECT sha256, COUNT(*) FROM event WHERE kind = 'document.scored' AND filename LIKE ? "
                         "GROUP BY sha256", (f"chaos-{run}-%",))
        return {sha: n for sha, n in rows}

    def failed() -> dict[str, list[tuple[str, str, str]]]:
        found: dict[str, list] = {}
        for filename, code, reason, path in dep.query(
                "SELECT filename, code, reason, quarantined_path FROM failure WHERE filename LIKE ?",
                (f"chaos-{run}-%",)):
            found.setdefault(filename, []).append((code, reason, path))
        return found

    def finished() -> bool:  # every file has an outcome: scored, or quarantined (a good one too: then it is lost)
        done, quarantined = scored(), failed()
        return all(s in done or d.name in quarantined for s, d in shas.items()) \
            and all(d.name in quarantined for d in bad)
    wait_until(finished, within, 0.25)
    drill.mark(f"{label} finished")
    events, failures = scored(), failed()
    documents = {sha: n for sha, n in dep.query(
        "SELECT sha256, COUNT(*) FROM document WHERE filename LIKE ? GROUP BY sha256", (f"chaos-{run}-%",))}
    versions = {email: (n, v) for email, n, v in dep.query(
        "SELECT email, COUNT(*), MAX(versions) FROM candidate WHERE email LIKE ? GROUP BY email",
        (f"chaos-{run}-%",))}
    lost = [d.name for s, d in shas.items() if s not in documents]
    duplicated = [d.name for s, d in shas.items() if events.get(s, 0) > 1 or documents.get(s, 0) > 1
                  or versions.get(d.email, (1, 1)) != (1, 1)]
    misfiled = [d.name for d in good if d.name in failures]
    still_in_inbox = [d.name for d in docs if (dep.settings.inbox / "resumes" / d.name).exists()]
    wrong_reason, no_reason = [], []
    for d in bad:
        entries = failures.get(d.name, [])
        if not entries:
            continue
        code, reason, path = entries[-1]
        if code != d.expect:
            wrong_reason.append(f"{d.name}: {code} (expected {d.expect})")
        if not reason.strip() or not Path(path + ".reason.txt").exists():
            no_reason.append(d.name)
    unquarantined = [d.name for d in bad if d.name not in failures]
    codes: dict[str, int] = {}
    for d in bad:
        if d.name in failures:
            codes[failures[d.name][-1][0]] = codes.get(failures[d.name][-1][0], 0) + 1
    drops = drill.marks.get(f"{label} dropped", drill.now())
    finished_at = drill.marks[f"{label} finished"]
    if recovery_from:
        drill.measure(time_to_recover_s=drill.between(recovery_from, f"{label} finished"))
    result = {
        "dropped": len(docs), "good_dropped": len(good), "good_scored": len(good) - len(lost),
        "scored_events": sum(events.get(s, 0) for s in shas), "lost": len(lost), "duplicates": len(duplicated),
        "bad_dropped": len(bad), "quarantined": len(bad) - len(unquarantined),
        "quarantine_codes": codes, "wrong_reason": len(wrong_reason), "without_reason_file": len(no_reason),
        "good_quarantined": len(misfiled),
        "good_quarantined_codes": {code: sum(1 for d in misfiled if failures[d][-1][0] == code)
                                   for code in {failures[d][-1][0] for d in misfiled}},
        "left_in_inbox": len(still_in_inbox),
        "seconds_from_last_drop_to_done": round(finished_at - drops, 3),
        "examples": {"lost": lost[:5], "duplicated": duplicated[:5], "wrong_reason": wrong_reason[:5],
                     "unquarantined": unquarantined[:5], "good_quarantined": misfiled[:5]},
    }
    drill.files.setdefault("results", {})[label] = result
    if misfiled:
        code, reason, _ = failures[misfiled[0]][-1]
        drill.note(f"{len(misfiled)} good files were quarantined instead of scored; the first ({misfiled[0]}) "
                   f"as {code}: {reason}")
    if good:
        drill.check(f"{label}: every good file scored exactly once", not lost and not duplicated,
                    f"{len(good) - len(lost)}/{len(good)} scored, {len(duplicated)} duplicated",
                    f"{len(good)}/{len(good)}, 0 duplicated",
                    "; ".join(f"{k}: {v}" for k, v in result["examples"].items() if v))
    if bad:
        drill.check(f"{label}: every bad file quarantined with its reason",
                    not unquarantined and not wrong_reason and not no_reason,
                    f"{len(bad) - len(unquarantined)}/{len(bad)} quarantined, {len(wrong_reason)} wrong code, "
                    f"{len(no_reason)} without reason", f"{len(bad)}/{len(bad)}, 0, 0",
                    "; ".join(wrong_reason[:3] + unquarantined[:3]))
    return result
