"""Many watchers on one inbox: claims with leases, and every file scored exactly once under random kill -9."""

from __future__ import annotations

import random
import signal
from datetime import timedelta

import pytest
from sqlmodel import Session

from pipeline import claims
from store.models import Claim
from tests.fixtures import make_docx, sample_job, sample_resume
from tests.instance import db_rows, start_watcher, wait_for

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both
SHA = "a" * 64


def _take(engine, owner: str, lease_s: float = 30.0) -> set[str]:
    with Session(engine) as session:
        won = claims.take(session, owner, [(SHA, "ada.txt")], lease_s)
        session.commit()
    return won


def test_a_claim_is_won_once_until_its_lease_runs_out(engine):
    assert _take(engine, "host-a:1") == {SHA}
    assert _take(engine, "host-b:2") == set(), "a live lease keeps other watchers off"
    assert _take(engine, "host-a:1") == {SHA}, "the holder may take it again"
    with Session(engine) as session:
        claim = session.get(Claim, SHA)
        claim.lease_until = claims.now(session) - timedelta(seconds=1)
        session.add(claim)
        session.commit()
    assert _take(engine, "host-b:2") == {SHA}, "an expired lease is taken over"
    with Session(engine) as session:
        assert session.get(Claim, SHA).owner == "host-b:2"
        assert claims.renew(session, "host-b:2", 30.0) == 1
        claims.release(session, "host-b:2", [SHA])
        session.commit()
        assert session.get(Claim, SHA) is None


def test_a_watcher_whose_loop_stalls_lets_its_claims_lapse(engine):
    """The lease thread renews only while the owner's loop moves: a hung watcher (alive, so not dropped as dead)
    must not keep its files from the other watchers for ever."""
    import time

    leases = claims.Leases(engine, lease_s=2.0, owner="host-a:1")
    moved = [time.monotonic()]
    leases.progress = lambda: moved[0]
    try:
        assert _take(engine, "host-a:1", lease_s=2.0) == {SHA}
        leases.held = 1
        for _ in range(30):  # the loop keeps moving for 3 s: the claim is renewed past its first lease
            moved[0] = time.monotonic()
            time.sleep(0.1)
        assert _take(engine, "host-b:2") == set(), "a moving loop keeps its claim"
        wait_for(
            lambda: _take(engine, "host-b:2") == {SHA}, timeout=30, interval=0.1, message="the stalled claim to lapse"
        )
    finally:
        leases.close()


def test_claims_of_a_dead_watcher_on_this_host_are_dropped_at_start(engine):
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    here = claims.owner_name().rpartition(":")[0]
    _take(engine, f"{here}:{gone.pid}")
    with Session(engine) as session:
        assert claims.forget_dead_here(session, claims.owner_name()) == 1
        session.commit()
    assert _take(engine, "host-b:2") == {SHA}
    with Session(engine) as session:  # another host's watchers are judged by their leases, not by pid
        assert claims.forget_dead_here(session, claims.owner_name()) == 0


def _count(settings, sql: str) -> int:
    try:
        return db_rows(settings, sql)[0][0]
    except Exception:  # the schema may not be there yet
        return 0


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except Exception:
            proc.kill()
            proc.wait(5)


def _inbox_files(settings) -> list:
    return [p for folder in ("resumes", "jobs") for p in (settings.inbox / folder).rglob("*") if p.is_file()]


@pytest.mark.slow
@pytest.mark.timeout(900)  # its own waits allow 400 s per phase: on a loaded machine 300 s in all is too short
def test_three_watchers_killed_at_random_score_every_file_exactly_once(tmp_path, settings, env):
    """3 watcher processes share one inbox and database; 500 resumes and 5 jobs; a watcher is killed with
    SIGKILL every few seconds and restarted (as supervisord would), except the last, whose claims must run
    out by their lease. Every file ends as exactly one document with one `document.scored` event; none is
    lost, none is left claimed or in the inbox."""
    rng = random.Random(13)
    jobs, resumes = 5, 500
    env = {
        **env,
        "SHORTLIST_WORKERS": "1",
        "SHORTLIST_CLAIM_LEASE_SECONDS": "4",
        "SHORTLIST_CANARY_SECONDS": "0",
        "SHORTLIST_RESCAN_SECONDS": "2",
    }
    for i in range(jobs):
        (settings.inbox / "jobs" / f"job{i}.txt").write_text(sample_job(i))
    for i in range(resumes):
        target = settings.inbox / "resumes" / (f"r{i}.docx" if i % 10 == 0 else f"r{i}.txt")
        target.write_bytes(make_docx(sample_resume(i).splitlines()) if i % 10 == 0 else sample_resume(i).encode())
    logs = [tmp_path / f"watcher{n}.log" for n in range(3)]
    procs = [start_watcher(env, log) for log in logs]
    kills = 0
    total = jobs + resumes
    try:
        # kill while files are being worked on: at random points between 5 % and 75 % of the way
        for share in sorted(rng.uniform(0.05, 0.75) for _ in range(6)):
            wait_for(
                lambda share=share: _count(settings, "SELECT count(*) FROM document") >= share * total,
                400,
                interval=0.1,
                message=f"{share:.0%} of the documents (logs: {tmp_path})",
            )
            victim = rng.randrange(3)
            procs[victim].send_signal(signal.SIGKILL)
            procs[victim].wait(10)
            kills += 1
            procs[victim] = start_watcher(env, logs[victim])
        wait_for(
            lambda: _count(settings, "SELECT count(*) FROM document") >= 0.8 * total,
            400,
            interval=0.1,
            message="80 % of the documents",
        )
        procs[0].send_signal(signal.SIGKILL)  # not restarted: the other two take its files once its leases pass
        procs[0].wait(10)
        kills += 1
        held = _count(settings, "SELECT count(*) FROM claim")
        wait_for(
            lambda: _count(settings, "SELECT count(*) FROM document") == total,
            400,
            message=f"{total} documents (logs: {tmp_path})",
        )
        wait_for(lambda: not _inbox_files(settings), 60, message="an empty inbox")
        wait_for(lambda: _count(settings, "SELECT count(*) FROM claim") == 0, 30, message="no claim left")
    finally:
        for proc in procs:
            _stop(proc)
    assert kills == 7
    print(f"claims held when the last watcher was killed: {held}")
    assert _count(settings, "SELECT count(DISTINCT sha256) FROM document") == total
    assert _count(settings, "SELECT count(*) FROM event WHERE kind = 'document.scored'") == total
    assert db_rows(
        settings,
        "SELECT count(*) FROM (SELECT sha256 FROM event WHERE kind = 'document.scored' "
        "GROUP BY sha256 HAVING count(*) > 1) AS twice",
    ) == [(0,)]
    assert _count(settings, "SELECT count(*) FROM candidate") == resumes
    assert _count(settings, "SELECT count(*) FROM match") == jobs * resumes
    assert _count(settings, "SELECT count(*) FROM failure") == 0
    assert _count(settings, "SELECT count(*) FROM attempt") == 0
    archived = {p.stem for p in settings.files_dir.iterdir() if not p.name.startswith(".")}
    assert archived == {r[0] for r in db_rows(settings, "SELECT sha256 FROM document")}
