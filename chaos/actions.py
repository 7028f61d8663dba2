"""Chaos Toolkit actions for Shortlist's drills: load, process faults, waits and checks, recorded into the Drill.

Documents are dropped and verified by chaos/files.py, the database lock lives in chaos/dblock.py
and the slow network in chaos/slownet.py.

Each function is called by an experiment in chaos/experiments/ as a `python` provider. A fault
registers its undo with the drill *before* it is injected, so the control can play it whatever
happens; the experiments also list it under `rollbacks`. Every wait is bounded.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from chaos import corpus
from chaos.deployment import Deployment, alive, wait_until
from chaos.drill import Drill, current
from chaos.load import Load, summarize

log = logging.getLogger("shortlist.chaos")
JOB_NAME = "chaos-drill-job.txt"


def _drill() -> tuple[Drill, Deployment]:
    drill = current()
    return drill, drill.deployment


def _run_id(drill: Drill) -> str:
    if "run_id" not in drill.files:
        drill.files["run_id"] = uuid.uuid4().hex[:8]
    return drill.files["run_id"]


# -- the ranking page needs a job -------------------------------------------------------------------


def prepare_job(within: float = 60.0) -> int:
    """Drop the drills' job description (the same bytes every time) and return its job id once it is scored."""
    drill, dep = _drill()
    identity = "file:" + Path(JOB_NAME).stem

    def job_id() -> int:
        rows = dep.query("SELECT id FROM job WHERE identity = ?", (identity,))
        return rows[0][0] if rows else 0

    if not job_id():
        corpus.write(corpus.Doc(JOB_NAME, corpus.job_text("drill").encode(), kind="job"), dep.settings.inbox)
    found = wait_until(job_id, within, 0.2)
    if not found:
        raise RuntimeError(f"the drills' job description was not scored within {within:g} s")
    drill.files["job_id"] = found
    return int(found)


# -- load ---------------------------------------------------------------------------------------------


def _urls(dep: Deployment, drill: Drill, pages: list[str]) -> list[str]:
    urls = []
    for page in pages:
        if page == "ranking":
            page = f"/jobs/{drill.files.get('job_id') or prepare_job()}"
        urls.append(dep.url(page))
    return urls


def start_load(
    name: str = "steady",
    rate: float = 5.0,
    factor: float = 1.0,
    pages: list[str] | None = None,
    timeout: float = 2.0,
    duration: float = 120.0,
) -> dict:
    """Send `rate` x `factor` GETs a second to `pages` in turn ("ranking" is the drills' job's ranking page)."""
    drill, dep = _drill()
    load = Load(_urls(dep, drill, pages or ["ranking", "/jobs"]), rate * factor, duration, timeout, origin=drill.t0)
    drill.loads[name] = load
    drill.on_rollback(f"stop load {name}", lambda: _stop(drill, name))
    load.start()
    drill.mark(f"load {name} started")
    return {"rate": rate * factor, "urls": load.urls}


def _stop(drill: Drill, name: str) -> dict:
    load = drill.loads.pop(name, None)
    if load is None:
        return drill.load_stats.get(name, {})
    samples = load.stop()
    stats = summarize(samples)
    stats.update(
        rate=load.rate,
        started_at=round(load.started, 3),
        stopped_at=round(load.stopped, 3),
        urls=[u.replace(drill.deployment.base_url, "") for u in load.urls],
    )
    drill.load_stats[name] = stats
    drill.files.setdefault("samples", {})[name] = [asdict(s) for s in samples]
    drill.mark(f"load {name} stopped")
    return stats


def stop_load(name: str = "steady") -> dict:
    drill, _ = _drill()
    drill.rollback_label(f"stop load {name}")
    return drill.load_stats.get(name, {})


def run_load(
    name: str = "spike",
    rate: float = 5.0,
    factor: float = 1.0,
    seconds: float = 30.0,
    pages: list[str] | None = None,
    timeout: float = 5.0,
) -> dict:
    """A load for a fixed time, in the foreground; also watches the web's CPU while it runs."""
    drill, dep = _drill()
    pid = dep.pid("web")
    cpu_before = _cpu_seconds(pid)
    drill.mark("fault")
    start_load(name, rate, factor, pages, timeout, duration=seconds)
    time.sleep(seconds)
    stats = stop_load(name)
    drill.mark("fault ended")
    if pid and dep.pid("web") == pid and cpu_before is not None:
        used = (_cpu_seconds(pid) or cpu_before) - cpu_before
        drill.measure(web_cpu_cores_used=round(used / seconds, 3))
    return stats


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# -- faults -------------------------------------------------------------------------------------------


def _ensure_running(dep: Deployment, program: str, within: float = 60.0) -> None:
    for pid in (dep.info(program)["pid"],):
        if pid:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
    dep.start(program)
    if not wait_until(lambda: dep.running_pid(program), within, 0.2):
        raise RuntimeError(f"{program} is not RUNNING {within:g} s after the rollback asked for it")


def ensure_running(program: str = "web", within: float = 60.0) -> dict:
    """Rollback: SIGCONT the program and start it if supervisord does not run it; wait until it is RUNNING."""
    _, dep = _drill()
    _ensure_running(dep, program, within)
    return dep.info(program)


def resume_stopped() -> dict:
    """Rollback: SIGCONT every process this drill stopped (and start its program again if needed)."""
    drill, _ = _drill()
    return {"resumed": drill.rollback_label("SIGCONT ", prefix=True)}


def kill_program(program: str = "web", sig: str = "SIGKILL") -> dict:
    """Send `sig` to the program's process, as supervisord knows it."""
    drill, dep = _drill()
    pid = dep.running_pid(program)
    if not pid:
        raise RuntimeError(f"{program} is not RUNNING: {dep.info(program)['statename']}")
    drill.on_rollback(f"{program} running", lambda: _ensure_running(dep, program))
    drill.measure(**{f"{program}_pid_before": pid})
    drill.files.setdefault("victims", []).append((program, pid))
    os.kill(pid, getattr(signal, sig))
    drill.mark("fault")
    return {"program": program, "pid": pid, "signal": sig}


def hang_program(program: str = "web") -> dict:
    """SIGSTOP the program: alive, holding its port, answering nothing. The undo sends SIGCONT."""
    drill, dep = _drill()
    pid = dep.running_pid(program)
    if not pid:
        raise RuntimeError(f"{program} is not RUNNING: {dep.info(program)['statename']}")

    def resume() -> None:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        _ensure_running(dep, program)

    drill.on_rollback(f"SIGCONT {program} pid {pid}", resume)
    drill.files.setdefault("stopped_pids", []).append(pid)
    drill.files.setdefault("victims", []).append((program, pid))
    drill.measure(**{f"{program}_pid_before": pid})
    os.kill(pid, signal.SIGSTOP)
    drill.mark("fault")
    return {"program": program, "pid": pid, "signal": "SIGSTOP"}


def await_recovery(program: str = "web", within: float = 5.0, limit: float = 60.0) -> dict:
    """Wait (at most `limit` s) for supervisord to notice and the program to answer again from a new process.

    Detected: supervisord no longer reports the old pid RUNNING. Recovered: a new pid answers (web: /readyz
    200; watcher: /metrics), which it may do while supervisord still calls it STARTING (until startsecs).
    Checks recovery within `within` seconds of the fault."""
    drill, dep = _drill()
    old = drill.measures.get(f"{program}_pid_before", 0)
    fault = drill.marks.get("fault", drill.now())
    answers = dep.ready if program == "web" else dep.watcher_answers
    detected = recovered = None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        info = dep.info(program)
        if detected is None and (info["pid"] != old or info["statename"] != "RUNNING"):
            detected = drill.mark("detected")
        if (
            detected is not None
            and info["statename"] in ("STARTING", "RUNNING")
            and info["pid"] not in (0, old)
            and answers(timeout=0.5)
        ):
            recovered = drill.mark("recovered")
            break
        time.sleep(0.05)
    ttd = None if detected is None else round(detected - fault, 3)
    ttr = None if recovered is None else round(recovered - fault, 3)
    drill.measure(time_to_detect_s=ttd, time_to_recover_s=ttr, new_pid=dep.info(program)["pid"])
    drill.check(
        f"{program} restarted and answering within {within:g} s",
        ttr is not None and ttr < within,
        ttr,
        f"< {within:g} s",
        "" if ttr is not None else f"not recovered after {limit:g} s",
    )
    return {"time_to_detect_s": ttd, "time_to_recover_s": ttr}


def autoheal_acted(program: str = "web") -> bool:
    """Whether the autoheal listener logged a restart of the program for a hang since the drill began."""
    drill, dep = _drill()
    text = dep.log_since("autoheal", drill.files.get("autoheal_log_offset", 0))
    lines = [line for line in text.splitlines() if f"ACTION restart shortlist:{program}" in line]
    drill.measure(autoheal_log=lines[-1].split("ACTION", 1)[-1].strip() if lines else "")
    return drill.check(
        f"autoheal listener restarted {program} for a hang",
        bool(lines),
        len(lines),
        ">= 1",
        lines[-1][:200] if lines else "no ACTION line in autoheal.log",
    )


def _noticed(dep, program: str, pid: int, states: set) -> float | None:
    """When (drill time) supervisord saw the killed `pid` go, noting the states it passed; None after 2 s."""
    drill, _ = _drill()
    for _ in range(40):
        info = dep.info(program)
        states.add(info["statename"])
        if info["pid"] != pid or info["statename"] != "RUNNING":
            return drill.now()
        time.sleep(0.05)
    return None


def kill_repeatedly(
    program: str = "watcher", every: list[float] | None = None, kills: int = 10, limit: float = 120.0
) -> dict:
    """SIGKILL the program every 1-2 s of its life (`every`: [low, high] seconds after each new process
    appears), `kills` times; a process supervisord is still backing off from is waited for (at most `limit`).

    Time to detect is the slowest kill-to-supervisord-noticing; time to recover runs from the last kill
    to a new process answering."""
    drill, dep = _drill()
    low, high = every or [1.0, 2.0]
    rng = random.Random(_run_id(drill))
    drill.on_rollback(f"{program} running", lambda: _ensure_running(dep, program, 120.0))
    done, states, workers, detections = 0, set(), set(), []
    deadline = time.monotonic() + limit
    last = 0
    while done < kills and time.monotonic() < deadline:
        pid = wait_until(
            lambda: (dep.info(program)["pid"] not in (0, last)) and dep.info(program)["pid"],
            max(0.1, deadline - time.monotonic()),
            0.05,
        )
        states.add(dep.info(program)["statename"])
        if not pid:
            break
        time.sleep(rng.uniform(low, high))
        workers.update(dep.children(pid))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        done += 1
        last = pid
        killed_at = drill.mark("fault" if done == 1 else "last fault")
        detected = _noticed(dep, program, pid, states)
        if detected is not None:
            detections.append(detected - killed_at)
    drill.files["killed_workers"] = sorted(workers)
    answers = dep.watcher_answers if program == "watcher" else dep.ready
    recovered = wait_until(
        lambda: dep.info(program)["pid"] not in (0, last) and answers(0.5), max(0.0, deadline - time.monotonic()), 0.1
    )
    if recovered:
        drill.mark("recovered")
    drill.measure(
        kills=done,
        states_seen=sorted(states),
        time_to_detect_s=round(max(detections), 3) if detections else None,
        time_to_recover_s=drill.between("last fault" if done > 1 else "fault", "recovered"),
    )
    if "FATAL" in states:
        drill.note(
            f"{program} went FATAL (killed before startsecs too often); the autoheal listener brought it "
            "back after its back-off"
        )
    if done < kills:
        drill.error(f"only {done} of {kills} kills happened within {limit:g} s")
    return {"kills": done, "states_seen": sorted(states)}


def orphans_gone(within: float = 15.0) -> bool:
    """The parse workers of killed watcher processes exit by themselves (their pipe to the parent closes)."""
    drill, _ = _drill()
    pids = drill.files.get("killed_workers", [])
    wait_until(lambda: not [p for p in pids if alive(p)], within, 0.2)
    left = [p for p in pids if alive(p)]
    return drill.check(
        "workers of killed processes exited",
        not left,
        len(left),
        0,
        f"{len(pids)} worker processes belonged to killed watchers" + (f"; still alive: {left[:10]}" if left else ""),
    )


# -- watching a process that must stay up ----------------------------------------------------------


def watch_program(program: str = "watcher", probe_every: float = 0.5) -> dict:
    """Note every pid change, non-RUNNING state and failed probe of the program until `stop_watching`."""
    drill, dep = _drill()
    stop = threading.Event()
    seen = {"pids": [dep.info(program)["pid"]], "states": set(), "failed_probes": 0, "probes": 0}
    answers = dep.ready if program == "web" else dep.watcher_answers

    def run() -> None:
        while not stop.wait(probe_every):
            info = dep.info(program)
            seen["states"].add(info["statename"])
            if info["pid"] != seen["pids"][-1]:
                seen["pids"].append(info["pid"])
            seen["probes"] += 1
            if not answers(timeout=2.0):
                seen["failed_probes"] += 1

    thread = threading.Thread(target=run, name=f"watch-{program}", daemon=True)
    thread.start()
    drill.files[f"watch_{program}"] = (stop, thread, seen)
    drill.on_rollback(f"stop watching {program}", stop.set)
    return {"pid": seen["pids"][0]}


def stop_watching(program: str = "watcher", must_stay_up: bool = True) -> dict:
    drill, _ = _drill()
    stop, thread, seen = drill.files[f"watch_{program}"]
    stop.set()
    thread.join(5)
    drill.rollback_label(f"stop watching {program}")
    result = {
        "pids": seen["pids"],
        "states": sorted(seen["states"]),
        "probes": seen["probes"],
        "failed_probes": seen["failed_probes"],
    }
    drill.measure(**{f"{program}_watch": result})
    if must_stay_up:
        drill.check(
            f"{program} never down (same pid, RUNNING, answering)",
            len(seen["pids"]) == 1 and seen["states"] <= {"RUNNING"} and not seen["failed_probes"],
            f"{len(seen['pids']) - 1} restarts, {seen['failed_probes']}/{seen['probes']} probes failed",
            "0 restarts, 0 failed probes",
        )
    return result


# -- checks on the load --------------------------------------------------------------------------------


def check_requests(
    name: str = "steady",
    max_error_ratio: float | None = None,
    p95_under: float | None = None,
    errors_only_between: list[str] | None = None,
    slack: float = 2.0,
) -> dict:
    """Check a finished load: error ratio, p95, and that failures happened only between two marks
    (a request sent up to `slack` seconds before the first mark may fail with it)."""
    drill, _ = _drill()
    stats = drill.load_stats.get(name) or stop_load(name)
    if max_error_ratio is not None:
        missed = stats["error_ratio"] >= max_error_ratio
        drill.check(
            f"{name}: errors under {max_error_ratio:.0%}",
            not missed,
            f"{stats['failed']}/{stats['attempted']} ({stats['error_ratio']:.2%})",
            f"< {max_error_ratio:.0%}",
            f"missed by {stats['error_ratio'] - max_error_ratio:.2%}; failures: "
            + ", ".join(f"{k} {v}" for k, v in stats["failures_by_kind"].items())
            if missed
            else "",
        )
    if p95_under is not None:
        p95 = stats["p95_s"]
        drill.check(
            f"{name}: p95 latency under {p95_under:g} s",
            p95 is not None and p95 < p95_under,
            p95,
            f"< {p95_under:g} s",
            _why_slow(drill, stats, p95_under),
        )
    if errors_only_between:
        start, end = (drill.marks.get(m) for m in errors_only_between)
        samples = drill.files.get("samples", {}).get(name, [])
        outside = [
            s
            for s in samples
            if not (200 <= s["status"] < 400)
            and (start is None or end is None or not (start - slack <= s["at"] <= end + 0.5))
        ]
        drill.check(
            f"{name}: errors only between {errors_only_between[0]} and {errors_only_between[1]}",
            not outside and start is not None and end is not None,
            f"{len(outside)} outside",
            "0 outside",
            f"first outside at {outside[0]['at']:.2f} s" if outside else "",
        )
    return stats


def _why_slow(drill: Drill, stats: dict, bound: float) -> str:
    p95 = stats.get("p95_s")
    if p95 is None or p95 < bound:
        return ""
    cores = drill.measures.get("web_cpu_cores_used")
    why = f"missed by {p95 - bound:.2f} s ({p95 / bound:.1f}x the bound)"
    if cores is not None:
        why += (
            f"; the web used {cores:.2f} CPU cores: one uvicorn process is bound to one core, so requests "
            "queued once it was saturated"
            if cores > 0.85
            else f"; the web used {cores:.2f} CPU cores"
        )
    return why
