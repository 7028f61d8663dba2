"""The web UI's pages, their JSON twins, probes, metrics and error paths, on a real SQLite file in tmp_path."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import escape
from sqlalchemy import create_engine as sa_create_engine
from sqlmodel import Session

from store.models import Failure, Heartbeat
from tests.instance import wait_for
from tests.seed import FILLER, expected_match
from tests.ui.support import client_for
from ui.data import ReadCache
from ui.security import CSRF_COOKIE, csrf_protect

RESUME = """Ada Lovelace
ada@example.com

Engineer with 6 years of experience. Built data pipelines in Python and SQL on PostgreSQL,
shipped them with Docker, and ran them on Kubernetes.
"""

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


@pytest.fixture
def seeded(seeder):
    """Two jobs and three resumes through the real pipeline; tests read their expectations from these."""
    return {
        "backend": seeder.job("Backend Engineer", ["Python", "PostgreSQL", "Docker"], ["Kubernetes", "Redis"], 3),
        "data": seeder.job("Data Engineer", ["Python", "SQL", "Spark"], ["Airflow"], 2),
        "ada": seeder.document("resume", "ada.txt", RESUME),
        "grace": seeder.resume("Grace Hopper", ["COBOL", "SQL"], 30),
        "linus": seeder.resume("Linus Torvalds", ["C", "Git", "Linux", "Docker"], 25),
    }


@pytest.fixture
def data(seeded):
    return {key: value.id for key, value in seeded.items()}


def expected_order(seeded, job: str, names=("ada", "grace", "linus")) -> list[str]:
    """Candidate names in the order the pipeline's scores put them for `job` (ties: the earlier candidate first)."""
    scored = sorted(
        (-expected_match(seeded[key], seeded[job]).score, seeded[key].id, seeded[key].name) for key in names
    )
    return [name for *_, name in scored]


@pytest.fixture
def client(settings):
    with client_for(settings) as client:
        yield client


def rows_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


# --- jobs ------------------------------------------------------------------------------------


def test_home_redirects_to_jobs_without_a_password(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/jobs"


def test_jobs_page_lists_every_job_with_counts(client, data):
    response = client.get("/jobs")
    assert response.status_code == 200
    assert "Backend Engineer" in response.text and "Data Engineer" in response.text
    assert f'href="/jobs/{data["backend"]}"' in response.text
    assert 'sse-connect="/events?after=' in response.text


def test_jobs_json_twin_has_the_same_data(client, data):
    body = rows_of(client, "/jobs.json")
    assert body == rows_of(client, "/jobs?format=json")
    by_title = {job["title"]: job for job in body["jobs"]}
    assert by_title["Backend Engineer"]["candidates"] == 3
    assert by_title["Backend Engineer"]["best_score"] > 0
    assert by_title["Backend Engineer"]["shortlisted"] == 0


def test_empty_jobs_page_explains_what_to_do(client):
    response = client.get("/jobs")
    assert "No jobs yet" in response.text and "inbox/jobs/" in response.text


def test_jobs_table_fragment_for_htmx(client, data):
    response = client.get("/jobs", headers={"HX-Request": "true", "HX-Target": "jobs-table"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="jobs-table"')
    assert "<html" not in response.text


# --- ranking ---------------------------------------------------------------------------------


def test_ranking_orders_candidates_by_score(client, data, seeded):
    body = rows_of(client, f"/jobs/{data['backend']}.json")
    names = [row["name"] for row in body["candidates"]]
    assert names == expected_order(seeded, "backend") and names[0] == "Ada Lovelace"
    scores = [row["score"] for row in body["candidates"]]
    assert scores == sorted(scores, reverse=True)
    ada, expected = body["candidates"][0], expected_match(seeded["ada"], seeded["backend"])
    assert ada["rank"] == 1 and ada["status"] == "new" and ada["score"] == expected.score
    assert set(ada["matched"]) == set(expected.matched) >= {"Python", "PostgreSQL", "Docker", "Kubernetes"}
    assert ada["missing_required"] == list(expected.missing_required)
    assert ada["missing_preferred"] == list(expected.missing_preferred) == ["Redis"]
    required = sorted(s for s, kind in seeded["backend"].requirements.items() if kind == "required")
    assert body["job"]["required_skills"] == required and {"Docker", "PostgreSQL", "Python"} <= set(required)
    assert body["total"] == 3 and body["pages"] == 1


def test_ranking_page_shows_rows_with_score_chips_and_actions(client, data):
    response = client.get(f"/jobs/{data['backend']}")
    assert response.status_code == 200
    html = response.text
    assert html.index("Ada Lovelace") < html.index("Linus Torvalds")
    assert f'id="row-{data["ada"]}"' in html
    assert '<meter min="0" max="100"' in html
    assert 'name="status" value="shortlisted"' in html
    assert f'hx-trigger="sse:job-{data["backend"]}, sse:rankings, sse:resync"' in html
    assert "Export this view as CSV" in html


def candidates_of(seeded, job: str) -> list[dict]:
    """What the pipeline wrote for each seeded resume against `job`, in the score order."""
    rows = [
        {
            "name": seeded[key].name,
            "id": seeded[key].id,
            "skills": seeded[key].skills,
            "years": seeded[key].years,
            "score": expected_match(seeded[key], seeded[job]).score,
        }
        for key in ("ada", "grace", "linus")
    ]
    return sorted(rows, key=lambda row: (-row["score"], row["id"]))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("min_score=60", lambda rows: [r for r in rows if r["score"] >= 60]),
        ("skill=docker", lambda rows: [r for r in rows if "Docker" in r["skills"]]),
        ("skill=Docker&min_score=50", lambda rows: [r for r in rows if "Docker" in r["skills"] and r["score"] >= 50]),
        ("sort=name&dir=asc", lambda rows: sorted(rows, key=lambda r: r["name"].lower())),
        ("sort=name&dir=desc", lambda rows: sorted(rows, key=lambda r: r["name"].lower(), reverse=True)),
        ("sort=years", lambda rows: sorted(rows, key=lambda r: -r["years"])),
        ("per_page=1&page=2", lambda rows: rows[1:2]),
        ("status=rejected", lambda rows: []),
    ],
)
def test_ranking_filters_sorts_and_pages(client, data, seeded, query, expected):
    body = rows_of(client, f"/jobs/{data['backend']}.json?{query}")
    want = expected(candidates_of(seeded, "backend"))
    assert [row["name"] for row in body["candidates"]] == [r["name"] for r in want]


def test_the_seeded_ranking_tells_the_filters_apart(seeded):
    rows = candidates_of(seeded, "backend")
    assert 0 < len([r for r in rows if r["score"] >= 60]) < len(rows)  # min_score=60 keeps some, drops some
    assert 0 < len([r for r in rows if "Docker" in r["skills"]]) < len(rows)
    assert len({r["years"] for r in rows}) == len(rows) and len({r["score"] for r in rows}) == len(rows)


def test_ranking_rank_is_within_the_whole_job_even_when_filtered(client, data):
    body = rows_of(client, f"/jobs/{data['backend']}.json?per_page=1&page=3")
    assert body["candidates"][0]["rank"] == 3 and body["total"] == 3 and body["pages"] == 3


def test_ranking_table_fragment_for_htmx_keeps_the_view_in_its_refresh_url(client, data):
    response = client.get(
        f"/jobs/{data['backend']}?sort=name&min_score=10", headers={"HX-Request": "true", "HX-Target": "ranking-table"}
    )
    assert response.text.lstrip().startswith('<section id="ranking-table"')
    assert f'hx-get="/jobs/{data["backend"]}?min_score=10&amp;sort=name"' in response.text
    assert '<input type="hidden" name="sort" value="name" form="filters">' in response.text


@pytest.mark.parametrize(
    "query, message",
    [
        ("min_score=abc", "min_score must be a number"),
        ("min_score=101", "min_score must be between 0 and 100"),
        ("sort=salary", "sort must be one of"),
        ("status=maybe", "status must be one of"),
        ("page=0", "page must be between"),
        ("dir=up", "dir must be one of"),
    ],
)
def test_ranking_bad_parameters_are_400_with_a_message(client, data, query, message):
    response = client.get(f"/jobs/{data['backend']}?{query}")
    assert response.status_code == 400 and message in response.text
    json_response = client.get(f"/jobs/{data['backend']}.json?{query}")
    assert json_response.status_code == 400 and message in json_response.json()["error"]


def test_ranking_of_an_unknown_job_is_404(client, data):
    assert client.get("/jobs/999").status_code == 404
    response = client.get("/jobs/999.json")
    assert response.status_code == 404 and response.json() == {"error": "There is no job 999.", "status": 404}


def test_csv_export_is_the_current_view_with_every_row(client, data, seeded):
    response = client.get(f"/jobs/{data['backend']}.csv?skill=Docker&per_page=1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="backend-engineer-ranking.csv"' == response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    docker = [r["name"] for r in candidates_of(seeded, "backend") if "Docker" in r["skills"]]
    assert [row["name"] for row in rows] == docker == ["Ada Lovelace", "Linus Torvalds"]
    assert rows[0]["rank"] == "1" and "Python" in rows[0]["matched"].split("; ")


def test_csv_export_neutralises_spreadsheet_formulas(client, seeder, data):
    # a file's name becomes the candidate's name when the text has none that looks like a person's
    evil = seeder.resume("=HYPERLINK(1+1)", ["Python", "PostgreSQL", "Docker"], 1, filename="=HYPERLINK(1+1).txt")
    assert evil.name.startswith("=")
    response = client.get(f"/jobs/{data['backend']}.csv")
    names = [row["name"] for row in csv.DictReader(io.StringIO(response.text))]
    assert "'" + evil.name in names and evil.name not in names


def test_csv_export_errors(client, data):
    assert client.get("/jobs/999.csv").status_code == 404
    assert client.get(f"/jobs/{data['backend']}.csv?sort=bogus").status_code == 400


# --- candidate -------------------------------------------------------------------------------


def test_candidate_page_highlights_found_skills_and_lists_every_job(client, data):
    response = client.get(f"/candidates/{data['ada']}")
    assert response.status_code == 200
    html = response.text
    assert '<mark class="skill" title="PostgreSQL" data-skill="PostgreSQL">PostgreSQL</mark>' in html
    assert "Backend Engineer" in html and "Data Engineer" in html
    assert "Download original (TXT)" in html
    assert f'action="/candidates/{data["ada"]}/delete"' in html


def test_candidate_json_twin(client, data, seeded):
    body = rows_of(client, f"/candidates/{data['ada']}.json")["candidate"]
    assert body["name"] == "Ada Lovelace" and body["email"] == "ada@example.com"
    text = body["document"]["text"]
    assert text == seeded["ada"].analysis.text and text.strip() == RESUME.strip()
    mention = next(m for m in body["mentions"] if m["skill"] == "PostgreSQL")
    assert text[mention["start"] : mention["end"]] == "PostgreSQL"
    assert [m["title"] for m in body["matches"]] == ["Backend Engineer", "Data Engineer"]


def test_unknown_candidate_is_404(client):
    assert client.get("/candidates/12345").status_code == 404
    assert client.get("/candidates/12345.json").json()["status"] == 404


def test_document_contents_are_escaped_never_markup(client, seeder, data):
    evil = seeder.document(
        "resume",
        "<img src=x onerror=alert(1)>.txt",
        "Mallory\n<script>alert('xss')</script>\nPython & Docker <b>expert</b>\n" + FILLER,
    )
    assert evil.name.startswith("<")  # no name in the text: the file's name stands in
    for url in (f"/candidates/{evil.id}", f"/jobs/{data['backend']}"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html.lower() and "<b>expert" not in html
        assert escape(evil.name) in html
    html = client.get(f"/candidates/{evil.id}").text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert 'data-skill="Python">Python</mark> &amp; <mark' in html


def test_download_original(client, data, settings):
    body = rows_of(client, f"/candidates/{data['ada']}.json")["candidate"]
    response = client.get(f"/documents/{body['document']['id']}/original")
    assert response.status_code == 200 and response.text == RESUME
    assert response.headers["content-disposition"].startswith('attachment; filename="ada.txt"')


def test_download_errors(client, seeded, settings):
    assert client.get("/documents/999/original").status_code == 404
    (settings.files_dir / f"{seeded['grace'].sha256}.txt").unlink()  # someone cleaned the store by hand
    grace = rows_of(client, f"/candidates/{seeded['grace'].id}.json")["candidate"]
    response = client.get(f"/documents/{grace['document']['id']}/original")
    assert response.status_code == 410 and "no longer in the store" in response.text


# --- other pages -----------------------------------------------------------------------------


def test_upload_page_and_twin(client):
    response = client.get("/upload")
    assert response.status_code == 200 and 'id="uploader"' in response.text
    body = rows_of(client, "/upload.json")
    assert body["limits"]["accepted"]["resume"] == [".pdf", ".docx", ".txt", ".md"] and body["files"] == []


def test_check_page_and_twin(client):
    response = client.get("/check")
    assert response.status_code == 200 and 'enctype="multipart/form-data"' in response.text
    assert rows_of(client, "/check.json") == {"max_upload_mb": 20.0, "min_chars": 80, "retention_minutes": 30.0}


def test_failed_page_lists_quarantined_files(client, engine):
    with Session(engine) as session:
        session.add(
            Failure(
                sha256="f" * 64,
                kind="resume",
                filename="broken.pdf",
                code="parse_error",
                reason="The PDF has no text layer (a scan?).",
                quarantined_path="/nowhere/broken.pdf",
                created_at=datetime.now(timezone.utc),
            )
        )
        session.add(
            Failure(
                sha256="e" * 64,
                kind="job",
                filename="old.pdf",
                code="too_short",
                reason="Too short.",
                quarantined_path="/nowhere/old.pdf",
                created_at=datetime.now(timezone.utc),
                retried_at=datetime.now(timezone.utc),
            )
        )
        session.commit()
    html = client.get("/failed").text
    assert "broken.pdf" in html and "no text layer" in html and "old.pdf" not in html
    body = rows_of(client, "/failed.json")
    assert [f["filename"] for f in body["failures"]] == ["broken.pdf"]
    assert {f["filename"] for f in rows_of(client, "/failed.json?all=1")["failures"]} == {"broken.pdf", "old.pdf"}


def test_empty_failed_page(client):
    assert "Nothing failed" in client.get("/failed").text


# --- probes ----------------------------------------------------------------------------------


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def beat(engine, seconds_ago: float) -> None:
    with Session(engine) as session:
        when = datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)
        session.merge(Heartbeat(process="watcher", pid=1, beat_at=when, started_at=when))
        session.commit()


def test_readyz_names_a_missing_watcher(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["watcher"] and "never written a heartbeat" in body["checks"]["watcher"]
    assert body["checks"]["database"] == "ok"


def test_readyz_is_ready_with_a_fresh_heartbeat(client, engine):
    beat(engine, 0)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"


def test_readyz_names_a_stale_heartbeat(client, engine, settings):
    beat(engine, 3 * settings.heartbeat_seconds + 5)
    response = client.get("/readyz")
    assert response.status_code == 503 and "old" in response.json()["checks"]["watcher"]


def test_readyz_names_an_unreachable_database(client, tmp_path):
    (tmp_path / "not-a-db").mkdir()
    client.app.state.read_engine = sa_create_engine(f"sqlite:///{tmp_path / 'not-a-db'}")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database", "watcher"]
    assert response.json()["checks"]["database"].startswith("failed: OperationalError")


# --- metrics ---------------------------------------------------------------------------------


def metric_lines(client, name):
    text = client.get("/metrics").text
    return [line for line in text.splitlines() if line.startswith(name)]


def test_metrics_label_requests_by_route_template(client, data):
    client.get(f"/jobs/{data['backend']}")
    client.get(f"/jobs/{data['backend']}")
    client.get("/jobs/999")
    client.get("/no/such/page")
    lines = metric_lines(client, "http_requests_total")
    assert 'http_requests_total{method="GET",route="/jobs/{job_id}",status="200"} 2.0' in lines
    assert 'http_requests_total{method="GET",route="/jobs/{job_id}",status="404"} 1.0' in lines
    assert 'http_requests_total{method="GET",route="other",status="404"} 1.0' in lines
    assert not any(f'/jobs/{data["backend"]}"' in line for line in lines)


def test_latency_histogram_has_the_slo_buckets(client, data):
    client.get("/jobs")
    lines = metric_lines(client, "http_request_latency_seconds_bucket")
    buckets = {re.search(r'le="([^"]+)"', line).group(1) for line in lines if 'route="/jobs"' in line}
    assert buckets == {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "5.0", "10.0", "+Inf"}
    counts = metric_lines(client, "http_request_latency_seconds_count")
    assert any('method="GET",route="/jobs"' in line for line in counts)


def test_metrics_count_server_errors_as_500(settings, data, monkeypatch):
    from store import queries

    monkeypatch.setattr(queries, "jobs_overview", lambda session: 1 / 0)
    with client_for(settings, raise_server_exceptions=False) as client:
        response = client.get("/jobs")
        assert response.status_code == 500 and "Something went wrong" in response.text
        assert 'http_requests_total{method="GET",route="/jobs",status="500"} 1.0' in metric_lines(
            client, "http_requests_total"
        )


def test_metrics_have_an_sse_client_gauge(client):
    assert metric_lines(client, "sse_clients") == ["sse_clients 0.0"]


# --- errors and security headers ---------------------------------------------------------------


def test_unknown_path_is_a_readable_404_page_or_json(client):
    response = client.get("/nope")
    assert response.status_code == 404 and "There is nothing at this address." in response.text
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.json() == {"error": "There is nothing at this address.", "status": 404}


def test_wrong_method_is_405(client, data):
    assert client.get(f"/candidates/{data['ada']}/delete").status_code == 405


def test_security_headers(client):
    headers = client.get("/jobs").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_every_state_change_is_csrf_protected(client):
    unsafe = [
        route
        for route in client.app.routes
        if getattr(route, "methods", None) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(unsafe) >= 8
    for route in unsafe:
        assert getattr(route.endpoint, "csrf_protected", False), route.path
    assert csrf_protect  # the decorator that marks them


def test_static_assets_are_vendored(client):
    for name in ("htmx.min.js", "htmx-ext-sse.min.js", "shortlist.css", "shortlist.js"):
        assert client.get(f"/static/{name}").status_code == 200
    html = client.get("/jobs").text
    assert "https://" not in "".join(re.findall(r"<script[^>]*>", html))


# --- the feed-invalidated read cache ---------------------------------------------------------------


def test_a_cached_ranking_follows_the_change_feed(client, seeder, data):
    first = rows_of(client, f"/jobs/{data['backend']}.json")
    assert rows_of(client, f"/jobs/{data['backend']}.json") == first  # served from the cache
    seeder.resume("Zoe Newcomer", ["Python", "PostgreSQL", "Docker", "Kubernetes", "Redis"], 9)
    wait_for(
        lambda: "Zoe Newcomer" in [r["name"] for r in rows_of(client, f"/jobs/{data['backend']}.json")["candidates"]],
        timeout=5,
        interval=0.05,
        message="the cached ranking to follow the change feed",
    )
    assert "Zoe Newcomer" in client.get(f"/jobs/{data['backend']}").text


def test_read_cache_versions_invalidation_and_shared_misses():
    cache = ReadCache(entries=2, seconds=60)
    calls = []

    async def compute(value):
        calls.append(value)
        await asyncio.sleep(0.01)
        return value

    async def scenario():
        assert await cache.get("a", 1, lambda: compute("x")) == "x"
        assert await cache.get("a", 1, lambda: compute("y")) == "x"  # same version: cached
        assert await cache.get("a", 2, lambda: compute("y")) == "y"  # the feed moved
        cache.invalidate()  # this process wrote
        assert await cache.get("a", 2, lambda: compute("z")) == "z"
        results = await asyncio.gather(*(cache.get("b", 2, lambda: compute("b")) for _ in range(5)))
        assert results == ["b"] * 5  # one computation for five readers
        await cache.get("c", 2, lambda: compute("c"))
        assert list(cache.entries) == ["b", "c"]  # bounded, least recently used first out

    asyncio.run(scenario())
    assert calls == ["x", "y", "z", "b", "c"]


def test_read_cache_expires_and_does_not_keep_errors():
    cache = ReadCache(seconds=0.0)

    async def boom():
        raise RuntimeError("database down")

    async def scenario():
        with pytest.raises(RuntimeError):
            await cache.get("k", 1, boom)
        assert await cache.get("k", 1, lambda: asyncio.sleep(0, "v1")) == "v1"
        assert await cache.get("k", 1, lambda: asyncio.sleep(0, "v2")) == "v2"  # expired at once

    asyncio.run(scenario())


def test_errors_for_htmx_are_a_small_fragment_the_page_flashes(client, data):
    response = client.get("/jobs/999", headers={"HX-Request": "true", "HX-Target": "ranking-table"})
    assert response.status_code == 404
    assert response.text.strip() == (
        '<p class="alert alert-error" role="alert" data-status="404">There is no job 999.</p>'
    )


def test_a_cached_ranking_carries_each_visitors_own_csrf_token(client, data):
    url = f"/jobs/{data['backend']}"
    first = client.get(url)
    token = client.cookies[CSRF_COOKIE]
    client.cookies.clear()
    second = client.get(url)
    other = client.cookies[CSRF_COOKIE]
    assert token != other
    assert f'value="{token}"' in first.text and f'value="{other}"' in second.text
    assert token not in second.text
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "ranking-table"}).text
    assert fragment.lstrip().startswith('<section id="ranking-table"') and other in fragment
