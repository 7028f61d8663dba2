"""Real supervisord from the repo's supervisord.conf running the real web and watcher: crashed, hung
and FATAL programs come back, and Ctrl-C on `make run` leaves nothing behind.

Each recovery test measures and prints how long it took (run with -s to see the figures). The last
tests drive the autoheal listener's decisions with a fake supervisord and a fake clock.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

import pytest
from supervisor.xmlrpc import SupervisorTransport

from tests.instance import ROOT, free_port, wait_for

BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("supervisor")]  # one worker starts `sup`, once


class Supervisor:
    """One supervisord with its own store, inbox and ports, driven over its XML-RPC socket."""

    def __init__(self, conf: Path, home: Path, argv: list[str] | None = None, **settings: str) -> None:
        self.home = home
        self.store = home / "store"
        self.port, self.metrics_port, self.prom_port = free_port(), free_port(), free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
        self.env.update(
            SHORTLIST_HOME=str(home),
            SHORTLIST_SKILLS=str(ROOT / "skills"),
            SHORTLIST_STORE=str(self.store),
            SHORTLIST_INBOX=str(home / "inbox"),
            SHORTLIST_HOST="127.0.0.1",
            SHORTLIST_PORT=str(self.port),
            SHORTLIST_METRICS_HOST="127.0.0.1",
            SHORTLIST_METRICS_PORT=str(self.metrics_port),
            SHORTLIST_PROMETHEUS_URL=f"http://127.0.0.1:{self.prom_port}",
            SHORTLIST_HEARTBEAT_SECONDS="1",
            SHORTLIST_RESCAN_SECONDS="5",
        )
        self.env.update({f"SHORTLIST_{name.upper()}": value for name, value in settings.items()})
        (self.store / "logs").mkdir(parents=True)
        for sub in ("resumes", "jobs", "failed"):
            (home / "inbox" / sub).mkdir(parents=True)
        argv = argv or [str(BIN / "supervisord"), "-n", "-c", str(conf)]
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for(self._answers, timeout=15, message="supervisord's socket")
        except BaseException:
            self.close()
            raise

    def call(self, method: str, *args):
        """One XML-RPC call on a fresh connection, closed after it (a transport is unusable after a failed request)."""
        transport = SupervisorTransport(None, None, f"unix://{self.store}/supervisor.sock")
        try:
            return getattr(xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor, method)(*args)
        finally:
            transport.close()

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"supervisord exited {self.proc.returncode}:\n{self.log('supervisord')}")
        try:
            return self.call("getState")["statename"] == "RUNNING"
        except OSError:
            return False

    def info(self, name: str) -> dict:
        return self.call("getProcessInfo", f"shortlist:{name}")

    def healthz(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def metrics(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def running(self, name: str, other_than: int = 0) -> int:
        info = self.info(name)
        return info["pid"] if info["statename"] == "RUNNING" and info["pid"] != other_than else 0

    def log(self, name: str) -> str:
        path = self.store / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def children(self) -> list[int]:
        found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in found.stdout.split()]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGCONT)
            except OSError:
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture(scope="module")
def sup():
    home = Path(tempfile.mkdtemp(prefix="sl-sup-"))  # short: a unix socket path must stay under 108 bytes
    supervisor = Supervisor(ROOT / "supervisord.conf", home)
    try:
        wait_for(lambda: supervisor.running("web") and supervisor.healthz(), timeout=30, message="web healthy")
        wait_for(lambda: supervisor.running("watcher") and supervisor.metrics(), timeout=30, message="watcher healthy")
        yield supervisor
    finally:
        supervisor.close()
        shutil.rmtree(home, ignore_errors=True)


# Liveness bounds, generous for a loaded machine: they catch a program that does not come back, not a slow one.
# The recovery objectives themselves (web back within 5 s, a hang healed within 30 s) are the chaos drills'
# checks (tests/chaos/test_chaos.py), and the figures measured here are printed.
BACK_WITHIN = 30.0
HEALED_WITHIN = 60.0


def report(what: str, seconds: float) -> None:
    print(f"\n[measured] {what}: {seconds:.1f} s")


def test_sigkill_web_is_back_within_seconds(sup):
    pid = wait_for(lambda: sup.running("web"), timeout=20, message="web running")
    start = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    wait_for(
        lambda: sup.info("web")["pid"] != pid and sup.healthz(),
        timeout=BACK_WITHIN,
        interval=0.05,
        message="web back after SIGKILL",
    )
    report("web answering /healthz again after SIGKILL", time.monotonic() - start)
    assert "exited: web (terminated by SIGKILL; not expected)" in sup.log("supervisord")


def _hang_and_wait(sup, name: str, healthy) -> tuple[float, float]:
    pid = wait_for(lambda: sup.running(name), timeout=20, message=f"{name} running")
    wait_for(healthy, timeout=20, message=f"{name} healthy")
    start = time.monotonic()
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_for(lambda: sup.info(name)["pid"] != pid, timeout=HEALED_WITHIN, interval=0.1, message=f"{name} restarted")
        detected = time.monotonic() - start
        wait_for(
            lambda: sup.info(name)["pid"] not in (0, pid) and healthy(),
            timeout=HEALED_WITHIN - detected,
            interval=0.1,
            message=f"{name} healthy after restart",
        )
        return detected, time.monotonic() - start
    finally:
        try:  # never leave a stopped process behind, whatever happened
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def test_sigstop_web_is_restarted_by_autoheal(sup):
    detected, recovered = _hang_and_wait(sup, "web", sup.healthz)
    report("web SIGSTOP detected and stopped", detected)
    report("web SIGSTOP to /healthz answering again", recovered)
    assert recovered < HEALED_WITHIN
    assert re.search(
        r"ACTION restart shortlist:web pid=\d+ reason=hang: healthz: GET \S+ timed out", sup.log("autoheal")
    ), sup.log("autoheal")


def test_sigstop_watcher_is_restarted_by_autoheal(sup):
    detected, recovered = _hang_and_wait(sup, "watcher", sup.metrics)
    report("watcher SIGSTOP detected and stopped", detected)
    report("watcher SIGSTOP to /metrics answering again", recovered)
    assert recovered < HEALED_WITHIN
    assert re.search(r"ACTION restart shortlist:watcher pid=\d+ reason=hang", sup.log("autoheal"))


def test_fatal_web_is_brought_back_after_backoff(sup):
    sup.call("stopProcess", "shortlist:web", True)
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT, not past a listener
    blocker.bind(("127.0.0.1", sup.port))  # the web cannot bind its port: it fails fast, again and again
    blocker.listen()
    start = time.monotonic()
    try:
        sup.call("startProcess", "shortlist:web", False)
        wait_for(lambda: sup.info("web")["statename"] == "FATAL", timeout=45, interval=0.1, message="web FATAL")
        fatal_after = time.monotonic() - start
    finally:
        blocker.close()
    fatal_at = time.monotonic()
    wait_for(lambda: sup.info("web")["pid"] and sup.healthz(), timeout=30, interval=0.1, message="web back from FATAL")
    report("web failing fast until FATAL", fatal_after)
    report("web FATAL to /healthz answering again", time.monotonic() - fatal_at)
    assert re.search(r"ACTION start shortlist:web: was FATAL", sup.log("autoheal"))
    counts = (sup.store / "logs" / "autoheal.prom").read_text()
    assert re.search(r'shortlist_autoheal_restarts_total\{process="web",reason="fatal"\} [1-9]', counts), counts


def test_prometheus_runs_under_supervisord(sup):
    assert shutil.which("prometheus"), "prometheus is not installed: apt-get install prometheus"
    assert (ROOT / "observability" / "prometheus.yml").exists(), "observability/prometheus.yml is missing"
    url = f"http://127.0.0.1:{sup.prom_port}/-/ready"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for(lambda: sup.running("prometheus") and ready(), timeout=30, message=f"prometheus ready on {url}")


def test_prometheus_launcher_without_the_binary_exits_once_with_a_hint(tmp_path, monkeypatch):
    from supervisor.options import ServerOptions
    from supervisor.datatypes import RestartWhenExitUnexpected

    (tmp_path / "store" / "logs").mkdir(parents=True)
    monkeypatch.setenv("SHORTLIST_STORE", str(tmp_path / "store"))
    options = ServerOptions()
    options.realize(["-c", str(ROOT / "supervisord.conf")])
    config = next(p for g in options.process_group_configs for p in g.process_configs if p.name == "prometheus")
    assert config.exitcodes == [3] and config.autorestart is RestartWhenExitUnexpected
    bin_dir = tmp_path / "bin"  # a PATH with what the launcher needs, and no prometheus
    bin_dir.mkdir()
    for tool in ("sh", "sleep", "mkdir"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    import shlex

    argv = shlex.split(config.command)
    started = time.monotonic()
    done = subprocess.run(argv, env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=20)
    assert done.returncode == 3
    assert "prometheus is not installed: apt-get install prometheus" in done.stderr
    assert time.monotonic() - started > config.startsecs  # it reaches RUNNING, so it is not retried to FATAL


def test_make_run_then_ctrl_c_stops_every_process():
    home = Path(tempfile.mkdtemp(prefix="sl-run-"))
    supervisor = Supervisor(ROOT / "supervisord.conf", home, ["make", "--no-print-directory", "run"])
    try:
        wait_for(lambda: supervisor.running("web") and supervisor.healthz(), timeout=30, message="web healthy")
        wait_for(lambda: supervisor.running("watcher") and supervisor.metrics(), timeout=30, message="watcher up")
        pids = {i["name"]: i["pid"] for i in supervisor.call("getAllProcessInfo") if i["pid"]}
        start = time.monotonic()
        os.killpg(supervisor.proc.pid, signal.SIGINT)  # what a terminal sends to its foreground job on Ctrl-C
        supervisor.proc.wait(timeout=30)
        report("make run stopped after Ctrl-C", time.monotonic() - start)

        def leftovers() -> list[str]:  # a program's workers may take a moment longer than the program
            alive = []
            for name, pid in pids.items():
                try:
                    os.killpg(pid, 0)
                    alive.append(name)
                except ProcessLookupError:
                    pass
            return alive

        try:
            wait_for(lambda: not leftovers(), timeout=15, interval=0.1, message="every process group gone")
        except AssertionError:
            raise AssertionError(f"still running 15 s after Ctrl-C: {leftovers()}") from None
        assert "received SIGINT indicating exit request" in supervisor.log("supervisord")
        assert not (supervisor.store / "supervisor.sock").exists()
    finally:
        supervisor.close()
        shutil.rmtree(home, ignore_errors=True)


# The listener's decisions, driven with a fake supervisord and a fake clock -------------------


class FakeSupervisor:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.processes: dict[str, dict] = {}

    def getAllProcessInfo(self):
        return list(self.processes.values())

    def stopProcess(self, name, wait):
        self.calls.append(("stop", name))
        return True

    def startProcess(self, name, wait):
        self.calls.append(("start", name))
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def healer():
    from types import SimpleNamespace
    from observability.autoheal import Healer, Program

    clock, fake = Clock(), FakeSupervisor()
    verdicts = {"web": None}
    programs = {"web": Program("web", [("healthz", lambda: verdicts["web"], False)])}
    h = Healer(
        SimpleNamespace(supervisor=fake),
        programs,
        failures=2,
        grace=5,
        fatal_backoff=5,
        fatal_backoff_max=300,
        fatal_reset=60,
        textfile=None,
        clock=clock,
    )
    h.fake, h.clock_, h.verdicts = fake, clock, verdicts
    h.killpg = lambda pid, sig: fake.calls.append(("signal", f"{pid}:{sig.name}"))
    fake.processes["web"] = {
        "name": "web",
        "group": "shortlist",
        "statename": "RUNNING",
        "pid": 42,
        "start": clock.now - 100,
    }
    yield h
    h.pool.shutdown()


def _tick(h, seconds=5.0):
    h.clock_.now += seconds
    h.handle({"eventname": "TICK_5"}, f"when:{int(h.clock_.now)}")


def _state(h, state, pid=0):
    h.fake.processes["web"]["statename"] = state
    h.handle(
        {"eventname": f"PROCESS_STATE_{state}"}, f"processname:web groupname:shortlist from_state:RUNNING pid:{pid}"
    )


def test_listener_restarts_after_two_failed_probes_and_starts_once_stopped(healer):
    healer.verdicts["web"] = "GET /healthz timed out after 2s"
    _tick(healer)
    assert healer.fake.calls == []  # one failure is not a hang
    _tick(healer)
    assert healer.fake.calls == [("stop", "shortlist:web"), ("signal", "42:SIGCONT")]
    _state(healer, "STOPPING")
    _state(healer, "STOPPED")
    assert healer.fake.calls[-1] == ("start", "shortlist:web") and len(healer.fake.calls) == 3
    assert healer.restarts == {("web", "hang"): 1}


def test_listener_forgets_a_failure_when_the_probe_passes_and_ignores_young_processes(healer):
    healer.verdicts["web"] = "refused"
    _tick(healer)
    healer.verdicts["web"] = None
    _tick(healer)
    healer.verdicts["web"] = "refused"
    _tick(healer)
    assert healer.fake.calls == []
    healer.fake.processes["web"].update(start=healer.clock_.now + 5 - 3, pid=43)  # 3 s old at the next tick
    _tick(healer)
    _tick(healer, 1)
    assert healer.fake.calls == []


def test_listener_leaves_a_program_stopped_by_hand_alone(healer):
    _state(healer, "STOPPED")
    _tick(healer)
    _tick(healer)
    assert healer.fake.calls == []


def test_listener_brings_fatal_back_after_a_doubling_backoff_that_resets(healer):
    _state(healer, "FATAL")
    _tick(healer, 4)
    assert healer.fake.calls == []
    _tick(healer, 2)  # 6 s after FATAL: past the first 5 s back-off
    assert healer.fake.calls == [("start", "shortlist:web")]
    _state(healer, "FATAL")
    _tick(healer, 6)
    assert len(healer.fake.calls) == 1  # the second back-off is 10 s
    _tick(healer, 5)
    assert len(healer.fake.calls) == 2
    healer.fake.processes["web"].update(statename="RUNNING", start=healer.clock_.now)
    _tick(healer, 61)
    _state(healer, "FATAL")
    _tick(healer, 6)
    assert len(healer.fake.calls) == 3  # a minute of RUNNING reset the streak: 5 s again
    assert healer.restarts == {("web", "fatal"): 3}


def test_listener_writes_its_restart_counts_as_prometheus_text(healer, tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    healer.metrics.textfile = tmp_path / "autoheal.prom"
    healer.verdicts["web"] = "refused"
    _tick(healer)
    _tick(healer)  # a hang: restarted
    _state(healer, "FATAL")
    _tick(healer, 6)  # FATAL, back-off over: started
    families = {f.name: f for f in text_string_to_metric_families(healer.metrics.textfile.read_text())}
    restarts = {
        (s.labels["process"], s.labels["reason"]): s.value
        for s in families["shortlist_autoheal_restarts"].samples
        if s.name.endswith("_total")
    }
    assert restarts == {("web", "hang"): 1.0, ("web", "fatal"): 1.0}
    assert families["shortlist_autoheal_restarts"].type == "counter"
    [last] = families["shortlist_autoheal_last_action_timestamp_seconds"].samples
    assert last.value == healer.clock_.now
    assert not list(tmp_path.glob("*.tmp*"))  # written through a temporary file renamed into place


def test_heartbeat_probe_reads_the_row_and_allows_a_fresh_start(tmp_path):
    from datetime import datetime, timedelta, timezone

    from store.db import make_engine, migrate, session_scope
    from store.models import Heartbeat
    from store.settings import load

    from observability.autoheal import heartbeat_probe
    from tests.instance import instance_env

    settings = load(instance_env(tmp_path))
    started = {"at": time.time() - 100}
    probe = heartbeat_probe(settings.database_url, "watcher", 15, lambda: started["at"])
    assert "no heartbeat from watcher" in probe()  # no database yet, and the process is old
    started["at"] = time.time() - 3
    assert probe() is None  # a young process has not had time to beat
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    started["at"] = time.time() - 100
    beat = datetime.now(timezone.utc) - timedelta(seconds=40)
    with session_scope(engine) as session:
        session.add(Heartbeat(process="watcher", pid=1, beat_at=beat, started_at=beat))
    assert re.fullmatch(r"heartbeat of watcher is 4\ds old \(limit 15s\)", probe())
    with session_scope(engine) as session:
        session.get(Heartbeat, "watcher").beat_at = datetime.now(timezone.utc)
    assert probe() is None
    engine.dispose()


def test_heartbeat_file_keeps_a_watcher_alive_while_the_database_is_locked(tmp_path):
    """The watcher touches a file on every beat; a stale row (the database was locked) is not a hang."""
    import os
    from datetime import datetime, timedelta, timezone

    from store.db import make_engine, migrate, session_scope
    from store.models import Heartbeat
    from store.settings import load

    from observability.autoheal import heartbeat_probe
    from tests.instance import instance_env

    settings = load(instance_env(tmp_path))
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    beat = datetime.now(timezone.utc) - timedelta(seconds=40)
    with session_scope(engine) as session:
        session.add(Heartbeat(process="watcher", pid=1, beat_at=beat, started_at=beat))
    beat_file = settings.store / "watcher.heartbeat"
    probe = heartbeat_probe(settings.database_url, "watcher", 15, lambda: time.time() - 100, beat_file)
    assert "4" in probe()  # the row is 40 s old and there is no file yet
    beat_file.touch()
    assert probe() is None
    old = time.time() - 30
    os.utime(beat_file, (old, old))
    assert re.fullmatch(r"heartbeat of watcher is 30s old \(limit 15s\)", probe())
    engine.dispose()
