"""Supervisord event listener that restarts hung processes and brings FATAL ones back after a back-off.

supervisord restarts a process that exits, but not one that is alive and stuck (a SIGSTOP, a
deadlock), and it gives up for good on a process that fails `startretries` times in a row (FATAL).
This listener covers both. On every TICK_5 it probes each RUNNING program:

- web: GET /healthz must answer 2xx within --timeout seconds;
- watcher: its /metrics must answer, and its heartbeat (the newer of its Heartbeat row and the file
  $SHORTLIST_STORE/watcher.heartbeat) must be fresher than --stale-after seconds (default: three
  heartbeat periods, at least 15 s);
- prometheus: GET /-/healthy, when it runs.

After --failures consecutive failed probes (a stale heartbeat counts at once) it restarts the
program through supervisor's XML-RPC interface: stopProcess (SIGTERM to the process group, SIGKILL
after the program's stopwaitsecs), SIGCONT so a stopped process can act on the SIGTERM, and
startProcess once supervisord reports it STOPPED. A program that turns FATAL is started again after
a back-off that doubles on each FATAL in a row (--fatal-backoff up to --fatal-backoff-max).

Every action is logged to stderr with its reason, and restart counts are written in Prometheus
text format to $SHORTLIST_STORE/logs/autoheal.prom (client_python's textfile writer, for node_exporter's
textfile collector or to read by eye).

Run by supervisord as `python -m observability.autoheal` from an [eventlistener] section with
events=PROCESS_STATE,TICK_5; stdout belongs to the listener protocol, so nothing else writes there.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Callable, Optional

from prometheus_client import CollectorRegistry, Counter, Gauge, write_to_textfile
from supervisor import childutils

from store import settings as settings_module

log = logging.getLogger("autoheal")

Probe = Callable[[], Optional[str]]  # returns None when healthy, else a reason a person can read


@dataclass
class Program:
    """What the listener knows about one supervised program."""

    name: str
    probes: list[tuple[str, Probe, bool]] = field(default_factory=list)  # (label, probe, counts at once)
    failures: int = 0
    pid: int = 0
    restarting: bool = False  # we asked supervisord to stop it and must start it again
    restart_asked_at: float = 0.0
    fatal_streak: int = 0
    fatal_due: Optional[float] = None


def http_probe(url: str, timeout: float) -> Probe:
    def probe() -> Optional[str]:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read(1024)
                if 200 <= response.status < 300:
                    return None
                return f"GET {url} answered {response.status}"
        except urllib.error.HTTPError as exc:
            return f"GET {url} answered {exc.code}"
        except (TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                return f"GET {url} timed out after {timeout:g}s"
            return f"GET {url} failed: {reason}"

    return probe


def heartbeat_probe(
    database_url: str, process: str, stale_after: float, started: Callable[[], float], beat_file: Optional[Path] = None
) -> Probe:
    """Stale when none of the Heartbeat row, the heartbeat file and the process start is newer than
    stale_after seconds (the file beats even while another writer holds the database lock)."""
    engine = None

    def file_beat() -> Optional[float]:
        try:
            return beat_file.stat().st_mtime if beat_file else None
        except OSError:
            return None

    def latest_beat() -> Optional[float]:
        nonlocal engine
        from sqlalchemy.exc import SQLAlchemyError
        from sqlmodel import Session, select

        from store.db import is_sqlite, read_engine
        from store.models import Heartbeat

        if is_sqlite(database_url):
            path = database_url.split("///", 1)[-1]
            if not path or not Path(path).exists():
                return None  # nothing written yet; never create the file from here
        if engine is None:
            engine = read_engine(database_url)
        try:
            with Session(engine) as session:
                row = session.exec(select(Heartbeat).where(Heartbeat.process == process)).first()
        except SQLAlchemyError as exc:
            log.debug("heartbeat of %s unreadable: %s", process, exc)
            return None
        if row is None:
            return None
        beat = row.beat_at
        return (beat.replace(tzinfo=timezone.utc) if beat.tzinfo is None else beat).timestamp()

    def probe() -> Optional[str]:
        now = time.time()
        beats = [b for b in (latest_beat(), file_beat()) if b is not None]
        beat = max(beats) if beats else None
        evidence = max(beat or 0.0, started())
        age = now - evidence
        if age <= stale_after:
            return None
        if beat is None:
            return f"no heartbeat from {process} in the {age:.0f}s since it started (limit {stale_after:g}s)"
        return f"heartbeat of {process} is {now - beat:.0f}s old (limit {stale_after:g}s)"

    return probe


class AutohealMetrics:
    """The listener's restart counts, in their own registry, written to a text file after every action."""

    def __init__(self, textfile: Optional[Path]) -> None:
        self.textfile = textfile
        self.registry = CollectorRegistry()
        self.restarts = Counter(
            "shortlist_autoheal_restarts_total",
            "Programs restarted by the autoheal listener.",
            ["process", "reason"],
            registry=self.registry,
        )
        self.last_action = Gauge(
            "shortlist_autoheal_last_action_timestamp_seconds", "When autoheal last acted.", registry=self.registry
        )

    def counts(self) -> dict[tuple[str, str], int]:
        """Restarts so far by (process, reason)."""
        return {
            (s.labels["process"], s.labels["reason"]): int(s.value)
            for metric in self.restarts.collect()
            for s in metric.samples
            if s.name.endswith("_total")
        }

    def acted(self, process: str, reason: str, when: float) -> None:
        self.restarts.labels(process, reason).inc()
        self.last_action.set(when)
        if self.textfile is None:
            return
        try:
            write_to_textfile(str(self.textfile), self.registry)  # a temporary file renamed into place
        except OSError as exc:
            log.error("cannot write %s: %s", self.textfile, exc)


class Healer:
    """Turns supervisord events into restarts; one instance per listener process."""

    def __init__(
        self,
        rpc,
        programs: dict[str, Program],
        *,
        failures: int,
        grace: float,
        fatal_backoff: float,
        fatal_backoff_max: float,
        fatal_reset: float,
        textfile: Optional[Path],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rpc = rpc
        self.programs = programs
        self.failures = failures
        self.grace = grace
        self.fatal_backoff = fatal_backoff
        self.fatal_backoff_max = fatal_backoff_max
        self.fatal_reset = fatal_reset
        self.metrics = AutohealMetrics(textfile)
        self.clock = clock
        self.killpg = os.killpg
        self.info: dict[str, dict] = {}
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="probe")

    # events ---------------------------------------------------------------------------------

    def handle(self, headers: dict[str, str], payload: str) -> None:
        event = headers["eventname"]
        if event.startswith("TICK"):
            self.tick()
        elif event.startswith("PROCESS_STATE_"):
            fields = childutils.get_headers(payload.split("\n", 1)[0])
            self.state_changed(event[len("PROCESS_STATE_") :], fields)

    def state_changed(self, state: str, fields: dict[str, str]) -> None:
        program = self.programs.setdefault(fields["processname"], Program(fields["processname"]))
        namespec = self._namespec(fields["groupname"], fields["processname"])
        if state == "FATAL":
            self._schedule_fatal(program, namespec)
        elif state == "STOPPED" and program.restarting:
            self._start(program, namespec, "stopped after hang, starting it again")
        elif state == "RUNNING":
            program.failures = 0
            program.pid = int(fields.get("pid", 0) or 0)

    def tick(self) -> None:
        now = self.clock()
        self.info = {self._namespec(i["group"], i["name"]): i for i in self.rpc.supervisor.getAllProcessInfo()}
        due = []
        for namespec, info in self.info.items():
            program = self.programs.setdefault(info["name"], Program(info["name"]))
            state = info["statename"]
            if state == "FATAL":
                if program.fatal_due is None:
                    self._schedule_fatal(program, namespec)
                elif now >= program.fatal_due:
                    program.fatal_due = None
                    self._count(program.name, "fatal")
                    self._start(program, namespec, f"was FATAL (streak {program.fatal_streak}), back-off over")
                continue
            program.fatal_due = None
            if program.restarting:
                if state == "STOPPED":
                    self._start(program, namespec, "stopped after hang, starting it again")
                elif state in ("RUNNING", "STARTING") and now - program.restart_asked_at > 5:
                    program.restarting = False  # somebody else started it
                continue
            if state != "RUNNING":
                program.failures = 0
                continue
            if program.fatal_streak and now - info["start"] >= self.fatal_reset:
                program.fatal_streak = 0
            if info["pid"] != program.pid:
                program.pid, program.failures = info["pid"], 0
            if program.probes and now - info["start"] >= self.grace:
                due.append((namespec, program))
        results = [
            (ns, p, [(label, self.pool.submit(probe), at_once) for label, probe, at_once in p.probes]) for ns, p in due
        ]
        for namespec, program, futures in results:
            problems = [(label, f.result(), at_once) for label, f, at_once in futures]
            failed = [(label, reason, at_once) for label, reason, at_once in problems if reason]
            if not failed:
                if program.failures:
                    log.info("%s answers again after %d failed probe(s)", namespec, program.failures)
                program.failures = 0
                continue
            program.failures += 1
            reasons = "; ".join(f"{label}: {reason}" for label, reason, _ in failed)
            if program.failures >= self.failures or any(at_once for *_, at_once in failed):
                self._restart_hung(program, namespec, f"{reasons} ({program.failures} probe(s) in a row)")
            else:
                log.warning("%s probe failed %d/%d: %s", namespec, program.failures, self.failures, reasons)

    # actions --------------------------------------------------------------------------------

    def _restart_hung(self, program: Program, namespec: str, reason: str) -> None:
        pid = self.info.get(namespec, {}).get("pid", program.pid)
        log.warning("ACTION restart %s pid=%s reason=hang: %s", namespec, pid, reason)
        program.failures = 0
        program.restarting = True
        program.restart_asked_at = self.clock()
        self._count(program.name, "hang")
        try:
            self.rpc.supervisor.stopProcess(namespec, False)
        except xmlrpc.client.Fault as fault:
            log.error("stopProcess %s refused: %s", namespec, fault.faultString)
            program.restarting = False
            return
        if pid:
            try:  # a stopped process acts on the pending SIGTERM only once continued
                self.killpg(pid, signal.SIGCONT)
            except OSError:
                pass

    def _start(self, program: Program, namespec: str, reason: str) -> None:
        program.restarting = False
        log.warning("ACTION start %s: %s", namespec, reason)
        try:
            self.rpc.supervisor.startProcess(namespec, False)
        except xmlrpc.client.Fault as fault:
            log.error("startProcess %s refused: %s", namespec, fault.faultString)

    def _schedule_fatal(self, program: Program, namespec: str) -> None:
        if program.fatal_due is not None:
            return
        delay = min(self.fatal_backoff * 2**program.fatal_streak, self.fatal_backoff_max)
        program.fatal_streak += 1
        program.fatal_due = self.clock() + delay
        log.warning("%s is FATAL (streak %d): starting it again in %gs", namespec, program.fatal_streak, delay)

    @property
    def restarts(self) -> dict[tuple[str, str], int]:
        return self.metrics.counts()

    def _count(self, name: str, reason: str) -> None:
        self.metrics.acted(name, reason, self.clock())
        log.info("restarts %s", " ".join(f"{n}/{r}={c}" for (n, r), c in sorted(self.restarts.items())))

    @staticmethod
    def _namespec(group: str, name: str) -> str:
        return name if group == name else f"{group}:{name}"


def build_programs(args: argparse.Namespace, info: Callable[[str], dict]) -> dict[str, Program]:
    conf = settings_module.load()
    loopback = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
    web_host = loopback.get(conf.host, conf.host)
    programs = {
        args.web: Program(
            args.web, [("healthz", http_probe(f"http://{web_host}:{conf.port}/healthz", args.timeout), False)]
        ),
        args.watcher: Program(args.watcher),
        args.prometheus: Program(
            args.prometheus,
            [("healthy", http_probe(conf.prometheus_url.rstrip("/") + "/-/healthy", args.timeout), False)],
        ),
    }
    if conf.metrics_port:
        metrics_host = loopback.get(conf.metrics_host, conf.metrics_host)
        programs[args.watcher].probes.append(
            ("metrics", http_probe(f"http://{metrics_host}:{conf.metrics_port}/metrics", args.timeout), False)
        )
    stale_after = args.stale_after or max(3 * conf.heartbeat_seconds, 15.0)
    programs[args.watcher].probes.append(
        (
            "heartbeat",
            heartbeat_probe(
                conf.database_url,
                "watcher",
                stale_after,
                lambda: float(info(args.watcher).get("start", 0)),
                conf.store / "watcher.heartbeat",
            ),
            True,
        )
    )
    return programs


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m observability.autoheal", description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds an HTTP probe may take")
    parser.add_argument("--failures", type=int, default=2, help="failed probes in a row before a restart")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds after a start before probes count")
    parser.add_argument(
        "--stale-after",
        type=float,
        default=0.0,
        help="heartbeat age that means hung (default: 3 heartbeat periods, at least 15 s)",
    )
    parser.add_argument("--fatal-backoff", type=float, default=5.0, help="first wait before starting a FATAL program")
    parser.add_argument("--fatal-backoff-max", type=float, default=300.0, help="longest wait for a FATAL program")
    parser.add_argument(
        "--fatal-reset",
        type=float,
        default=60.0,
        help="seconds RUNNING after which a program's FATAL streak is forgotten",
    )
    parser.add_argument("--web", default="web")
    parser.add_argument("--watcher", default="watcher")
    parser.add_argument("--prometheus", default="prometheus")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s autoheal %(levelname)s %(message)s")
    if "SUPERVISOR_SERVER_URL" not in os.environ:
        raise SystemExit("autoheal is a supervisord event listener: run it from supervisord.conf")
    rpc = childutils.getRPCInterface(os.environ)
    store = os.environ.get("SHORTLIST_STORE")
    healer: Healer

    def info(name: str) -> dict:
        return next((i for i in healer.info.values() if i["name"] == name), {})

    healer = Healer(
        rpc,
        build_programs(args, info),
        failures=args.failures,
        grace=args.grace,
        fatal_backoff=args.fatal_backoff,
        fatal_backoff_max=args.fatal_backoff_max,
        fatal_reset=args.fatal_reset,
        textfile=Path(store) / "logs" / "autoheal.prom" if store else None,
    )
    log.info(
        "watching %s (probe timeout %gs, %d failures, grace %gs)",
        ", ".join(p.name for p in healer.programs.values()),
        args.timeout,
        args.failures,
        args.grace,
    )
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        try:
            healer.handle(headers, payload)
        except Exception:  # one bad event must not kill the listener
            log.exception("while handling %s", headers.get("eventname"))
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
