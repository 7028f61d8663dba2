"""Every match row keeps its components and versions; the JSON a page is built from explains the rank."""

from pipeline.ingest import Ingestor
from store.db import session_scope
from store.queries import match_report, ranking
from tests.instance import db_rows
from tests.fixtures import sample_job, sample_resume


def test_a_match_stores_every_component_and_the_report_explains_it(settings, engine):
    resume = settings.inbox_dir("resume") / "ava.txt"
    job = settings.inbox_dir("job") / "role.txt"
    resume.write_text(sample_resume(0), encoding="utf-8")
    job.write_text(sample_job(0), encoding="utf-8")
    ingestor = Ingestor(settings, engine)
    try:
        assert [o.outcome for o in ingestor.process([job, resume])] == ["scored", "scored"]
    finally:
        ingestor.close()
    ((score, coverage, depth, text, role, experience, model, taxonomy),) = db_rows(
        settings,
        "SELECT score, coverage, depth, text_relevance, role_fit, experience_fit, model_version, "
        "taxonomy_version FROM match",
    )
    assert 0 < score <= 100 and 0 < coverage <= 1 and 0 < depth <= coverage and 0 < text <= 1
    assert 0.5 <= role <= 1.0 and experience is not None  # same family; a seniority step may be short
    assert model.startswith("relevance-") and taxonomy
    relations = {r[0] for r in db_rows(settings, "SELECT relation FROM match_skill WHERE matched")}
    assert relations and relations <= {"exact", "implied", "related", "broader"}
    assert db_rows(settings, "SELECT count(*) FROM match_skill WHERE NOT matched AND relation IS NOT NULL") == [(0,)]
    with session_scope(engine) as session:
        rows, _ = ranking(session, 1)
        report = match_report(session, 1, rows[0]["candidate_id"])
    assert rows[0]["components"]["coverage"] == round(100 * coverage, 1)
    assert report["components"] == rows[0]["components"] and report["model_version"] == model
    assert all(m["relation"] in relations and m["evidence"] for m in report["matched"])
