"""Every Shortlist setting, declared once, read from SHORTLIST_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

PREFIX = "SHORTLIST_"
ROOT = Path(__file__).resolve().parent.parent


def _path(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _bool(value: str) -> bool:
    low = value.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _positive(cast: Callable[[str], Any]) -> Callable[[str], Any]:
    def check(value: str) -> Any:
        number = cast(value)
        if number <= 0:
            raise ValueError(f"must be greater than 0, got {value!r}")
        return number

    return check


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    cast: Callable[[str], Any]
    help: str

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("home", str(ROOT), _path, "Base folder; inbox, store and skills default to folders inside it."),
    Setting("inbox", "{home}/inbox", _path, "Drop folder with resumes/, jobs/ and failed/ (quarantine)."),
    Setting(
        "store", "{home}/store", _path, "Data folder: shortlist.db, files/ (archived originals), logs/, prometheus/."
    ),
    Setting("skills", "{home}/skills", _path, "Folder of skills taxonomy YAML files."),
    Setting("database_url", "sqlite:///{store}/shortlist.db", str, "SQLAlchemy URL of the database."),
    Setting("pdf_engine", "pypdfium2", str, "PDF text engine: pypdfium2 or pdfplumber."),
    Setting("max_file_mb", "20", _positive(float), "Largest file accepted, in MB; larger ones are quarantined."),
    Setting("max_pages", "50", _positive(int), "Most pages a PDF may have."),
    Setting("min_chars", "80", _positive(int), "Fewest characters of text a resume or job description must have."),
    Setting(
        "parse_timeout", "30", _positive(float), "Seconds one file may take in a parse worker before it is killed."
    ),
    Setting("workers", "2", _positive(int), "Parse worker processes."),
    Setting("max_attempts", "3", _positive(int), "Failed or crashed attempts before a file is quarantined."),
    Setting(
        "db_deadline_seconds",
        "60",
        _positive(float),
        "Longest one pipeline write waits for another writer's database lock before its files are put back for later.",
    ),
    Setting("stable_seconds", "0.5", float, "Quiet time (no events, size and mtime unchanged) before a file is taken."),
    Setting(
        "observer",
        "auto",
        str,
        "How the inbox is watched: auto (polling when it is on NFS, SMB, 9p, sshfs…), inotify or polling.",
    ),
    Setting("poll_seconds", "1", _positive(float), "Period of the polling observer's scan of the inbox."),
    Setting("rescan_seconds", "30", _positive(float), "Period of the full inbox rescan that catches missed events."),
    Setting(
        "claim_lease_seconds",
        "60",
        _positive(float),
        "How long a watcher's claim on a file lasts unless renewed; a watcher that dies gives its files up then.",
    ),
    Setting("heartbeat_seconds", "5", _positive(float), "Period of the watcher's heartbeat row (read by /readyz)."),
    Setting(
        "rescore_documents", "200", _positive(int), "Documents re-extracted per transaction after a taxonomy change."
    ),
    Setting("rescore_matches", "5000", _positive(int), "Matches re-scored per transaction after a taxonomy change."),
    Setting("metrics_port", "9101", int, "Port of the watcher's Prometheus /metrics (0 disables it)."),
    Setting("metrics_host", "127.0.0.1", str, "Address the watcher's /metrics binds to."),
    Setting("host", "127.0.0.1", str, "Address the web UI binds to."),
    Setting("port", "8080", int, "Port of the web UI."),
    Setting("password", "", str, "If set, the hiring-team pages ask for this password."),
    Setting(
        "secret",
        "",
        str,
        "Key that signs sessions and CSRF tokens; when empty, one is made once and kept in {store}/.secret.",
    ),
    Setting("max_upload_mb", "20", _positive(float), "Largest browser upload accepted, in MB."),
    Setting(
        "check_retention_minutes",
        "30",
        _positive(float),
        "Minutes a job seeker's check result is kept before it is erased (its files are erased as soon as they are read).",
    ),
    Setting("prometheus_url", "http://127.0.0.1:9090", str, "Prometheus the SLO page and report query."),
    Setting(
        "scrape_seconds",
        "15",
        _positive(float),
        "How often the Prometheus `make run` starts scrapes this instance and evaluates the SLO rules.",
    ),
    Setting("log_level", "INFO", str, "Python log level of both processes."),
    Setting(
        "canary", "{skills}/canary", _path, "Folder of canary documents with known answers (canaries.yaml, files/)."
    ),
    Setting(
        "blind_review",
        "false",
        _bool,
        "Blind review on every job: names, contacts, addresses and profile links hidden until someone reveals a candidate (each job can override it).",
    ),
    Setting("blind_organisations", "false", _bool, "Under blind review, also hide the names of schools and employers."),
    Setting(
        "retention_days",
        "0",
        float,
        "Days after which a candidate nobody touched (no new resume, decision, note, reveal or merge) is erased; 0 keeps everyone.",
    ),
    Setting(
        "retention_notice_days",
        "14",
        _positive(float),
        "How far ahead the retention page lists candidates due to be erased.",
    ),
    Setting(
        "canary_seconds",
        "300",
        float,
        "Period of the watcher's canary run that measures parsing accuracy (0 turns it off).",
    ),
)


def _raw(environ: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env, setting.default)
        values[setting.name] = raw.format(**values) if "{" in raw else raw
    return values


@dataclass(frozen=True)
class Settings:
    home: Path
    inbox: Path
    store: Path
    skills: Path
    database_url: str
    pdf_engine: str
    max_file_mb: float
    max_pages: int
    min_chars: int
    parse_timeout: float
    workers: int
    max_attempts: int
    db_deadline_seconds: float
    stable_seconds: float
    observer: str
    poll_seconds: float
    rescan_seconds: float
    claim_lease_seconds: float
    heartbeat_seconds: float
    rescore_documents: int
    rescore_matches: int
    metrics_port: int
    metrics_host: str
    host: str
    port: int
    password: str
    secret: str
    max_upload_mb: float
    check_retention_minutes: float
    prometheus_url: str
    scrape_seconds: float
    log_level: str
    canary: Path
    blind_review: bool
    blind_organisations: bool
    retention_days: float
    retention_notice_days: float
    canary_seconds: float

    @property
    def files_dir(self) -> Path:
        return self.store / "files"

    @property
    def failed_dir(self) -> Path:
        return self.inbox / "failed"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def inbox_dir(self, kind: str) -> Path:
        return self.inbox / ("resumes" if kind == "resume" else "jobs")


def load(environ: dict[str, str] | None = None) -> Settings:
    """Read and cast every setting; a bad value fails fast naming its variable."""
    environ = dict(os.environ if environ is None else environ)
    raw = _raw(environ)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        try:
            values[setting.name] = setting.cast(raw[setting.name])
        except ValueError as exc:
            raise SystemExit(f"{setting.env}={raw[setting.name]!r} is not valid: {exc}") from None
    if values["pdf_engine"] not in {"pypdfium2", "pdfplumber"}:
        raise SystemExit(f"{PREFIX}PDF_ENGINE must be pypdfium2 or pdfplumber, got {values['pdf_engine']!r}")
    if values["observer"] not in {"auto", "inotify", "polling"}:
        raise SystemExit(f"{PREFIX}OBSERVER must be auto, inotify or polling, got {values['observer']!r}")
    return Settings(**values)


def ensure_dirs(settings: Settings) -> None:
    for path in (
        settings.inbox / "resumes",
        settings.inbox / "jobs",
        settings.inbox / "checks",
        settings.failed_dir,
        settings.files_dir,
        settings.store,
        settings.store / "logs",
    ):
        path.mkdir(parents=True, exist_ok=True)
