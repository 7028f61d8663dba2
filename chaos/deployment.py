"""The deployment a drill acts on: supervisord's programs, the web's URLs, the watcher's metrics, the database.

By default it is the one `make run` starts, found through the same SHORTLIST_* settings
(supervisord's socket is $SHORTLIST_STORE/supervisor.sock). `Sandbox` starts a throw-away one
from the repo's supervisord.conf in a temporary SHORTLIST_HOME on free ports, so drills and
tests never touch a user's data.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path
from typing import Callable

from prometheus_client.parser import text_string_to_metric_families

from store.settings import ROOT, Settings, load

LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
GROUP = "shortlist"


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.1) -> object:
    """The predicate's first truthy value, or None once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def http_status(url: str, timeout: float = 1.0) -> int:
    """The HTTP status of GET url, or 0 when nothing answered in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return 0


class Deployment:
    """Handles on one running Shortlist: programs, probes, metrics and rows."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load()
        self.socket = self.settings.store / "supervisor.sock"
        host = LOOPBACK.get(self.settings.host, self.settings.host)
        self.host, self.port = host, self.settings.port
        self.base_url = f"http://{host}:{self.settings.port}"
        metrics_host = LOOPBACK.get(self.settings.metrics_host, self.settings.metrics_host)
        self.watcher_metrics_url = (
            f"http://{metrics_host}:{self.settings.metrics_port}/metrics" if self.settings.metrics_port else ""
        )
        self.db_path = self.settings.database_url.split("///", 1)[-1]

    # -- supervisord

    def call(self, method: str, *args):
        """One call to supervisord's XML-RPC interface on a fresh connection, closed after it (a transport is
        unusable after one failed request)."""
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.socket}")
        try:
            return getattr(xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor, method)(*args)
        finally:
            transport.close()

    def supervised(self) -> bool:
        try:
            return self.call("getState")["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Error):
            return False

    def info(self, program: str) -> dict:
        try:
            return self.call("getProcessInfo", f"{GROUP}:{program}")
        except (OSError, xmlrpc.client.Error):
            return {"statename": "UNKNOWN", "pid": 0}

    def pid(self, program: str) -> int:
        info = self.info(program)
        return info["pid"] if info["statename"] in ("RUNNING", "STARTING") else 0

    def running_pid(self, program: str, other_than: int = 0) -> int:
        info = self.info(program)
        return info["pid"] if info["statename"] == "RUNNING" and info["pid"] not in (0, other_than) else 0

    def start(self, program: str) -> None:
        """Start a program that is not running (STOPPED, EXITED, FATAL); leave a running one alone."""
        if self.info(program)["statename"] in ("STOPPED", "EXITED", "FATAL", "BACKOFF"):
            try:
                self.call("startProcess", f"{GROUP}:{program}", False)
            except xmlrpc.client.Fault as exc:
                if "ALREADY_STARTED" not in exc.faultString:
                    raise

    def log_path(self, name: str) -> Path:
        return self.settings.store / "logs" / f"{name}.log"

    def log_size(self, name: str) -> int:
        path = self.log_path(name)
        return path.stat().st_size if path.exists() else 0

    def log_since(self, name: str, offset: int) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        with open(path, "rb") as handle:
            handle.seek(offset if offset <= path.stat().st_size else 0)
            return handle.read().decode(errors="replace")

    # -- probes

    def url(self, path: str) -> str:
        return self.base_url + path

    def ready(self, timeout: float = 1.0) -> bool:
        return http_status(self.url("/readyz"), timeout) == 200

    def healthy(self, timeout: float = 1.0) -> bool:
        return http_status(self.url("/healthz"), timeout) == 200

    def watcher_answers(self, timeout: float = 1.0) -> bool:
        return not self.watcher_metrics_url or http_status(self.watcher_metrics_url, timeout) == 200

    def metrics(self, url: str, timeout: float = 2.0) -> dict[tuple[str, tuple], float]:
        """Samples of a Prometheus text endpoint as {(name, sorted labels): value}; {} when it does not answer."""
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                text = response.read().decode()
        except (OSError, ValueError):
            return {}
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    def watcher_metrics(self) -> dict[tuple[str, tuple], float]:
        return self.metrics(self.watcher_metrics_url) if self.watcher_metrics_url else {}

    def web_metrics(self) -> dict[tuple[str, tuple], float]:
        return self.metrics(self.url("/metrics"))

    # -- the database, read directly (what an analyst would query)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if not Path(self.db_path).exists():
            return []
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def children(self, pid: int) -> list[int]:
        """Direct children of pid, from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
        return found


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sandbox:
    """supervisord with the repo's supervisord.conf in a temporary SHORTLIST_HOME on free loopback ports."""

    def __init__(self, home: Path | None = None, prometheus: bool = False, **settings: str) -> None:
        # a short path: supervisord's unix socket path must stay under 108 bytes
        self.home = Path(home) if home else Path(tempfile.mkdtemp(prefix="sl-chaos-"))
        self.store = self.home / "store"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
        # A copy of skills/ (with its canaries): a drill may edit the taxonomy without touching the repo's.
        shutil.copytree(ROOT / "skills", self.home / "skills", dirs_exist_ok=True)
        self.env.update(
            SHORTLIST_HOME=str(self.home),
            SHORTLIST_SKILLS=str(self.home / "skills"),
            SHORTLIST_STORE=str(self.store),
            SHORTLIST_INBOX=str(self.home / "inbox"),
            SHORTLIST_HOST="127.0.0.1",
            SHORTLIST_PORT=str(free_port()),
            SHORTLIST_METRICS_HOST="127.0.0.1",
            SHORTLIST_METRICS_PORT=str(free_port()),
            SHORTLIST_PROMETHEUS_URL=f"http://127.0.0.1:{free_port()}",
        )
        self.env.update({f"SHORTLIST_{k.upper()}": str(v) for k, v in settings.items()})
        self.prometheus = prometheus
        self.proc: subprocess.Popen | None = None

    def shortlist_env(self) -> dict[str, str]:
        return {k: v for k, v in self.env.items() if k.startswith("SHORTLIST_")}

    def start(self, timeout: float = 180.0) -> Deployment:
        """Start supervisord and wait (polling) until the web and the watcher are ready; the bounds are generous
        because a loaded machine can take a minute to load a taxonomy, and a ready deployment returns at once."""
        (self.store / "logs").mkdir(parents=True, exist_ok=True)
        for sub in ("resumes", "jobs", "failed"):
            (self.home / "inbox" / sub).mkdir(parents=True, exist_ok=True)
        supervisord = Path(sys.executable).parent / "supervisord"
        self.proc = subprocess.Popen(
            [str(supervisord), "-n", "-c", str(ROOT / "supervisord.conf")],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deployment = Deployment(load(self.env))
        try:
            if not wait_until(lambda: self._exited() or deployment.supervised(), timeout=60) or self._exited():
                raise RuntimeError(f"supervisord did not start; see {self.store}/logs/supervisord.log")
            if not self.prometheus:  # drills measure with their own clients; Prometheus would only take CPU
                try:
                    deployment.call("stopProcess", f"{GROUP}:prometheus", True)
                except xmlrpc.client.Fault:
                    pass
            if not wait_until(
                lambda: deployment.running_pid("web") and deployment.running_pid("watcher") and deployment.ready(),
                timeout=timeout,
                interval=0.25,
            ):
                raise RuntimeError(f"web and watcher were not ready within {timeout:g} s; see {self.store}/logs/")
        except BaseException:
            self.close()
            raise
        return deployment

    def _exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def close(self, remove: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:  # a drill's SIGSTOP must not keep a program from stopping
                for pid in session_pids(self.proc.pid):
                    os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if remove:
            shutil.rmtree(self.home, ignore_errors=True)


def session_pids(sid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == sid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids
