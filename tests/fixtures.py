"""Deterministic documents for tests and benchmarks: PDFs, DOCX files and resume / job description text.

Plain functions, no pytest: bench/ scripts import them too. The same index
always gives the same text, so a test can assert on what a document contains.
"""

from __future__ import annotations

import functools
import io
import random
import re
import textwrap
import zipfile

# --------------------------------------------------------------------------- text

FIRST_NAMES = (
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Priya",
    "Diego",
    "Chen",
    "Fatima",
    "Olga",
    "Kwame",
    "Sofia",
    "Jonas",
    "Aisha",
    "Mateo",
    "Hana",
    "Lucas",
    "Zara",
    "Ibrahim",
    "Elena",
    "Tomás",
    "Nadia",
    "Oscar",
    "Mei",
    "Samuel",
    "Leila",
    "Arjun",
    "Grace",
    "Yusuf",
    "Ingrid",
    "Kofi",
)
LAST_NAMES = (
    "Johnson",
    "Okafor",
    "Patel",
    "Nguyen",
    "García",
    "Schmidt",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Silva",
    "Müller",
    "O'Brien",
    "Andersen",
    "Mensah",
    "Rossi",
    "Cohen",
    "Ivanova",
    "Dubois",
    "Kim",
    "Park",
    "Fernández",
    "Lindqvist",
    "Novak",
    "Adeyemi",
    "Chopra",
    "Walsh",
    "Moreau",
    "Yilmaz",
    "Costa",
    "Berg",
)
CITIES = (
    "Austin, TX",
    "Toronto, ON",
    "Berlin, Germany",
    "London, UK",
    "Denver, CO",
    "Chicago, IL",
    "Lisbon, Portugal",
    "Seattle, WA",
    "Dublin, Ireland",
    "Atlanta, GA",
    "Remote",
)
COMPANIES = (
    "Northwind Traders",
    "Contoso Ltd",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Financial",
    "Acme Retail",
    "Hooli",
    "Vandelay Imports",
    "Pied Piper",
    "Tyrell Systems",
    "Cyberdyne Analytics",
    "Soylent Foods",
    "Massive Dynamic",
    "Oceanic Airlines",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# role -> (skills the role draws from, titles along a career)
ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Software Engineer": (
        (
            "Python",
            "Java",
            "Go",
            "SQL",
            "PostgreSQL",
            "Docker",
            "Kubernetes",
            "AWS",
            "REST APIs",
            "Git",
            "Redis",
            "Kafka",
            "Linux",
            "CI/CD",
            "TypeScript",
            "gRPC",
            "microservices",
        ),
        ("Junior Developer", "Software Engineer", "Senior Software Engineer", "Staff Engineer"),
    ),
    "Data Engineer": (
        (
            "Python",
            "SQL",
            "Spark",
            "Airflow",
            "Kafka",
            "Snowflake",
            "AWS",
            "dbt",
            "Pandas",
            "Docker",
            "PostgreSQL",
            "Scala",
            "Terraform",
            "data modeling",
            "ETL",
        ),
        ("Data Analyst", "Data Engineer", "Senior Data Engineer", "Lead Data Engineer"),
    ),
    "DevOps Engineer": (
        (
            "Kubernetes",
            "Docker",
            "Terraform",
            "Ansible",
            "AWS",
            "Azure",
            "Linux",
            "Bash",
            "Prometheus",
            "Grafana",
            "Jenkins",
            "CI/CD",
            "Python",
            "Helm",
            "GCP",
            "incident management",
        ),
        ("Systems Administrator", "DevOps Engineer", "Site Reliability Engineer", "Senior SRE"),
    ),
    "Frontend Developer": (
        (
            "JavaScript",
            "TypeScript",
            "React",
            "Vue.js",
            "HTML",
            "CSS",
            "Node.js",
            "GraphQL",
            "Figma",
            "Jest",
            "Webpack",
            "accessibility",
            "Git",
            "Next.js",
        ),
        ("Web Developer", "Frontend Developer", "Senior Frontend Engineer", "UI Lead"),
    ),
    "Data Analyst": (
        (
            "SQL",
            "Excel",
            "Tableau",
            "Power BI",
            "Python",
            "R",
            "statistics",
            "data analysis",
            "Looker",
            "Google Analytics",
            "A/B testing",
            "forecasting",
            "Pandas",
        ),
        ("Reporting Analyst", "Data Analyst", "Senior Data Analyst", "Analytics Manager"),
    ),
    "Accountant": (
        (
            "QuickBooks",
            "Excel",
            "accounting",
            "bookkeeping",
            "payroll",
            "accounts payable",
            "accounts receivable",
            "financial reporting",
            "GAAP",
            "budgeting",
            "SAP",
            "reconciliation",
            "tax preparation",
        ),
        ("Accounting Clerk", "Staff Accountant", "Senior Accountant", "Accounting Manager"),
    ),
    "Project Manager": (
        (
            "project management",
            "Agile",
            "Scrum",
            "Jira",
            "stakeholder management",
            "budgeting",
            "risk management",
            "Excel",
            "Confluence",
            "PMP",
            "Microsoft Project",
            "vendor management",
            "communication",
        ),
        ("Project Coordinator", "Project Manager", "Senior Project Manager", "Program Manager"),
    ),
    "Customer Success Manager": (
        (
            "customer service",
            "Salesforce",
            "Zendesk",
            "account management",
            "communication",
            "Excel",
            "negotiation",
            "CRM",
            "onboarding",
            "HubSpot",
            "conflict resolution",
            "upselling",
        ),
        (
            "Customer Support Agent",
            "Customer Success Associate",
            "Customer Success Manager",
            "Head of Customer Success",
        ),
    ),
}
SOFT_SKILLS = ("leadership", "communication", "teamwork", "problem solving", "mentoring", "time management")
ROLE_NAMES = tuple(ROLES)
SKILLS = tuple(sorted({skill for pool, _ in ROLES.values() for skill in pool} | set(SOFT_SKILLS)))

_BULLETS = (
    "Built and maintained {a} services used by {n} internal teams, working closely with product and design.",
    "Led the migration of legacy reporting to {a} and {b}, cutting monthly processing time by {p}%.",
    "Introduced {a} into the team's workflow and trained {n} colleagues to use it day to day.",
    "Owned {a} for the {dept} department, improving accuracy and reducing manual effort by {p}%.",
    "Designed a {a}-based process for {dept} that handled {n},000 records a day with no downtime.",
    "Partnered with {dept} stakeholders to deliver {n} projects on time and {p}% under budget using {a}.",
    "Automated recurring tasks with {a} and {b}, saving about {n} hours per week across the team.",
    "Mentored {n} junior colleagues and ran weekly sessions on {a} best practices.",
    "Improved reliability of {a} pipelines; incidents dropped by {p}% year over year.",
    "Prepared monthly reports in {a} for leadership, highlighting trends and risks early.",
)
_DEPARTMENTS = ("finance", "operations", "sales", "marketing", "engineering", "support", "logistics", "HR")
_DEGREES = (
    "B.Sc. Computer Science",
    "B.A. Economics",
    "B.Com. Accounting",
    "M.Sc. Data Science",
    "B.Eng. Software Engineering",
    "BBA Business Administration",
    "M.A. Communication",
    "B.Sc. Mathematics",
)
_UNIVERSITIES = (
    "University of Texas",
    "McGill University",
    "TU Munich",
    "University of Leeds",
    "Colorado State University",
    "University of Lisbon",
    "Trinity College Dublin",
    "Georgia Tech",
)


def _rng(kind: str, i: int) -> random.Random:
    return random.Random(f"{kind}:{i}")


def resume_role(i: int) -> str:
    return ROLE_NAMES[i % len(ROLE_NAMES)]


@functools.cache
def resume_skills(i: int) -> tuple[str, ...]:
    """The skills sample_resume(i) lists in its Skills section, in order."""
    rng = _rng("resume-skills", i)
    pool = ROLES[resume_role(i)][0]
    picked = rng.sample(pool, k=min(len(pool), rng.randint(6, 10)))
    return tuple(picked) + tuple(rng.sample(SOFT_SKILLS, k=2))


def candidate_name(i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7 + i // len(FIRST_NAMES)) % len(LAST_NAMES)]}"


def candidate_email(i: int) -> str:
    first, last = candidate_name(i).split(" ", 1)
    plain = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{plain}{i}@example.com"


def sample_resume(i: int, *, long: bool = False) -> str:
    """A realistic resume; about one page of text, about two pages when long=True."""
    rng = _rng("resume", i)
    role = resume_role(i)
    pool, titles = ROLES[role]
    skills = resume_skills(i)
    jobs = rng.randint(4, 5) if long else rng.randint(2, 3)
    bullets = (4, 6) if long else (2, 3)
    end_year = 2024 - rng.randint(0, 2)
    lines = [
        candidate_name(i),
        f"{titles[min(jobs - 1, len(titles) - 1)]} | {rng.choice(CITIES)}",
        f"{candidate_email(i)} | +1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)} | "
        f"linkedin.com/in/{candidate_email(i).split('@')[0].replace('.', '-')}",
        "",
        "Summary",
        f"{role} with {jobs * 2 + rng.randint(0, 3)} years of experience in {skills[0]}, {skills[1]} and "
        f"{skills[2]}. Known for clear communication, dependable delivery and a habit of leaving systems "
        "better documented than I found them.",
        "",
        "Experience",
    ]
    year = end_year
    for job in range(jobs):
        span = rng.randint(1, 4)
        start = year - span
        end = "Present" if job == 0 else f"{MONTHS[rng.randrange(12)]} {year}"
        title = titles[max(0, min(len(titles) - 1, jobs - 1 - job))]
        lines.append(f"{title}, {rng.choice(COMPANIES)} \u2013 {MONTHS[rng.randrange(12)]} {start} \u2013 {end}")
        for _ in range(rng.randint(*bullets)):
            a, b = rng.sample(pool, 2)
            lines.append(
                "\u2022 "
                + rng.choice(_BULLETS).format(
                    a=a, b=b, n=rng.randint(2, 40), p=rng.randint(10, 60), dept=rng.choice(_DEPARTMENTS)
                )
            )
        lines.append("")
        year = start
    lines += [
        "Education",
        f"{rng.choice(_DEGREES)}, {rng.choice(_UNIVERSITIES)}, {year - rng.randint(0, 2)}",
        "",
        "Skills",
        ", ".join(skills),
    ]
    if long:
        lines += ["", "Certifications and training"]
        for skill in rng.sample(pool, 3):
            lines.append(
                f"\u2022 {skill} course, {rng.randint(2012, 2023)}: completed with distinction, "
                "including a capstone project reviewed by senior practitioners."
            )
        lines += ["", "Projects"]
        for _ in range(4):
            a, b = rng.sample(pool, 2)
            lines.append(
                f"\u2022 Side project combining {a} and {b}: wrote the design notes, implemented the "
                f"core in {rng.randint(2, 12)} weeks and published a short write-up of the lessons "
                "learned for other practitioners."
            )
        lines += [
            "",
            "Languages",
            "English (fluent), "
            + rng.choice(("Spanish", "German", "French", "Hindi", "Portuguese"))
            + " (conversational)",
        ]
    return "\n".join(lines) + "\n"


@functools.cache
def job_skills(i: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, preferred) skills of sample_job(i)."""
    rng = _rng("job-skills", i)
    pool = ROLES[job_role(i)][0]
    picked = rng.sample(pool, k=min(len(pool), rng.randint(7, 9)))
    split = rng.randint(4, 5)
    return tuple(picked[:split]), tuple(picked[split:])


def job_role(i: int) -> str:
    return ROLE_NAMES[i % len(ROLE_NAMES)]


def job_years(i: int) -> int:
    return _rng("job-years", i).randint(2, 8)


def job_title(i: int) -> str:
    titles = ROLES[job_role(i)][1]
    return titles[1 + i // len(ROLE_NAMES) % (len(titles) - 1)]


def sample_job(i: int) -> str:
    """A realistic job description with a title line, required and nice-to-have sections and years asked."""
    rng = _rng("job", i)
    required, preferred = job_skills(i)
    must = ("Requirements", "Must have", "What you bring")[i % 3]
    nice = ("Nice to have", "Nice to have", "Bonus points")[i % 3]
    company = COMPANIES[(i * 5) % len(COMPANIES)]
    lines = [
        job_title(i),
        f"{company} \u2013 {rng.choice(CITIES)} (hybrid)",
        "",
        "About the role",
        f"{company} is growing its {rng.choice(_DEPARTMENTS)} group. You will join a small team that owns "
        "its work end to end, from planning through delivery, and you will report to the team lead.",
        "",
        "Responsibilities",
        f"\u2022 Deliver and maintain work that depends on {required[0]} and {required[1]}.",
        "\u2022 Work with stakeholders to plan, estimate and prioritise.",
        "\u2022 Document decisions and share knowledge with the team.",
        "",
        must,
        f"\u2022 {job_years(i)}+ years of experience in a similar role",
    ]
    lines += [f"\u2022 Hands-on experience with {skill}" for skill in required]
    lines += ["", nice]
    lines += [f"\u2022 Experience with {skill} is a plus" for skill in preferred]
    lines += ["", "We offer a competitive salary, flexible hours and a learning budget.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- PDF

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US Letter, points
MARGIN = 54.0


def make_pdf(
    text: str,
    *,
    pages: int = 1,
    encrypt: str | None = None,
    style: str = "plain",
    font_size: float = 10.0,
    word_gap: tuple[float, float] = (0.22, 0.5),
    tracking: float = 0.03,
) -> bytes:
    """Render text with reportlab, wrapped and flowed onto at least `pages` pages.

    The fonts are the standard PDF ones: characters outside Windows-1252 are
    drawn as a black square ("?" in the latex style).

    encrypt: a user password (the PDF cannot be opened without it); "" encrypts
    with an owner password only, which restricts copying but opens freely.
    style "plain" draws each line as one string with real space characters;
    style "latex" writes each line as one TJ array of kerned letters with no
    space characters and word gaps drawn from word_gap (in em; TeX shrinks
    its spaces to 0.22 em at most), the way pdfTeX does;
    style "glyphs" draws every glyph as its own text object with `tracking`
    em of letter spacing, as some design tools export.
    """
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    if style not in ("plain", "latex", "glyphs"):
        raise ValueError(f"style must be plain, latex or glyphs, got {style!r}")
    font = "Times-Roman" if style == "latex" else "Helvetica"
    leading = font_size * 1.25
    per_page = int((PAGE_HEIGHT - 2 * MARGIN) // leading)
    lines = _wrap(text, PAGE_WIDTH - 2 * MARGIN, font, font_size, stringWidth)
    count = max(pages, -(-len(lines) // per_page), 1)
    chunk = max(1, -(-len(lines) // count))
    buffer = io.BytesIO()
    security = None
    if encrypt is not None:
        security = pdfencrypt.StandardEncryption(encrypt, ownerPassword=encrypt + "-owner", canCopy=0, strength=128)
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), encrypt=security, invariant=1)
    pdf.setTitle("Shortlist test document")
    rng = random.Random(text[:64])
    for number in range(count):
        pdf.setFont(font, font_size)
        y = PAGE_HEIGHT - MARGIN
        for line in lines[number * chunk : (number + 1) * chunk]:
            if style == "latex":
                _draw_tex_line(pdf, line, MARGIN, y, font, font_size, rng, word_gap)
            elif style == "glyphs":
                _draw_glyph_line(pdf, line, MARGIN, y, font, font_size, tracking, stringWidth)
            else:
                pdf.drawString(MARGIN, y, line)
            y -= leading
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: float, font: str, size: float, string_width) -> list[str]:
    average = string_width("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ", font, size) / 37
    columns = max(20, int(width / average) - 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, columns, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


def _draw_tex_line(
    pdf, line: str, x: float, y: float, font: str, size: float, rng: random.Random, word_gap: tuple[float, float]
) -> None:
    """One text object per line and one TJ array, as pdfTeX writes: kerns and word gaps are offsets, no spaces."""
    text = pdf.beginText(x, y)
    text.setFont(font, size)
    items = []
    for w, word in enumerate(line.split()):
        if w:
            items.append(f"{-rng.uniform(*word_gap) * 1000:.0f}")
        for c, char in enumerate(word):
            if c:
                kern = rng.choice((0, 0, 0, 0, 0, -0.04, -0.02, 0.02))
                if kern:
                    items.append(f"{-kern * 1000:.0f}")
            shown = text._formatText(char)
            items.append(shown.removesuffix(" Tj") if shown.startswith("(") and "Tf" not in shown else "(?)")
    text._code.append(f"[{' '.join(items)}] TJ")
    pdf.drawText(text)


def _draw_glyph_line(pdf, line: str, x: float, y: float, font: str, size: float, tracking: float, string_width) -> None:
    """Every glyph its own text object, spaced by `tracking` em, as some design tools export."""
    for char in line:
        if not char.isspace():
            pdf.drawString(x, y, char)
        x += string_width(char, font, size) + tracking * size


def make_scanned_pdf(text: str = "Scanned resume of Jane Doe, Python developer") -> bytes:
    """A one-page PDF holding only an image of some text: what a scanner produces, with no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(image)
    for row in range(20):
        draw.text((60, 60 + row * 45), f"{text} - line {row + 1}", fill=0)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    pdf.drawImage(ImageReader(image), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_corrupt_pdf(kind: str = "garbage") -> bytes:
    """A broken PDF: "garbage" (a PDF header over random bytes) or "truncated" (a real PDF cut in half)."""
    if kind == "truncated":
        whole = make_pdf(sample_resume(0))
        return whole[: len(whole) // 2]
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(0).randbytes(8000) + b"\n%%EOF\n"


# --------------------------------------------------------------------------- DOCX


def make_docx(
    paragraphs: list[str],
    *,
    table: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    nested_table: list[list[str]] | None = None,
    textbox: str | None = None,
    pages: int | None = None,
) -> bytes:
    """A Word document: paragraphs, then an optional table (nested_table goes inside its first cell).

    textbox adds a floating text box the way Word writes one (with its VML
    fallback copy); pages sets the page count Word records in docProps/app.xml.
    """
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
        if nested_table:
            inner = grid.cell(0, 0).add_table(rows=len(nested_table), cols=max(len(row) for row in nested_table))
            for r, row in enumerate(nested_table):
                for c, value in enumerate(row):
                    inner.cell(r, c).text = value
    if textbox:
        _add_textbox(document, textbox)
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    return _with_page_count(data, pages) if pages is not None else data


_TEXTBOX_XML = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>
    <w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>
    <w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
</mc:AlternateContent></w:r>"""


def _add_textbox(document, text: str) -> None:
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    paragraph = document.add_paragraph()
    paragraph._p.append(parse_xml(_TEXTBOX_XML.format(text=escape(text))))


def _with_page_count(data: bytes, pages: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/app.xml":
                content = re.sub(rb"<Pages>\d*</Pages>", b"", content)
                content = content.replace(b"</Properties>", f"<Pages>{pages}</Pages></Properties>".encode())
            target.writestr(info, content)
    return buffer.getvalue()


@functools.cache
def make_zip_bomb_docx(expanded_mb: int = 64) -> bytes:
    """A valid-looking DOCX whose extra part inflates from a few kB to expanded_mb MB of zeros."""
    base = make_docx(["Jane Doe", "Python developer with ten years of experience building web services."])
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        block = bytes(1024 * 1024)
        with target.open("word/media/padding.bin", "w") as padding:
            for _ in range(expanded_mb):
                padding.write(block)
    return buffer.getvalue()
