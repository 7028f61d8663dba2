"""Tests of word sense (wordfreq flags), sections, names and titles of resumes and job descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import sense
from pipeline.extract import counted, extract_skills
from pipeline.sections import Section, heading_name, sections
from pipeline.titles import candidate_name, job_title, resume_titles
from pipeline.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(Path(__file__).resolve().parents[2] / "skills")


def skills(text: str, kind: str | None = None) -> set[str]:
    found = extract_skills(text, TAXONOMY, kind)
    return {m.skill for m in (counted(found, kind) if kind else found)}


# ---------------------------------------------------------------- word sense from data


@pytest.mark.parametrize(
    "form, ordinary",
    [
        ("Spark", True),
        ("Slack", True),
        ("Airflow", True),
        ("Bash", True),
        ("React", True),
        ("Kubernetes", False),
        ("Terraform", False),
        ("Linux", False),  # jargon, or a name across languages
        ("Scheduling", False),
        ("Statistics", False),  # activity and field nouns mean the skill
        ("AWS", False),
        ("PyTorch", False),
        ("C++", False),
        ("Node.js", False),
        ("Risk Management", False),
        ("Containers", False),  # a plural of a common noun names a kind of thing
    ],
)
def test_ordinary_words_are_decided_from_word_frequencies(form, ordinary):
    assert sense.is_ordinary_word(form) is ordinary


def test_only_technology_categories_flag_everyday_words():
    assert sense.ambiguous("Spark", "Data & ML")
    assert not sense.ambiguous("Payroll", "Office & business")


def test_flags_are_computed_once_at_compile_time():
    form = TAXONOMY.matcher.forms["airflow"]
    assert form.ordinary and form.ambiguous
    assert not TAXONOMY.matcher.forms["kubernetes"].ambiguous


@pytest.mark.parametrize(
    "text, skill",
    [
        ("Scheduled ETL jobs in Airflow and dbt.", "Apache Airflow"),
        ("Skills: Spark, Hadoop, Hive", "Apache Spark"),
        ("Upgraded the admin dashboard to Vue 3.", "Vue.js"),
        ("Automated provisioning scripts in Bash.", "Bash"),
        ("Wrote services in Python 3.12.", "Python"),
        ("Rewrote the parser in Rust.", "Rust"),
    ],
)
def test_ambiguous_forms_count_with_technical_context(text, skill):
    assert skill in skills(text)


@pytest.mark.parametrize(
    "text, skill",
    [
        ("Balanced airflow across the operating theatres.", "Apache Airflow"),
        ("Organised the office summer bash.", "Bash"),
        ("Night porter at the Hotel Bella Vue.", "Vue.js"),
        ("A python escaped from the reptile house.", "Python"),
        ("My grandfather was a docker in Liverpool.", "Docker"),
    ],
)
def test_everyday_senses_do_not_count(text, skill):
    assert skill not in skills(text)


@pytest.mark.parametrize(
    "listed, skill, counts",
    [
        ("QuickBooks, Sage, Payroll, Bookkeeping, Express, Budgeting", "Express.js", False),
        ("Node.js, MongoDB, Express, React", "Express.js", True),
        ("Patient care, Wound care, Monitoring, Phlebotomy, Triage", "Monitoring", False),
        ("Prometheus, Grafana, Monitoring, Alerting", "Monitoring", True),
        ("Express, Git", "Express.js", True),  # too few skills around to tell
    ],
)
def test_a_listed_everyday_word_with_no_skill_of_its_kind_around_is_the_everyday_word(listed, skill, counts):
    assert (skill in skills(f"Skills\n{listed}\n", "resume")) is counts


@pytest.mark.parametrize(
    "text, counts",
    [
        ("Computer skills in power point, word, spreadsheets", True),
        ("Proficient in Excel, word and Outlook.", True),
        ("I excel at chess, word games and puzzles.", False),  # no product of its kind beside it
        ("Gave my word and PowerPoint slides to the board.", False),  # not an item of the list
    ],
)
def test_a_lower_case_product_beside_an_item_of_its_kind_names_it(text, counts):
    assert ("Microsoft Word" in skills(text, "resume")) is counts


def test_hobbies_and_references_never_count_ambiguous_or_not():
    text = "Experience\nAcme, 2019 - 2022\nBuilt pipelines in Kubernetes.\n\nHobbies\nSpark, Hive, Kubernetes\n"
    found = extract_skills(text, TAXONOMY, "resume")
    assert {m.skill for m in counted(found, "resume")} == {"Kubernetes"}
    assert [m.section for m in found if m.skill == "Kubernetes"] == ["experience", "interests"]
    assert "Apache Spark" not in {m.skill for m in found}


def test_a_line_labelled_interests_or_references_is_that_section_alone():
    text = (
        "Experience\nCustomer service at a garden centre.\n"
        "Reference: Ian Moss, Customer Service Manager, Harbour Hotel\n"
        "Hobbies & Interests: photography, baking, chess\nTrained new staff on the till.\n"
    )
    found = extract_skills(text, TAXONOMY, "resume")
    assert [(m.skill, m.section) for m in found if m.skill == "Customer service"] == [
        ("Customer service", "experience"),
        ("Customer service", "references"),
    ]
    assert [s.name for s in sections(text, "resume")] == ["experience", "references", "interests"]
    assert sections(text, "resume")[2].end == text.index("Trained")  # the next line is experience again


# ---------------------------------------------------------------- sections

RESUME = """Ana Lima
ana@example.org

PROFESSIONAL SUMMARY
Backend engineer.

Work Experience
Senior Backend Engineer | Acme | Jan 2020 - Present
- Go services on Kubernetes.

Technical Skills:
Python, Go, PostgreSQL

Education
BSc Computing, 2012 - 2016

Interests
Chess, hiking

References
Available on request.
"""

JOB = """Senior Backend Engineer

## About us
We are a fintech. Our stack includes Kafka and Snowflake.

## Requirements
- Python and PostgreSQL

## Nice to have
- Terraform

## Benefits
- Free Docker training budget
"""


def test_resume_sections_in_order():
    assert [s.name for s in sections(RESUME, "resume")] == [
        "summary",
        "experience",
        "skills",
        "education",
        "interests",
        "references",
    ]
    for s in sections(RESUME, "resume"):
        assert isinstance(s, Section) and 0 <= s.start < s.end <= len(RESUME)


def test_job_sections_and_what_counts():
    assert [s.name for s in sections(JOB, "job")] == ["title", "about", "requirements", "preferred", "benefits"]
    assert skills(JOB, "job") == {"Python", "PostgreSQL", "Terraform"}  # title, about us, benefits don't


def test_the_title_line_is_a_role_not_a_skill():
    assert "Backend development" not in skills(JOB, "job")


ROLE_JOB = """Data Scientist

We are looking for a Data Scientist to join our team, working beside frontend developers,
Site Reliability Engineers and our Marketing Manager.

Requirements
- Python and SQL; Python developers welcome
- Registered Nurse licence for the health analytics track
"""


def test_a_jobs_role_names_are_roles_not_required_skills():
    found = skills(ROLE_JOB, "job")
    assert {"Data science", "Frontend development", "Site Reliability Engineering", "Marketing"}.isdisjoint(found)
    assert {"Python", "SQL", "Nursing"} <= found  # a product before a role word, a credential named as a role


def test_a_field_before_a_capitalised_role_names_a_role():
    job = (
        "Android Developer\n\nOur consultants include:\n* Software Testers\n* AML Compliance Analysts\n\n"
        "Requirements\n- Kotlin\n"
    )
    assert "Anti-money laundering" not in skills(job, "job")
    assert "Kotlin" in skills(job, "job")


def test_a_job_boards_details_of_the_post_ask_for_no_skill():
    job = (
        "Product Manager\n\n**Salary range:** GS-14. Total compensation will include locality pay.\n"
        "**Security clearance:** Public trust.\n\nRequirements\n- Product roadmaps\n- Security clearance\n"
    )
    found = skills(job, "job")
    assert "Compensation" not in found
    assert "Security clearance" in found  # asked for where the requirements are


def test_a_field_asked_for_in_a_job_still_counts():
    job = "Data Scientist\n\nRequirements\n- 3+ years of data science experience\n- Frontend development in React\n"
    assert {"Data science", "Frontend development", "React"} <= skills(job, "job")
    job = "Web Developer\n\nYou will build our site. Must be a full-stack developer who knows React.\n"
    assert {"Full-stack development", "React"} <= skills(job, "job")  # the role asked of the candidate


COMPANY_JOB = """Support Specialist

Acme Payroll is a nationwide leader in payroll software. Our services include HR counseling and
time and attendance.

We recently launched a private cloud infrastructure with business continuity built in.

### Reporting & Work Conditions
- Reports to the support manager.

Requirements
- You bring Zendesk and Salesforce experience; Excel is a plus.
"""


def test_a_jobs_paragraphs_about_the_company_and_its_headings_ask_for_nothing():
    found = skills(COMPANY_JOB, "job")
    assert {"Zendesk", "Salesforce", "Microsoft Excel"} <= found or {"Zendesk", "Salesforce", "Excel"} <= found
    assert {"Payroll", "Time and attendance", "Cloud architecture", "Business continuity"}.isdisjoint(found)
    assert "Reporting" not in found  # a heading names a part of the posting
    assert "Payroll" in skills(COMPANY_JOB.replace("- You bring", "- You bring payroll,"), "job")


def test_a_paragraph_speaking_to_the_reader_is_not_about_the_company():
    job = "Analyst\n\nOur clients rely on Tableau dashboards you will build with SQL.\n"
    assert {"Tableau", "SQL"} <= skills(job, "job")


def test_a_jobs_duties_name_activities_by_their_opening_verbs():
    job = (
        "HR Generalist\n\nResponsibilities\n- Recruit, onboard, and retain diverse talent.\n"
        "- Schedule the week's deliveries.\n- Network with local colleges.\n"
    )
    found = skills(job, "job")
    assert {"Recruiting", "Onboarding", "Scheduling"} <= found
    assert "Computer networking" not in found  # a verb whose -ing form needs context does not count
    resume = "Experience\n- Recruit new members for the chess club.\n"
    assert "Recruiting" not in skills(resume, "resume")  # duty verbs are read in job descriptions only


def test_a_duty_verb_that_is_also_a_role_word_is_the_activity():
    job = "School Counselor\n\nResponsibilities\n- Counsel students on career plans.\n- Dispatch drivers daily.\n"
    assert {"Counseling", "Dispatching"} <= skills(job, "job")


def test_a_fields_team_is_colleagues_not_a_skill():
    resume = (
        "Experience\n- Worked with the sales and marketing teams on launches.\n"
        "- Partnered with the finance department.\n"
    )
    assert {"Sales", "Marketing", "Finance"}.isdisjoint(skills(resume, "resume"))
    assert "Marketing" in skills("Experience\n- Ran marketing campaigns for three products.\n", "resume")


def test_a_resumes_role_still_shows_its_field():
    resume = "Jane Doe\n\nExperience\nSenior Data Scientist, Acme, 2019 - 2023\n- Built churn models in Python\n"
    assert "Data science" in skills(resume, "resume")


@pytest.mark.parametrize("fence", ["---", "+++"])
def test_a_job_boards_front_matter_is_metadata_not_requirements(fence):
    job = (
        f"{fence}\ntitle: Data Engineer\ntype: iOS\nhttp: https\napply: jobs.example.com/42\n{fence}\n\n"
        "Requirements:\n- Python and Airflow\n"
    )
    assert [s.name for s in sections(job, "job")][:2] == ["metadata", "title"]
    assert skills(job, "job") == {"Python", "Apache Airflow"}
    assert job_title(job) == "Data Engineer"


@pytest.mark.parametrize(
    "line, kind, name",
    [
        ("EMPLOYMENT HISTORY", "resume", "experience"),
        ("**Skills:**", "resume", "skills"),
        ("Hobbies & Interests", "resume", "interests"),
        ("## What we offer", "job", "benefits"),
        ("Preferred Qualifications", "job", "preferred"),
        ("About the role", "job", "responsibilities"),
        ("Experience with Go is required.", "job", None),
        ("Built 3 services in 2019", "resume", None),
    ],
)
def test_heading_names(line, kind, name):
    assert heading_name(line, kind) == name


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400), st.sampled_from(["resume", "job"]))
def test_sections_are_ordered_spans_inside_the_text(text, kind):
    found = sections(text, kind)
    assert [s.start for s in found] == sorted(s.start for s in found)
    for s in found:
        assert 0 <= s.start <= s.end <= len(text)


def test_sections_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be"):
        sections("text", "letter")


# ---------------------------------------------------------------- fields of study


@pytest.mark.parametrize(
    "text, studied, claimed",
    [
        (
            "Bachelor's degree in Computer Science, Statistics, or a related field.",
            {"Computer science", "Statistics"},
            set(),
        ),
        ("M.S. in Data Science | Stanford University | 2019", {"Data science"}, set()),
        ("Major: Accounting. Prepared monthly accounting reports in Excel.", set(), {"Accounting", "Excel"}),
        ("BS in Nursing; 6 years of nursing in a Level I trauma centre.", set(), {"Nursing"}),
        (
            "Bachelor's degree in computer science and strong data analysis experience.",
            {"Computer science"},
            {"Data analysis"},
        ),
        (
            "Maintained Linux servers; MS Office and MS Project daily.",
            set(),
            {"Linux", "Microsoft Office", "Microsoft Project"},
        ),
    ],
)
def test_a_field_of_study_is_not_a_skill_claim(text, studied, claimed):
    found = skills(text, "resume")
    assert claimed <= found
    assert not studied & found


def test_a_field_studied_and_practised_still_counts():
    assert "Statistics" in skills("M.Sc. in Statistics\nApplied statistics to churn models at a telecom.", "resume")


# ---------------------------------------------------------------- names and titles


@pytest.mark.parametrize(
    "text, name",
    [
        ("EMPLOYMENT HISTORY\nAcme 2019 - 2020\n", None),  # a heading is never a name
        ("1\nJohn Smith\njohn@x.org", "John Smith"),  # a stray page number first
        ("Page 1 of 2 Maria Lopez\nmaria@x.org", "Maria Lopez"),
        ("Skill Highlights\nPython", None),
        ("New York, NY\nData Analyst", None),  # a place
        ("Sourabh Kumar Email: s@x.org", "Sourabh Kumar"),
    ],
)
def test_candidate_name(text, name):
    assert candidate_name(text) == name


@pytest.mark.parametrize(
    "text, title",
    [
        ('+++\ntitle = "Senior Data Analyst"\norganization = "X"\n+++\n', "Senior Data Analyst"),
        ("\nSoftware Developer Job Description Template\nOur company is seeking...", "Software Developer"),
        ("\nAs an Operations, Supply Chain Intern - Remote:\n- Identify methods", "Operations, Supply Chain Intern"),
        ("Product Manager Product Manager\nWe build tools.", "Product Manager"),  # a doubled line
        ("Registered Nurse (Bilingual\npreferred)\nWe are hiring.", "Registered Nurse (Bilingual preferred)"),
        ("Registered Nurse (Bilingual\nWe are hiring.", "Registered Nurse"),  # a cut parenthesis
        ("We are looking for a great engineer to join our team.\nData Engineer\n", "Data Engineer"),
    ],
)
def test_job_title_is_never_a_body_sentence(text, title):
    assert job_title(text) == title


def test_resume_titles_newest_first():
    assert resume_titles(RESUME) == ["Senior Backend Engineer"]
    text = (
        "Experience\nAcme, Phoenix, AZ\nData Analyst May 2020 - Current\n- dashboards\n"
        "Beta Corp, Staff Accountant Jan 2018 - Apr 2020\n"
    )
    assert resume_titles(text) == ["Data Analyst", "Staff Accountant"]
    assert resume_titles("ASP.NET WEB DEVELOPER\nAccomplishments\n") == ["ASP.NET WEB DEVELOPER"]


def test_a_heading_is_never_a_job_title():
    from pipeline.extract import job_title

    assert job_title("42\n\nAbout the role\nYou will own it.\n\nRequirements\n- Go\n") is None
    assert job_title("Requirements\n- Python\n") is None
    assert job_title("Job Description\n\nData Engineer\n\nRequirements\n- SQL\n") == "Data Engineer"


def test_a_group_labelling_a_list_is_not_a_skill_but_a_named_skill_is():
    taxonomy = load_taxonomy(Path(__file__).resolve().parents[2] / "skills")

    def names(text: str) -> set[str]:
        return {m.skill for m in extract_skills(text, taxonomy, "resume")}

    assert "Frontend development" not in names("Skills\nFrontend: React, Vue.js, Redux\nBackend: Django, Flask")
    assert "Containerization" not in names("Skills\n- **Containers & Orchestration:** Docker, Kubernetes")
    assert "Statistics" in names("Skills\nStatistics: regression, hypothesis testing, R")
    assert "Frontend development" in names("Built the frontend of a shop in React.")


@pytest.mark.parametrize(
    "text, meant, not_meant",
    [
        (
            "Used S3, Redshift, Glue, EMR and Lambda to process large datasets.",
            "Amazon EMR",
            "Electronic health records",
        ),
        ("Charted in the EMR and handled medication administration.", "Electronic health records", "Amazon EMR"),
        ("- Collaborate with teachers in PLCs on lessons.", "Professional learning communities", "PLC programming"),
        (
            "Programmed PLCs and ladder logic for conveyor lines.",
            "PLC programming",
            "Professional learning communities",
        ),
        ("Monitored post-op vitals, set up PCA and IV fluids.", "Pain management", "Dimensionality reduction"),
        ("Reduced dimensionality with PCA before k-means clustering.", "Dimensionality reduction", "Pain management"),
    ],
)
def test_a_form_two_skills_share_means_the_one_its_surroundings_name(text, meant, not_meant):
    found = {m.skill for m in extract_skills(text, TAXONOMY, "resume")}
    assert meant in found and not_meant not in found
