"""What a person sees in Chromium: long names stay on one line with the columns on-screen, the candidate page
keeps its matches in view, jobs are searched, closed and deleted, failed files dismissed."""

from __future__ import annotations

import os

from pathlib import Path

import pytest

from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from store.db import make_engine
from tests.instance import db_rows
from tests.fixtures import make_corrupt_pdf, sample_job, sample_resume
from tests.ui.test_browser import CHROMIUM, Web, browser, page  # noqa: F401  (fixtures)
from tests.ui.support import ui_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium at /usr/bin/chromium (in CI its absence fails)",
    ),
]

LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflegt"
LONG_TITLE = (
    "Principal Staff Senior Backend Platform Engineer for Distributed Payment Infrastructure, Developer "
    "Experience and Reliability (Remote)"
)


def ingest(settings, files: dict[str, str | bytes]) -> None:
    """Real files through the real pipeline, before the web starts."""
    engine = make_engine(settings.database_url)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        paths = []
        for name, content in files.items():
            kind, filename = name.split("/", 1)
            path = settings.inbox_dir(kind) / filename
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            paths.append(path)
        ingestor.process(paths)
    finally:
        ingestor.close()
        engine.dispose()


@pytest.fixture
def instance(tmp_path):
    from tests.instance import instance_env

    env = instance_env(tmp_path)
    return env, ui_settings(tmp_path)


@pytest.fixture
def served(instance, tmp_path):
    env, settings = instance
    servers: list[Web] = []

    def start() -> Web:
        servers.append(Web(env, tmp_path / "web.log").start())
        return servers[-1]

    yield settings, start
    for server in servers:
        server.stop()


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box["x"] + box["width"]


def test_a_100_character_name_keeps_the_score_and_decision_columns_on_screen(page, served):  # noqa: F811
    from playwright.sync_api import expect

    settings, start = served
    assert len(LONG_NAME) >= 100 and len(LONG_TITLE) >= 100
    resume = "\n".join(sample_resume(0).splitlines()[1:])  # no name line: the name comes from the file name
    ingest(
        settings,
        {
            "job/role.txt": f"Title: {LONG_TITLE}\n\n" + sample_job(0),
            f"resume/{LONG_NAME}.txt": resume,
            "resume/other.txt": sample_resume(1),
        },
    )
    job_id, title = db_rows(settings, "SELECT id, title FROM job")[0]
    assert len(title) >= 100  # as the pipeline read it
    web = start()
    page.goto(f"{web.url}/jobs/{job_id}")
    row = page.locator("#ranking-table tbody tr", has=page.locator(f'a[title="{LONG_NAME}"]'))
    expect(row).to_be_visible()
    width = page.viewport_size["width"]
    for label in ("Score", "Status", "Decision"):
        cell = row.locator(f'td[data-label="{label}"]')
        assert right_edge(cell) <= width, f"the {label} column is off-screen"
    assert right_edge(row.get_by_role("button", name="Reject")) <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    name = row.locator(f'a[title="{LONG_NAME}"]')
    assert name.evaluate("el => el.scrollWidth > el.clientWidth"), "the name is not shortened"
    name.hover()  # the whole name is in the title, which the browser shows on hover
    assert name.get_attribute("title") == LONG_NAME and name.inner_text() == LONG_NAME
    heading = page.locator("h1")
    assert heading.get_attribute("title") == title and right_edge(heading) <= width
    candidate = db_rows(settings, "SELECT id FROM candidate WHERE name = ?", LONG_NAME)[0][0]
    for url in ("/jobs", f"/candidates/{candidate}"):
        page.goto(web.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{url} scrolls sideways"
    assert page.errors == []


def test_the_candidate_page_keeps_the_matches_in_view_and_the_resume_folded(page, served):  # noqa: F811
    from playwright.sync_api import expect

    settings, start = served
    long_resume = (
        sample_resume(2)
        + "\n"
        + "\n".join(
            f"Project {i}: built reporting with Python and SQL for team {i}, cutting manual work by {i % 40 + 5}%."
            for i in range(160)
        )
    )  # about 14,000 characters
    ingest(settings, {**{f"job/job{i}.txt": sample_job(i) for i in range(6)}, "resume/long.txt": long_resume})
    candidate = db_rows(settings, "SELECT id FROM candidate")[0][0]
    web = start()
    page.goto(f"{web.url}/candidates/{candidate}")
    matches = page.locator("#candidate-matches table")
    expect(matches).to_be_visible()
    assert matches.locator("tbody tr").count() == 6
    assert matches.bounding_box()["y"] < page.viewport_size["height"], "the matches are below the fold"
    text = page.locator(".resume-text")
    expect(text).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2 * page.viewport_size["height"], f"the page is {height} px tall"
    page.get_by_text("Show the resume text").click()
    expect(text).to_be_visible()
    expect(text.locator("mark.skill").first).to_be_visible()
    assert page.errors == []


def test_search_close_reopen_and_delete_jobs_in_the_browser(page, served):  # noqa: F811
    from playwright.sync_api import expect

    settings, start = served
    ingest(
        settings,
        {
            "job/a.txt": "Title: Backend Engineer\n\n" + sample_job(0),
            "job/b.txt": "Title: Data Analyst\n\n" + sample_job(1),
            "resume/r.txt": sample_resume(0),
        },
    )
    web = start()
    page.goto(f"{web.url}/jobs")
    rows = page.locator("#jobs-table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Search titles").fill("analyst")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Data Analyst")
    assert "q=analyst" in page.url
    page.get_by_label("Search titles").fill("")
    expect(rows).to_have_count(2)
    rows.filter(has_text="Backend Engineer").get_by_role("button", name="Close").click()
    expect(rows).to_have_count(1)  # the open jobs only
    page.get_by_label("Show").select_option("closed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("closed")
    rows.first.get_by_role("button", name="Reopen").click()
    expect(rows).to_have_count(0)  # back on the closed jobs, none left: the reopen is done before the next page
    page.goto(f"{web.url}/jobs")
    expect(rows).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    rows.filter(has_text="Data Analyst").get_by_role("button", name="Delete").click()
    expect(page.locator(".alert-ok")).to_contain_text("The job, its scores and its decisions were deleted.")
    expect(rows).to_have_count(1)
    assert db_rows(settings, "SELECT title FROM job") == [("Backend Engineer",)]
    assert page.errors == []


def test_dismiss_a_failed_file_in_the_browser(page, served):  # noqa: F811
    from playwright.sync_api import expect

    settings, start = served
    ingest(settings, {"resume/broken.pdf": make_corrupt_pdf(), "resume/fake.pdf": b"just text named .pdf " * 10})
    web = start()
    page.goto(f"{web.url}/failed")
    rows = page.locator("#failed-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="fake.pdf")).to_contain_text("is named .pdf but its content is plain text")
    page.once("dialog", lambda dialog: dialog.accept())
    rows.filter(has_text="broken.pdf").get_by_role("button", name="Dismiss broken.pdf").click()
    expect(rows).to_have_count(1)
    page.reload()
    expect(rows).to_have_count(1)
    assert sorted(p.name for p in settings.failed_dir.iterdir()) == ["fake.pdf", "fake.pdf.reason.txt"]
    assert page.errors == []
