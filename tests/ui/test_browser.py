"""Browser tests: Debian's Chromium, driven by Playwright, against `python -m ui` (and `python -m pipeline watch`)."""

from __future__ import annotations

import os

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from store.db import make_engine
from store.settings import load
from tests.instance import ROOT, free_port, instance_env, start_watcher, wait_for
from tests.fixtures import candidate_name, sample_job, sample_resume
from tests.seed import FILLER, Seeder
from tests.ui.support import ui_settings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),  # one worker, one Chromium at a time
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium at /usr/bin/chromium (in CI its absence fails)",
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # a loaded CI machine is slow; a live update is still asserted below
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


class Web:
    """`python -m ui` as a process on a free port of 127.0.0.1, with the instance's SHORTLIST_* settings."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env = {**env, "SHORTLIST_HOST": "127.0.0.1", "SHORTLIST_PORT": str(port or free_port())}
        self.log = log
        self.url = f"http://127.0.0.1:{self.env['SHORTLIST_PORT']}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Web":
        with open(self.log, "ab") as handle:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ui"], cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
            )
        wait_for(self._healthy, timeout=30, message=f"the web process (log: {self.log})")
        return self

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the web process exited: {self.log.read_text()[-2000:]}")
        try:
            return get_json(self.url + "/healthz") == {"status": "ok"}
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def env(tmp_path):
    return instance_env(tmp_path)


@pytest.fixture
def web(env, tmp_path):
    ui_settings(tmp_path)  # migrate first, so tests can seed before the server starts
    server = Web(env, tmp_path / "web.log").start()
    yield server
    server.stop()


@pytest.fixture
def watcher(env, tmp_path, web):
    process = start_watcher(env, tmp_path / "watcher.log")
    try:
        wait_for(lambda: _ready(web.url), timeout=60, message="the watcher's heartbeat (/readyz)")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(url: str) -> bool:
    try:
        return get_json(url + "/readyz")["status"] == "ready"
    except OSError:
        return False


def count_loads(page) -> list[int]:
    loads: list[int] = []
    page.on("load", lambda: loads.append(1))
    return loads


# --- 1: upload through the page, the candidate appears in an open ranking -----------------------


def test_upload_a_job_and_a_resume_and_see_the_candidate_appear_in_the_ranking(browser, page, web, watcher, tmp_path):
    from playwright.sync_api import expect

    job_file, resume_file = tmp_path / "backend-role.txt", tmp_path / "ava-cv.txt"
    job_file.write_text(sample_job(0))
    resume_file.write_text(sample_resume(0))

    page.goto(web.url + "/upload")
    page.locator('form[data-kind="job"] input[type=file]').set_input_files(str(job_file))
    job_item = page.locator(".upload-item", has_text="backend-role.txt")
    expect(job_item).to_have_attribute("data-status", "scored", timeout=60_000)
    ranking_url = job_item.get_by_role("link", name="Open the ranking").get_attribute("href")

    ranking = page.context.new_page()
    loads = count_loads(ranking)
    ranking.goto(web.url + ranking_url)
    expect(ranking.locator("#ranking-table")).to_have_attribute("data-total", "0")

    page.locator('form[data-kind="resume"] input[type=file]').set_input_files(str(resume_file))
    expect(page.locator(".upload-item", has_text="ava-cv.txt")).to_have_attribute(
        "data-status", "scored", timeout=60_000
    )
    row = ranking.locator("#ranking-table tbody tr", has_text=candidate_name(0))
    expect(row).to_be_visible(timeout=10_000)
    expect(ranking.locator("#ranking-table")).to_have_attribute("data-total", "1")
    assert loads == [1], "the ranking page reloaded"
    assert page.errors == []


# --- 2: a file dropped into inbox/ updates an open ranking page ---------------------------------


def test_a_file_dropped_into_the_inbox_updates_an_open_ranking_page(page, web, watcher, env):
    from playwright.sync_api import expect

    settings = load(env)
    (settings.inbox_dir("job") / "platform.txt").write_text(sample_job(0))
    job_id = wait_for(
        lambda: next((j["id"] for j in get_json(web.url + "/jobs.json")["jobs"]), None),
        timeout=60,
        message="the job to be scored",
    )
    loads = count_loads(page)
    page.goto(f"{web.url}/jobs/{job_id}")
    expect(page.locator("#ranking-table tbody tr.empty-row")).to_be_visible()

    dropped = time.monotonic()
    (settings.inbox_dir("resume") / "dropped-cv.txt").write_text(sample_resume(0))
    row = page.locator("#ranking-table tbody tr", has_text=candidate_name(0))
    expect(row).to_be_visible(timeout=30_000)
    print(f"dropped file visible on the open page after {time.monotonic() - dropped:.1f} s")
    (settings.inbox_dir("resume") / "second-cv.txt").write_text(sample_resume(3))
    expect(page.locator("#ranking-table")).to_have_attribute("data-total", "2", timeout=30_000)
    assert loads == [1], "the ranking page reloaded"
    assert page.errors == []


# --- 3: shortlist, reload, the status is kept ---------------------------------------------------


def test_shortlist_a_candidate_and_the_status_survives_a_reload(page, web, tmp_path):
    from playwright.sync_api import expect

    settings = load(instance_env(tmp_path))
    engine = make_engine(settings.database_url)
    seeder = Seeder(settings, engine)
    job = seeder.job("Backend Engineer", ["Python", "Docker"], ["Redis"], 3).id
    seeder.resume("Ada Lovelace", ["Python", "Docker", "Redis"], 6)
    seeder.resume("Bob Smith", ["Excel"], 1)
    engine.dispose()

    page.goto(f"{web.url}/jobs/{job}")
    row = page.locator("tr", has_text="Ada Lovelace")
    row.get_by_role("button", name="Shortlist Ada Lovelace").click()
    expect(row.locator(".badge")).to_have_text("shortlisted")
    expect(page.locator("#decision-counts")).to_have_text("1 shortlisted · 0 rejected")
    expect(page.locator("#flash")).to_contain_text("Ada Lovelace shortlisted.")
    note = row.get_by_label("Note on Ada Lovelace")
    note.fill("Strong on Docker")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("note saved")

    page.reload()
    row = page.locator("tr", has_text="Ada Lovelace")
    expect(row.locator(".badge")).to_have_text("shortlisted")
    expect(row.get_by_role("button", name="Shortlist Ada Lovelace")).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_label("Note on Ada Lovelace")).to_have_value("Strong on Docker")
    expect(page.locator("tr", has_text="Bob Smith").locator(".badge")).to_have_text("new")
    page.select_option("#f-status", "shortlisted")
    expect(page.locator("#ranking-table")).to_have_attribute("data-total", "1")
    assert "status=shortlisted" in page.url
    assert page.errors == []


def test_a_filter_chosen_while_a_live_refresh_is_in_flight_is_applied(page, web, tmp_path):
    """htmx drops the requests queued on an element it swaps out; a live refresh must not eat the user's filter."""
    from playwright.sync_api import expect

    settings = load(instance_env(tmp_path))
    engine = make_engine(settings.database_url)
    seeder = Seeder(settings, engine)
    job = seeder.job("Backend Engineer", ["Python", "Docker"], ["Redis"], 3).id
    seeder.resume("Ada Lovelace", ["Python", "Docker", "Redis"], 6)
    seeder.resume("Bob Smith", ["Excel"], 1)
    engine.dispose()

    page.goto(f"{web.url}/jobs/{job}")
    expect(page.locator("#ranking-table")).to_have_attribute("data-total", "2")
    held = []

    def hold_the_live_refresh(route):
        live = route.request.headers.get("hx-trigger") == "ranking-table" and not held
        held.append(route) if live else route.continue_()

    page.route(f"**/jobs/{job}*", hold_the_live_refresh)
    page.evaluate("htmx.trigger('#ranking-table', 'sse:resync')")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the live refresh never started"
    page.select_option("#f-status", "rejected")
    page.wait_for_timeout(300)
    held[0].continue_()
    expect(page.locator("#ranking-table")).to_have_attribute("data-total", "0")
    assert "status=rejected" in page.url
    assert page.errors == []


# --- 4: markup in a resume renders as text ------------------------------------------------------


def test_a_resume_containing_markup_renders_as_text(page, web, tmp_path):
    from playwright.sync_api import expect

    settings = load(instance_env(tmp_path))
    engine = make_engine(settings.database_url)
    seeder = Seeder(settings, engine)
    job = seeder.job("Backend Engineer", ["Python"]).id
    # no name in the text, so the file's name stands in for one: markup can reach the page through either
    evil = seeder.document(
        "resume",
        "<img src=x onerror=alert(1)>.txt",
        f"Mallory\n<script>document.title='pwned'</script>\n<b>Python</b> expert\n{FILLER}\n",
    )
    engine.dispose()
    assert evil.name.lower() == "<img src=x onerror=alert(1)>"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{web.url}/candidates/{evil.id}")
    text = page.locator(".resume-text")
    expect(text).to_contain_text("<script>document.title='pwned'</script>")
    expect(text).to_contain_text("<b>Python</b> expert")
    expect(page.locator("h1")).to_have_text(evil.name)
    assert page.locator(".resume-text script, .resume-text b, h1 img").count() == 0
    expect(text.locator("mark.skill")).to_have_text("Python")

    page.goto(f"{web.url}/jobs/{job}")
    expect(page.locator("#ranking-table")).to_contain_text(evil.name)
    assert page.locator("#ranking-table img").count() == 0
    assert "pwned" not in page.title() and dialogs == []


# --- the live page finds its way back after a server restart ------------------------------------


def test_an_open_ranking_page_reconnects_after_the_server_restarts(page, env, tmp_path):
    from playwright.sync_api import expect

    settings = ui_settings(tmp_path)
    engine = make_engine(settings.database_url)
    seeder = Seeder(settings, engine)
    job = seeder.job("Backend Engineer", ["Python"]).id
    port = free_port()
    first = Web(env, tmp_path / "web1.log", port).start()
    loads = count_loads(page)
    try:
        page.goto(f"{first.url}/jobs/{job}")
        expect(page.locator("#ranking-table")).to_have_attribute("data-total", "0")
    finally:
        first.stop()
    seeder.resume("Ada While Down", ["Python"])  # scored while the web process is away
    second = Web(env, tmp_path / "web2.log", port).start()
    try:
        expect(page.locator("tr", has_text="Ada While Down")).to_be_visible(timeout=30_000)
        seeder.resume("Bea After Restart", ["Python"])
        expect(page.locator("tr", has_text="Bea After Restart")).to_be_visible(timeout=2_000)  # "within 2 s"
        assert loads == [1]
    finally:
        second.stop()
        engine.dispose()


# --- the job seeker's check, end to end through the real pipeline --------------------------------


def test_a_job_seeker_checks_a_resume_against_a_pasted_job_description(page, web, watcher, tmp_path):
    from playwright.sync_api import expect

    resume = tmp_path / "my-resume.txt"
    resume.write_text(sample_resume(0))
    page.goto(web.url + "/check")
    page.locator("#resume").set_input_files(str(resume))
    page.get_by_label("Paste it").fill(sample_job(0))
    page.get_by_role("button", name="Check my resume").click()
    expect(page.locator("#check-result h1")).to_contain_text("Your match:", timeout=60_000)
    assert "/check/" in page.url
    expect(page.get_by_role("heading", name="What to add")).to_be_visible()
    assert page.locator(".evidence li").count() > 0
    expect(page.locator(".evidence mark").first).to_be_visible()
    assert page.errors == []


# --- people: merge a possible duplicate, undo it, split a resume off and undo that ----------------


def test_merge_a_possible_duplicate_split_it_again_and_undo_both(page, web, tmp_path):
    from playwright.sync_api import expect

    settings = load(instance_env(tmp_path))
    engine = make_engine(settings.database_url)
    seeder = Seeder(settings, engine)
    seeder.job("Backend Engineer", ["Python", "Docker"], [], 2)
    work = seeder.resume("Ada Lovelace", ["Python", "Docker"], 6, email="ada@engines.org", filename="ada-work.txt")
    home = seeder.resume("Ada Lovelace", ["Excel"], 6, email="ada@home.net", filename="ada-home.txt")
    engine.dispose()
    assert work.id != home.id  # the same name with another address: two people, one possible duplicate

    page.goto(f"{web.url}/people")
    pair = page.locator("article.pair")
    expect(pair).to_have_count(1)
    expect(pair.locator(".signals").first).to_contain_text("Agree: name")
    expect(pair.locator(".signals").first).to_contain_text("Disagree: email")
    pair.get_by_role("button", name=f"Merge into #{work.id}").click()
    expect(page.locator("article.pair").get_by_role("button", name="Undo merge")).to_be_visible()
    assert get_json(f"{web.url}/candidates/{work.id}.json")["candidate"]["versions_count"] == 2

    page.locator("article.pair").get_by_role("button", name="Undo merge").click()
    page.goto(f"{web.url}/people")
    expect(page.locator("article.pair").get_by_role("button", name=f"Merge into #{work.id}")).to_be_visible()
    assert [r["id"] for r in get_json(f"{web.url}/candidates/{home.id}.json")["candidate"]["resumes"]] == [
        home.document_id
    ]

    page.locator("article.pair").get_by_role("button", name=f"Merge into #{work.id}").click()
    page.goto(f"{web.url}/candidates/{work.id}")
    page.get_by_label("Split off ada-home.txt").check()
    page.get_by_role("button", name="Split the ticked resumes off into another person").click()
    expect(page.locator("#resumes li")).to_have_count(1)
    people = get_json(f"{web.url}/people.json?status=apart")["pairs"]
    assert people[0]["reasons"]["agree"] == ["split by a person"]
    page.get_by_role("button", name="Undo split").click()
    expect(page.locator("#resumes li")).to_have_count(2)
    actions = [e["action"] for e in get_json(f"{web.url}/audit.json")["entries"]]
    assert actions == ["undo", "split", "merge", "undo", "merge"]
    assert page.errors == []
