"""Make the README's screenshots: real documents through the real watcher, the app on 127.0.0.1, Chromium.

    .venv/bin/python docs/screenshots/make.py

The documents (generated job descriptions and resumes, tests/seed.py and tests/fixtures.py) are dropped into a
throw-away instance's inbox and `python -m pipeline watch` turns them into rows, as it would for anyone.
Writes jobs.png, ranking.png, candidate.png, check.png, upload.png, slo.png and ranking-phone.png beside this file.
When Prometheus is installed, the SLO page is shot against a real one (rules with windows shortened 60 times,
as in tests/observability/test_slo_live.py) after a minute of traffic, some of it failing; otherwise it shows the page's
own figures.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from store.db import make_engine, migrate  # noqa: E402
from store.models import Candidate, Decision, Document, Job, utcnow  # noqa: E402
from store.settings import ensure_dirs, load  # noqa: E402
from tests.fixtures import sample_resume  # noqa: E402
from tests.instance import instance_env, start_watcher, wait_for  # noqa: E402
from tests.seed import job_text  # noqa: E402
from ui.app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

RESUME = """Priya Raman
priya.raman@example.com · Lisbon, Portugal

SUMMARY
Backend engineer with 7 years of experience building data-heavy services.

EXPERIENCE
Senior Software Engineer, Northwind Traders (2021-2025)
- Rebuilt the order pipeline in Python with FastAPI and PostgreSQL; p95 latency down 40%.
- Moved twelve services to Docker and Kubernetes on AWS, with Terraform for every environment.
- Added Prometheus metrics and Grafana dashboards; paged half as often.

Software Engineer, Contoso Ltd (2018-2021)
- Built reporting jobs in SQL and Pandas; owned the Redis caching layer.
- Ran CI/CD with Git-based reviews for a team of eight.

EDUCATION
BSc Computer Science, University of Lisbon
"""
JOB_SEEKER = """Sam Okafor
sam.okafor@example.com

Data analyst moving into engineering, 2 years of experience.
Python and SQL every day: Pandas notebooks, dashboards and a small Airflow pipeline.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


JOBS = (
    ("Backend Engineer", ("Python", "PostgreSQL", "Docker", "SQL"), ("Kubernetes", "Redis", "AWS"), 3),
    ("Site Reliability Engineer", ("Linux", "Kubernetes", "Prometheus", "Terraform"), ("Go", "Grafana", "Bash"), 5),
    ("Data Engineer", ("Python", "SQL", "Spark", "Airflow"), ("Kafka", "Pandas"), 2),
)
CHECK_JOB = job_text("Junior Data Engineer", ("Python", "SQL", "Airflow", "Spark"), ("Kafka", "AWS"), 3)


def drop_documents(settings) -> str:
    """Job descriptions and resumes into the inbox, and a job seeker's check; returns the check's id."""
    for title, required, preferred, years in JOBS:
        (settings.inbox_dir("job") / f"{title.lower().replace(' ', '-')}.txt").write_text(
            job_text(title, required, preferred, years), encoding="utf-8"
        )
    (settings.inbox_dir("resume") / "priya-raman-cv.txt").write_text(RESUME, encoding="utf-8")
    for i in range(60):
        (settings.inbox_dir("resume") / f"resume-{i}.txt").write_text(sample_resume(i), encoding="utf-8")
    # a job seeker's check, written as the check page writes it: a folder of its own, renamed into place
    check_id = hashlib.sha256((JOB_SEEKER + CHECK_JOB).encode()).hexdigest()
    temp = settings.inbox / "checks" / f".{check_id}.part"
    temp.mkdir(parents=True)
    (temp / "resume.txt").write_text(JOB_SEEKER, encoding="utf-8")
    (temp / "job.txt").write_text(CHECK_JOB, encoding="utf-8")
    temp.rename(settings.inbox / "checks" / check_id)
    return check_id


def populate(settings, home: Path, watcher_port: int) -> tuple[dict, subprocess.Popen]:
    """Drop the documents, let the watcher score them all, then record a few decisions as a person would.
    The watcher keeps running (its /metrics on `watcher_port`, its canaries measuring parsing accuracy)."""
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    check_id = drop_documents(settings)
    expected = len(JOBS) + 61  # the check is kept apart: no documents of its own
    watcher = start_watcher(
        instance_env(home, SHORTLIST_SKILLS=str(ROOT / "skills"), SHORTLIST_METRICS_PORT=str(watcher_port)),
        home / "watcher.log",
    )
    try:

        def documents() -> int:
            with Session(engine) as session:
                return session.scalar(select(func.count()).select_from(Document))

        wait_for(lambda: documents() >= expected, timeout=300, interval=0.5, message=f"{expected} documents")
        wait_for(lambda: not (settings.inbox / "checks" / check_id).exists(), timeout=60, message="the check")
    except BaseException:
        watcher.terminate()
        watcher.wait(timeout=30)
        raise
    with Session(engine) as session:
        backend = session.scalar(select(Job.id).where(Job.title == "Backend Engineer"))
        priya = session.scalar(select(Candidate.id).where(Candidate.email == "priya.raman@example.com"))
        others = session.scalars(select(Candidate.id).where(Candidate.id != priya).order_by(Candidate.id)).all()
        for candidate, status, note in (
            (priya, "shortlisted", "Strong Postgres; call Tuesday"),
            (others[2], "shortlisted", ""),
            (others[6], "rejected", "No Docker"),
        ):
            session.add(Decision(job_id=backend, candidate_id=candidate, status=status, note=note, updated_at=utcnow()))
        session.commit()
    engine.dispose()
    return {"backend": backend, "priya": priya, "check": f"/check/{check_id}"}, watcher


def start_prometheus(home: Path, web_port: int, watcher_port: int, prom_port: int) -> subprocess.Popen | None:
    """A real Prometheus scraping the app every second, with the SLO rules' windows shortened 60 times."""
    binary = shutil.which("prometheus")
    if binary is None:
        print("prometheus is not installed: slo.png shows the page's own figures")
        return None
    from observability import generate

    rules = home / "prometheus"
    generate.write(rules, scale=generate.SHORT_SCALE)
    config = rules / "prometheus.yml"
    config.write_text(
        generate.prometheus_config(f"127.0.0.1:{web_port}", f"127.0.0.1:{watcher_port}", rules, scrape_interval="1s"),
        encoding="utf-8",
    )
    return subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={home / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--log.level=warn",
        ]
    )


def traffic(base: str, paths: list[str], seconds: float) -> None:
    """Bounded page views on 127.0.0.1, one in ten to an address that does not exist (a 404)."""
    import httpx

    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=5) as client:
        n = 0
        while time.monotonic() < deadline:
            client.get(paths[n % len(paths)] if n % 10 else "/no-such-page")
            n += 1
            time.sleep(0.05)


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="shortlist-shots-") as home:
        port, watcher_port, prom_port = free_port(), free_port(), free_port()
        # The ports Prometheus scrapes are this instance's; the watcher keeps running for the ingest and accuracy SLOs.
        settings = load(
            {
                "SHORTLIST_HOME": home,
                "SHORTLIST_SKILLS": str(ROOT / "skills"),
                "SHORTLIST_PORT": str(port),
                "SHORTLIST_METRICS_PORT": str(watcher_port),
                "SHORTLIST_PROMETHEUS_URL": f"http://127.0.0.1:{prom_port}",
            }
        )
        ensure_dirs(settings)
        ids, watcher = populate(settings, Path(home), watcher_port)
        prometheus = start_prometheus(Path(home), port, watcher_port, prom_port)
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        app.state.feed.should_stop = lambda: server.should_exit
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_for(lambda: server.started, timeout=30, interval=0.05, message="uvicorn")
        base = f"http://127.0.0.1:{port}"
        if prometheus is not None:
            traffic(base, ["/jobs", f"/jobs/{ids['backend']}", f"/candidates/{ids['priya']}", "/failed"], 60)
        shots = [
            ("jobs.png", "/jobs", 1280, 720),
            ("ranking.png", f"/jobs/{ids['backend']}", 1280, 900),
            ("candidate.png", f"/candidates/{ids['priya']}", 1280, 900),
            ("check.png", ids["check"], 1280, 900),
            ("upload.png", "/upload", 1280, 720),
            ("slo.png", "/slo", 1280, 900),
            ("ranking-phone.png", f"/jobs/{ids['backend']}", 390, 844),
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for name, path, width, height in shots:
                    page = browser.new_page(
                        viewport={"width": width, "height": height}, device_scale_factor=1, reduced_motion="reduce"
                    )
                    page.goto(base + path)
                    page.wait_for_timeout(400)
                    page.screenshot(path=str(HERE / name))
                    page.close()
                    print(f"wrote docs/screenshots/{name}")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            if prometheus is not None:
                prometheus.terminate()
                prometheus.wait(10)
            watcher.terminate()
            watcher.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
