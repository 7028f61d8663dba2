"""Tests of the pure extraction core: skill mentions, requirements, years, kind, contact, title."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline.extract import Mention, contact, detect_kind, extract_skills, job_title, resume_years
from pipeline.requirements import classify_requirements, required_years
from pipeline.taxonomy import Taxonomy, fold, load_taxonomy
from tests import fixtures

TESTS = Path(__file__).resolve().parents[1]
TAXONOMY: Taxonomy = load_taxonomy(TESTS.parent / "skills")
TRAPS = yaml.safe_load((TESTS / "trap_corpus.yaml").read_text(encoding="utf-8"))
TODAY = date(2024, 6, 15)

RESUME = """\
Jane Doe
jane.doe@example.com | (415) 555-0134 | San Francisco, CA

SUMMARY
Engineer who likes boring, reliable systems.

SKILLS
Languages: Python, Go, SQL
Cloud: AWS (EC2, S3), Terraform, Kubernetes/Docker

EXPERIENCE
Staff Engineer, Acme Payments                      Mar 2020 – Present
- Moved the ledger to Go microservices on Kubernetes.
Software Engineer, Northwind                        06/2016 – 12/2019
- Built ETL jobs in Python and Airflow.

EDUCATION
B.S. Computer Science, University of Washington     2012 – 2016
"""

JOB = """\
Senior Backend Engineer

About the role
We are looking for an engineer to join our platform team. You will run services in Go.

Requirements
- 5+ years of professional experience
- Python and PostgreSQL
- Experience with AWS

Nice to have
- Kafka, Terraform
- Rust is a plus

How to apply: send your resume to jobs@acme.example.
"""


def skills(text: str) -> list[str]:
    return [m.skill for m in extract_skills(text, TAXONOMY)]


def pairs(text: str) -> list[tuple[str, str]]:
    return [(m.skill, m.surface) for m in extract_skills(text, TAXONOMY)]


# ---------------------------------------------------------------- hard cases


@pytest.mark.parametrize(
    "text, skill, surface",
    [
        ("Skills: C++ and Python", "C++", "C++"),
        ("Modern C++17 codebase", "C++", "C++17"),
        ("Services in C#, tests in NUnit", "C#", "C#"),
        ("Data pipelines in F#.", "F#", "F#"),
        ("Ten years of .NET development", ".NET", ".NET"),
        ("Web APIs on ASP.NET Core", "ASP.NET", "ASP.NET Core"),
        ("APIs in Node.js and Express", "Node.js", "Node.js"),
        ("SPA written in Vue.js 3", "Vue.js", "Vue.js"),
        ("Built CI/CD pipelines", "CI/CD", "CI/CD"),
        ("Strong TCP/IP fundamentals", "TCP/IP", "TCP/IP"),
        ("Operated k8s clusters", "Kubernetes", "k8s"),
        ("Ran K8s on bare metal", "Kubernetes", "K8s"),
        ("Tuned Postgres queries", "PostgreSQL", "Postgres"),
        ("Frontend in JS with some jQuery", "JavaScript", "JS"),
        ("Typed the frontend in TS and React", "TypeScript", "TS"),
        ("Wrote CLIs in Go for our platform", "Go", "Go"),
        ("Golang microservices", "Go", "Golang"),
    ],
)
def test_hard_cases_are_found(text, skill, surface):
    assert (skill, surface) in pairs(text)


@pytest.mark.parametrize(
    "text, skill",
    [
        ("We built our go to market strategy in Q3.", "Go"),
        ("Head of R&D for five years.", "R"),
        ("Excellent organisational skills.", "Excel"),
        ("Spring 2019 semester abroad.", "Spring"),
        ("She reacted calmly under pressure.", "React"),
        ("Tickets were closed swiftly.", "Swift"),
        ("Earned the trust of every client.", "Rust"),
        ("Vitamin C supplementation study.", "C"),
        ("Take a rest day between runs.", "REST"),
        ("JavaScript developer with jQuery experience.", "Java"),
    ],
)
def test_hard_traps_are_not_found(text, skill):
    assert skill not in skills(text)


def test_java_is_not_found_inside_javascript_but_both_are_found_separately():
    assert skills("JavaScript and Java") == ["JavaScript", "Java"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Python, Java", ["Python", "Java"]),
        ("(AWS)", ["AWS"]),
        ("Kubernetes/Docker", ["Kubernetes", "Docker"]),
        ("Python-based tools", ["Python"]),
        ("Terraform-managed, AWS-hosted", ["Terraform", "AWS"]),
        ("[Django]; {Redis}.", ["Django", "Redis"]),
        ('"PostgreSQL"', ["PostgreSQL"]),
        ("AWS:EC2", ["AWS", "Amazon EC2"]),
        ("•Python•Go•Rust", ["Python", "Go", "Rust"]),
        ("C/C++", ["C", "C++"]),
        ("C#/.NET", ["C#", ".NET"]),
        ("Machine-Learning and machine\nlearning", ["Machine learning", "Machine learning"]),
    ],
)
def test_punctuation_adjacent_and_hyphenated_forms_match(text, expected):
    assert skills(text) == expected


def test_a_resume_line_opening_in_the_past_tense_names_the_activity():
    text = "Tutored 15 Year 11 students in GCSE maths.\n- Debugged and profiled slow API endpoints.\nEnjoyed it.\n"
    found = [(m.skill, m.surface) for m in extract_skills(text, TAXONOMY, "resume")]
    assert ("Tutoring", "Tutored") in found and ("Debugging", "Debugged") in found
    assert "Tutoring" not in skills("Our kids were tutored by a neighbour.")  # not a line's opening verb


@pytest.mark.parametrize("case", TRAPS, ids=[c["text"][:40] for c in TRAPS])
def test_trap_corpus(case):
    found = set(skills(case["text"]))
    for name in case.get("found", []):
        assert name in TAXONOMY, f"{name} is not a skill"
        assert name in found, f"{name} not found in {case['text']!r}: {found}"
    for name in case.get("absent", []):
        assert name in TAXONOMY, f"{name} is not a skill"
        assert name not in found, f"{name} wrongly found in {case['text']!r}"


def test_trap_corpus_is_large():
    assert len(TRAPS) >= 150
    assert sum(len(c.get("absent", [])) for c in TRAPS) >= 150


def test_mention_carries_offsets_category_and_snippet():
    text = "Summary.\n\nFor the last   six years I have written backend services in Python and operated them on AWS."
    python = next(m for m in extract_skills(text, TAXONOMY) if m.skill == "Python")
    assert isinstance(python, Mention)
    assert python.category == "Programming languages"
    assert text[python.start : python.end] == python.surface == "Python"
    assert "Python" in python.snippet
    assert "  " not in python.snippet and "\n" not in python.snippet
    assert 40 <= len(python.snippet) <= 80


def test_case_sensitive_forms_need_exact_case():
    assert "Go" not in skills("GO, Python") + skills("go, python")
    assert "Excel" in skills("Excel, Word") and "Excel" not in skills("excel, word")
    assert "SAP" in skills("SAP, Oracle") and "SAP" not in skills("sap, oracle")


def test_context_word_or_skills_list_admits_an_ambiguous_form():
    assert "Go" in skills("Fluent programmer in Go.")  # context word on the line
    assert "Go" in skills("Languages: Go, Rust")  # a skills list
    assert "Go" in skills("Python, Go") and "Go" in skills("Python\nGo")
    assert "Go" not in skills("Python\n\nGo")  # not across a paragraph break
    assert "Go" in skills("Languages:\nPython\nGo\nSQL")  # one per line
    assert "Go" not in skills("Go!")  # neither
    assert "Go" not in skills("Go team, go!")  # not a list item on its own
    assert "Go" in skills("Nice to have:\n- Go")  # an item of a labelled list


def test_a_rejected_long_form_falls_back_to_a_shorter_one():
    assert pairs("Azure pipelines") == [("Microsoft Azure", "Azure")]  # "Azure Pipelines" is case-sensitive
    assert pairs("Azure Pipelines") == [("Azure DevOps", "Azure Pipelines")]


def test_every_mention_in_text_order():
    found = extract_skills(RESUME, TAXONOMY)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert [m.skill for m in found][:4] == ["Python", "Go", "SQL", "AWS"]


def test_empty_and_skill_free_text():
    assert extract_skills("", TAXONOMY) == []
    assert extract_skills("the quick brown fox jumps over the lazy dog", TAXONOMY) == []


# ---------------------------------------------------------------- property tests

SAFE_FORMS = sorted(  # forms that count anywhere: no hints, and not everyday words or names
    form
    for s in TAXONOMY.skills.values()
    if not (s.case_sensitive or s.context or s.exclude)
    for form in s.forms
    if not (TAXONOMY.matcher.forms[fold(form)].ambiguous or TAXONOMY.matcher.forms[fold(form)].name_like)
)
FORM_SKILL = {form: s.name for s in TAXONOMY.skills.values() for form in s.forms}
filler = st.text(alphabet="abcdefghijklmnopqrstuvwxyz \n", max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
@example("C++ C# F# .NET Node.js Vue.js CI/CD TCP/IP k8s Postgres JS/TS Go/Golang")
@example("Résumé — Python/Go · R&D · C++17\u00a0AWS\u2011Lambda İstanbul ß")
def test_mentions_are_exact_ordered_spans(text):
    found = extract_skills(text, TAXONOMY)
    previous_end = -1
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        assert m.surface == m.surface.strip(" \t\n-") != ""
        assert m.start >= previous_end  # increasing, never overlapping
        previous_end = m.end
        assert TAXONOMY.skills[m.skill].category == m.category
        assert " ".join(m.surface.split()) in m.snippet


@settings(max_examples=300, deadline=None)
@given(filler, st.sampled_from(SAFE_FORMS), filler)
@example("spring", "Cloud Bigtable", "")
def test_a_skill_name_surrounded_by_spaces_in_lowercase_filler_is_found(before, form, after):
    text = f"{before} {form} {after}"
    start, end = len(before) + 1, len(before) + 1 + len(form)
    found = extract_skills(text, TAXONOMY)
    # Every character of the name is part of a mention; filler may join its first word
    # into a longer form ("spring" + "Cloud Bigtable" reads "Spring Cloud", "Bigtable").
    covered = {i for m in found for i in range(m.start, m.end)}
    assert all(i in covered for i in range(start, end) if not text[i].isspace()), (
        text,
        [(m.skill, m.surface) for m in found],
    )
    exact = [m for m in found if (m.start, m.end) == (start, end)]
    assert not exact or exact[0].skill == FORM_SKILL[form]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SAFE_FORMS), min_size=1, max_size=8))
def test_a_comma_separated_list_finds_each_skill(forms):
    text = "Skills: " + ", ".join(forms)
    names = {m.skill for m in extract_skills(text, TAXONOMY)}
    assert {FORM_SKILL[f] for f in forms} <= names


# ---------------------------------------------------------------- required / preferred


def test_classify_sections_and_phrases():
    found = extract_skills(JOB, TAXONOMY, "job")
    labels = classify_requirements(JOB, found)
    assert labels["Python"] == labels["PostgreSQL"] == labels["AWS"] == "required"
    assert labels["Go"] == "required"  # outside any requirements section: default
    assert labels["Apache Kafka"] == labels["Terraform"] == labels["Rust"] == "preferred"
    assert set(labels) == {m.skill for m in found}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Requirements:\n- Python\n\nPreferred qualifications:\n- Go", {"Python": "required", "Go": "preferred"}),
        ("Must have: Python. Nice to have: Docker.", {"Python": "required", "Docker": "preferred"}),
        ("Experience with Kubernetes is a plus.", {"Kubernetes": "preferred"}),
        ("Bonus: Terraform", {"Terraform": "preferred"}),
        ("Familiarity with Tableau is desirable.", {"Tableau": "preferred"}),
        ("Python is required and Docker is a plus.", {"Python": "required", "Docker": "preferred"}),
        (
            "Python and SQL are required, Docker would be great.",
            {"Python": "required", "SQL": "required", "Docker": "preferred"},
        ),
        ("Ideally you know Redis.", {"Redis": "preferred"}),
        ("Kubernetes experience preferred but not required.", {"Kubernetes": "preferred"}),
        ("## Qualifications\n- Excel\n## Bonus points\n- SQL", {"Excel": "required", "SQL": "preferred"}),
        ("NICE TO HAVE\n- Figma\nREQUIRED SKILLS\n- Photoshop", {"Figma": "preferred", "Adobe Photoshop": "required"}),
        ("Nice to have:\n- Docker (required for the platform team)", {"Docker": "required"}),
        ("We use Jira and Confluence every day.", {"Jira": "required", "Confluence": "required"}),
        ("We welcome people who know Python.", {"Python": "required"}),
        ("Excel is an advantage; take advantage of our SQL training.", {"Excel": "preferred", "SQL": "required"}),
    ],
)
def test_classify_examples(text, expected):
    assert classify_requirements(text, extract_skills(text, TAXONOMY)) == expected


def test_required_anywhere_wins_over_preferred_elsewhere():
    text = "Nice to have: Docker.\n\nRequirements:\n- Docker and Python"
    assert classify_requirements(text, extract_skills(text, TAXONOMY))["Docker"] == "required"
    text = "Requirements:\n- Docker\n\nNice to have:\n- Docker Swarm, Helm charts"
    assert classify_requirements(text, extract_skills(text, TAXONOMY))["Docker"] == "required"


# ---------------------------------------------------------------- years


@pytest.mark.parametrize(
    "text, years",
    [
        ("5+ years of experience with Python", 5),
        ("At least three years of experience.", 3),
        ("Minimum of 2 years in a similar role", 2),
        ("3-5 years of professional experience", 3),
        ("3 to 5 years experience", 3),
        ("Five (5) years of relevant experience", 5),
        ("a minimum of twelve years' experience", 12),
        ("10+ yrs exp in sales", 10),
        ("Requires 7 years of backend experience and 2+ years with Go", 7),
        ("Over fifteen years in healthcare administration", 15),
        ("Founded 20 years ago, we are a family company.", None),
        ("No experience needed.", None),
        ("We have been in business for 30 years.", None),
        ("Requirements:\n- 4+ years of SQL\nNice to have:\n- 8+ years in fintech", 4),
        ("Ideally 2+ years of experience.", 2),
        ("Experience: 2 years minimum", 2),
        ("3 years or more in retail", 3),
        ("We are a 10-year-old company with a 401(k) plan.", None),
    ],
)
def test_required_years(text, years):
    assert required_years(text) == years


@given(
    st.integers(min_value=1, max_value=15),
    st.sampled_from(
        [
            "{n}+ years of experience",
            "at least {n} years of experience",
            "minimum of {n} years experience",
            "{n}-{m} years of experience",
            "{w} years of professional experience",
            "at least {w} years in the field",
        ]
    ),
)
def test_required_years_property(n, template):
    words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    text = "We are hiring. " + template.format(n=n, m=n + 2, w=words[n - 1]) + " is required."
    assert required_years(text) == n


@pytest.mark.parametrize(
    "text, years",
    [
        ("Over 8 years of experience building APIs.", 8.0),
        ("Senior nurse with ten years' clinical experience.", 10.0),
        ("Acme, Jan 2015 – Mar 2019", 4.2),
        ("Acme, January 2015 - March 2019\nBeta, Apr 2019 - Present\nUpdated 2024", 9.5),
        ("Acme 03/2018 – 06/2020", 2.3),
        ("Acme 2019 - Present (resume of 2024)", 5.5),
        ("Acme 2019 - Present", 1.0),  # an open role runs to the latest year the document names
        ("Acme 2015–2019", 4.0),
        ("Acme Jan 2018 - Dec 2020\nBeta Jun 2019 - Jun 2021", 3.5),  # overlaps counted once
        ("Acme Sept. 2021 to current; 2024", 2.8),
        ("Acme June 2022 -\nPresent\nMay 2024 newsletter", 2.1),  # a range broken over a line
        ("Acme April 2015\nto\nCurrent\n\nBeta July 2011\nto\nJuly 2014 (2016)", 4.8),
        ("Acme 2019–now, 2021", 3.0),
        ("Senior engineer with 7 years building data platforms.", 7.0),
        ("Over a decade of experience in retail banking.", 10.0),
        ("Working professionally in finance since 2015. Updated 2024.", 9.0),
        ("6+ years of experience.\nAcme Jan 2020 - Present\n2024", 6.0),  # a stated total wins over an open role
        ("Acme Jan 2018 - Dec 2020\nSummer intern, Beta Jun 2016 - Aug 2016", 3.0),  # student jobs left out
        ("Interests\nChess club 2001 - 2020\nExperience\nAcme 2020 - 2022", 2.0),
        ("No dates and no claims here.", None),
        ("EDUCATION\nBSc, 2010 - 2014\nEXPERIENCE\nAcme, 2020 - 2022", 2.0),
        ("Acme Jan 2030 - Present", None),
    ],
)
def test_resume_years(text, years):
    assert resume_years(text, today=TODAY) == years


def test_resume_years_takes_the_larger_of_claims_and_dates():
    assert resume_years("12 years of experience.\nAcme 2020 - 2022", today=TODAY) == 12.0
    assert resume_years("2 years of experience with Go.\nAcme 2010 - 2022", today=TODAY) == 12.0


def test_resume_years_defaults_today_to_now():
    assert resume_years("Acme, 2000 - Present; updated 2024") >= 23.0


@given(st.lists(st.tuples(st.integers(1990, 2022), st.integers(0, 11), st.integers(1, 60)), min_size=1, max_size=5))
def test_resume_years_union_is_bounded_by_sum_and_max(spans):
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    lines, lengths = [], []
    for year, month, length in spans:
        end = year * 12 + month + length - 1
        if end // 12 > 2023:
            continue
        lines.append(f"Job {months[month]} {year} - {months[end % 12]} {end // 12}")
        lengths.append(length / 12)
    assume(lines)
    total = resume_years("\n".join(lines), today=TODAY)
    assert max(lengths) - 0.06 <= total <= sum(lengths) + 0.06  # rounded to 0.1


# ---------------------------------------------------------------- kind, contact, title


def test_detect_kind():
    assert detect_kind(RESUME) == "resume"
    assert detect_kind(JOB) == "job"
    assert detect_kind("Responsibilities\nYou will own our data platform.\nRequirements\n- SQL") == "job"
    assert detect_kind("John Smith\njohn@x.org\nExperience\nAcme 2019 - 2022") == "resume"


def test_contact():
    assert contact(RESUME) == ("Jane Doe", "jane.doe@example.com")
    assert contact("RESUME\nMaría José García-López\nmaria@example.es") == (
        "María José García-López",
        "maria@example.es",
    )
    assert contact("Curriculum Vitae\n\nJOHN A. SMITH | john.smith@mail.co.uk | +44 20 7946 0958") == (
        "JOHN A. SMITH",
        "john.smith@mail.co.uk",
    )
    assert contact("Name: Ana de la Cruz\nEmail: ana@x.io") == ("Ana de la Cruz", "ana@x.io")
    assert contact("Senior Software Engineer\n12 Main Street\nno email here") == (None, None)


@pytest.mark.parametrize(
    "text, title",
    [
        (JOB, "Senior Backend Engineer"),
        ("Acme Corp careers\nJob Title: Data Analyst II\nLocation: Remote", "Data Analyst II"),
        ("Position: Registered Nurse (ICU)\nAbout us", "Registered Nurse (ICU)"),
        ("Job Description\n\n## **Product Designer**\nWe are hiring", "Product Designer"),
        ("", None),
    ],
)
def test_job_title(text, title):
    assert job_title(text) == title


# ---------------------------------------------------------------- the shared sample documents


def canonical(name: str) -> str:
    found = extract_skills(f"Skills: {name}, Kotlin", TAXONOMY)
    assert found and found[0].start == len("Skills: "), name
    return found[0].skill


@pytest.mark.parametrize("i", range(0, 48, 3))
def test_sample_resumes_round_trip(i):
    text = fixtures.sample_resume(i, long=i % 2 == 0)
    found = {m.skill for m in extract_skills(text, TAXONOMY)}
    assert {canonical(s) for s in fixtures.resume_skills(i)} <= found
    assert detect_kind(text) == "resume"
    assert contact(text) == (fixtures.candidate_name(i), fixtures.candidate_email(i))
    assert resume_years(text, today=TODAY) > 0


@pytest.mark.parametrize("i", range(16))
def test_sample_jobs_round_trip(i):
    text = fixtures.sample_job(i)
    found = extract_skills(text, TAXONOMY)
    labels = classify_requirements(text, found)
    required, preferred = fixtures.job_skills(i)
    in_title = {m.skill for m in extract_skills(fixtures.job_title(i), TAXONOMY)}
    assert all(labels[canonical(s)] == "required" for s in required)
    assert all(labels[canonical(s)] == "preferred" for s in preferred if canonical(s) not in in_title)
    assert detect_kind(text) == "job"
    assert required_years(text) == fixtures.job_years(i)
    assert job_title(text) == fixtures.job_title(i)


# ---------------------------------------------------------------- one resume, two formats

_TWO_FORMAT_RESUME = """Dana Whitfield
dana.whitfield@example.org | +1 555 0142 | Portland, OR

Summary
Data engineer with 6 years of experience building batch and streaming pipelines for retail analytics teams.

Experience
Senior Data Engineer, Riverbend Outfitters - March 2021 - Present
- Built ETL jobs in Python and PySpark on Databricks that load 2 TB a day into Snowflake.
- Orchestrated 140 Airflow DAGs; moved the team from cron to Apache Airflow and Docker on Kubernetes.
- Modelled sales marts with dbt and star schemas; wrote code reviews and technical documentation.
Data Engineer, Northfield Insurance - June 2017 - February 2021
- Maintained Kafka consumers in Java and Scala; tuned PostgreSQL queries and Redis caches.

Skills
Python, SQL, Scala, Java, Apache Spark, Apache Kafka, Terraform, AWS (S3, Glue, Redshift), Git, Tableau

Education
B.S. in Computer Science, Oregon State University, 2017

Interests
Trail running, sourdough baking, chess"""


def test_a_pdf_and_a_docx_of_the_same_resume_give_the_same_skills():
    """The same resume written to PDF (reportlab) and to Word (python-docx), parsed and analysed
    by the real stages, yields the same skills, each with the same count."""
    from pipeline.parse import parse_bytes
    from pipeline.stages import Analysis, analyse_text
    from tests.fixtures import make_docx, make_pdf

    found = {}
    for name, data in (
        ("cv.pdf", make_pdf(_TWO_FORMAT_RESUME)),
        ("cv.docx", make_docx(_TWO_FORMAT_RESUME.split("\n"))),
    ):
        item = Analysis(filename=name, kind="resume", text=parse_bytes(data, name).text)
        analyse_text(item, TAXONOMY)
        found[name] = sorted(m.skill for m in item.mentions)
    assert found["cv.pdf"] == found["cv.docx"]
    assert {
        "Python",
        "Apache Spark",
        "PySpark",
        "Apache Airflow",
        "Snowflake",
        "Star schema",
        "Code review",
        "Technical documentation",
        "Apache Kafka",
        "Amazon S3",
    } <= set(found["cv.pdf"])
    assert "Computer science" not in found["cv.pdf"]  # a field of study, not a claim


def _names(text: str, kind: str = "resume") -> set[str]:
    return {m.skill for m in extract_skills(text, TAXONOMY, kind)}


def test_a_lower_case_name_counts_with_its_own_context_word_when_the_word_means_the_skill():
    assert "Reporting" in _names("Support ad-hoc reporting needs for the team.")
    assert "Git" not in _names("The lazy git never returned my ladder.")
    assert "Epic" not in _names("Completed an epic ride for the children's hospital.")


def test_a_run_on_sentence_after_a_full_stop_is_not_a_host_name():
    assert "Copywriting" in _names("Extensive print production knowledge.Copywriting and proofreading experience.")
    assert "Python" not in _names("See docs at www.python.org for details.")


def test_an_en_dash_is_a_gap_inside_a_form():
    assert "AWS Certified Data Analytics Specialty" in _names("AWS Certified Data Analytics – Specialty (2021)")


def test_an_abbreviation_in_brackets_may_sit_inside_a_form():
    assert "UI design" in _names("Led user interface (UI) design for two products.")


def test_a_group_noun_inside_the_next_skill_names_no_group():
    found = {m.skill for m in extract_skills("Skills: 1099 filings, Building teams", TAXONOMY)}
    assert {"1099 reporting", "Team building"} <= found  # "teams" is part of "Building teams"
    assert "Sales" not in {m.skill for m in extract_skills("Worked with the sales and marketing teams.", TAXONOMY)}
