"""pipeline.parse: every format, every failure reason, normalisation, both PDF engines."""

from __future__ import annotations

import io
import pickle
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import parse
from pipeline.parse import CODES, ENGINES, ParseError, Parsed, detect_format, normalise, parse_bytes
from tests.fixtures import (
    candidate_email,
    candidate_name,
    job_skills,
    job_years,
    make_corrupt_pdf,
    make_docx,
    make_pdf,
    make_scanned_pdf,
    make_zip_bomb_docx,
    resume_skills,
    sample_job,
    sample_resume,
)

RESUME = sample_resume(7)


def failure(data: bytes, filename: str, **kwargs) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, filename, **kwargs)
    error = caught.value
    assert error.code in CODES
    assert error.reason.endswith(".") and len(error.reason) > 20
    return error


def words(text: str) -> list[str]:
    return re.findall(r"[\w+#./-]+", text)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_both_engines_recover_the_text(engine):
    parsed = parse_bytes(make_pdf(RESUME), "resume.pdf", pdf_engine=engine)
    assert (parsed.format, parsed.pages, parsed.engine) == ("pdf", 1, engine)
    assert parsed.text.startswith(candidate_name(7))
    assert candidate_email(7) in parsed.text
    flat = " ".join(parsed.text.split())  # a skill may wrap onto the next line
    for skill in resume_skills(7):
        assert skill in flat


def test_both_engines_agree_on_the_same_pdf():
    data = make_pdf(sample_resume(3, long=True))
    first, second = (parse_bytes(data, "r.pdf", pdf_engine=engine) for engine in ENGINES)
    assert first.pages == second.pages == 2
    assert words(first.text) == words(second.text)
    assert words(first.text) == words(normalise(sample_resume(3, long=True)))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("style", ["latex", "glyphs"])
def test_words_stay_apart_without_space_characters(engine, style):
    """pdfTeX writes no spaces, only gaps; pdfplumber's defaults ran "SeasonedSRE/DevOpsleader" together."""
    text = "Seasoned SRE/DevOps leader with Kubernetes and Terraform experience across cloud platforms.\n" * 3
    parsed = parse_bytes(make_pdf(text, style=style), "tex.pdf", pdf_engine=engine)
    assert "Seasoned SRE/DevOps leader with Kubernetes and Terraform" in parsed.text


def test_pdfplumber_defaults_would_run_words_together():
    """Guards the reason for PDFPLUMBER_OPTIONS: if this starts passing with {}, the options may go."""
    import pdfplumber

    text = "Seasoned SRE/DevOps leader with Kubernetes and Terraform experience.\n" * 4
    with pdfplumber.open(io.BytesIO(make_pdf(text, style="latex", word_gap=(0.22, 0.28)))) as pdf:
        default = pdf.pages[0].extract_text()
        tuned = pdf.pages[0].extract_text(**parse.PDFPLUMBER_OPTIONS)
    assert "Seasoned SRE/DevOps leader" not in default
    assert "Seasoned SRE/DevOps leader" in tuned


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_multi_page_and_line_end_hyphenation(engine):
    text = "Improved the manage-\nment of cloud costs as a self-\nmotivated engineer.\n" + RESUME
    parsed = parse_bytes(make_pdf(text, pages=3), "r.pdf", pdf_engine=engine)
    assert parsed.pages == 3
    assert "management of cloud costs" in parsed.text
    assert "self-\nmotivated" in parsed.text


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_with_owner_password_only_opens(engine):
    parsed = parse_bytes(make_pdf(RESUME, encrypt=""), "r.pdf", pdf_engine=engine)
    assert candidate_email(7) in parsed.text


def test_docx_paragraphs_tables_headers_footers_textboxes():
    data = make_docx(
        ["Jane Doe", "Staff accountant with eight years in bookkeeping and payroll."],
        table=[["Skills", "QuickBooks, Excel"], ["Languages", "English, Polish"]],
        nested_table=[["inner left", "inner right"]],
        header="jane.doe@example.com | +1 555 0100",
        footer="References available on request",
        textbox="Certified Public Accountant",
    )
    parsed = parse_bytes(data, "jane.docx")
    assert (parsed.format, parsed.engine, parsed.pages) == ("docx", "python-docx", 1)
    text = parsed.text
    assert text.startswith("jane.doe@example.com")
    assert text.endswith("References available on request")
    assert "Languages | English, Polish" in text
    assert "inner left | inner right" in text
    assert "QuickBooks, Excel" in text
    assert text.count("Certified Public Accountant") == 1  # the VML fallback copy is skipped


def test_docx_skips_deleted_text_and_field_codes():
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("Kept words and ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.append(
        parse_xml(f'<w:del {w} w:id="1" w:author="a"><w:r><w:delText>deleted</w:delText></w:r></w:del>')
    )
    paragraph._p.append(parse_xml(f'<w:r {w}><w:instrText>HYPERLINK "x"</w:instrText></w:r>'))
    paragraph._p.append(parse_xml(f'<w:ins {w} w:id="2" w:author="a"><w:r><w:t>inserted words</w:t></w:r></w:ins>'))
    document.add_paragraph("x" * 100)
    buffer = io.BytesIO()
    document.save(buffer)
    text = parse_bytes(buffer.getvalue(), "d.docx").text
    assert text.startswith("Kept words and inserted words")
    assert "deleted" not in text and "HYPERLINK" not in text


def test_docx_page_count_from_document_properties():
    assert parse_bytes(make_docx([RESUME], pages=2), "r.docx").pages == 2


@pytest.mark.parametrize(
    ("data", "name", "fmt"),
    [
        (RESUME.encode(), "resume.txt", "txt"),
        (RESUME.encode(), "resume.md", "md"),
        (RESUME.encode(), "resume.MARKDOWN", "md"),
        (RESUME.encode(), "resume", "txt"),
        (b"\xef\xbb\xbf" + RESUME.encode(), "bom.txt", "txt"),
        (RESUME.encode("utf-16"), "utf16.txt", "txt"),
        (RESUME.encode("utf-16-le"), "utf16le-no-bom.txt", "txt"),
        (RESUME.encode("cp1252"), "windows.txt", "txt"),
    ],
)
def test_text_files_decode(data, name, fmt):
    parsed = parse_bytes(data, name)
    assert (parsed.format, parsed.engine, parsed.pages) == (fmt, "text", 1)
    assert parsed.text == normalise(RESUME)


def test_cp1252_and_latin1_fallbacks():
    text = "Résumé of José Müller \u2013 “senior” accountant. " * 4
    assert parse_bytes(text.encode("cp1252"), "r.txt").text.startswith("Résumé of José Müller - “senior”")
    raw = "Ren\u00e9e Fran\u00e7ois, bookkeeper ".encode("latin-1") * 5 + b"\x81"  # 0x81: undefined in cp1252
    assert parse_bytes(raw, "r.txt").text.startswith("Renée François, bookkeeper")


# --------------------------------------------------------------------------- mislabelled files: content wins


def test_content_decides_the_format():
    docx_bytes = make_docx([RESUME])
    pdf_bytes = make_pdf(RESUME)
    assert detect_format(docx_bytes, "resume.pdf") == "docx"
    assert parse_bytes(docx_bytes, "resume.pdf").format == "docx"
    assert parse_bytes(pdf_bytes, "resume.txt").format == "pdf"
    assert parse_bytes(pdf_bytes, "resume.docx").format == "pdf"
    assert parse_bytes(RESUME.encode(), "resume.md").format == "md"
    assert parse_bytes(RESUME.encode(), "resume").format == "txt"
    assert detect_format(b"junk\n%PDF-1.4\n", "x") == "pdf"  # readers allow bytes before the header


@pytest.mark.parametrize("name", ["resume.pdf", "resume.docx"])
def test_text_named_as_a_document_is_mislabelled(name):
    error = failure(RESUME.encode(), name)
    assert error.code == "mislabelled"
    assert f"is named .{name.rsplit('.', 1)[1]} but its content is plain text" in error.reason


def test_text_under_another_extension_is_refused():
    error = failure(RESUME.encode(), "resume.html")
    assert error.code == "unsupported_type" and "named .html, a type Shortlist does not read" in error.reason


@pytest.mark.parametrize("name", ["resume.pdf", "resume.docx"])
def test_binary_named_as_document_is_mislabelled(name):
    error = failure(bytes(range(256)) * 8, name)
    assert error.code == "mislabelled"
    assert name.rsplit(".", 1)[1] in error.reason


def test_binary_named_txt_is_rejected():
    assert failure(bytes(range(256)) * 8, "resume.txt").code == "unsupported_type"
    assert failure(b"text then a NUL \x00 and more text", "notes.txt").code == "unsupported_type"


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in names:
            zf.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "words_in_reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Word 97-2003"),
        (b"{\\rtf1\\ansi " + RESUME.encode(), "RTF document"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "Excel workbook"),
        (_zip(["mimetype", "content.xml"]), "OpenDocument"),
        (_zip(["photo.jpg"]), "ZIP archive"),
    ],
)
def test_unsupported_types_are_named(data, words_in_reason):
    error = failure(data, "resume.pdf")
    assert error.code == "unsupported_type"
    assert words_in_reason in error.reason


# --------------------------------------------------------------------------- failures


def test_empty_file():
    assert failure(b"", "resume.pdf").code == "empty"


def test_too_large_is_checked_before_anything_else():
    error = failure(b"\x00" * 2048, "resume.txt", max_bytes=1024)  # binary: parsing would say unsupported_type
    assert error.code == "too_large"
    assert "The file is 2 KB, more than the 1 KB limit" in error.reason


@pytest.mark.parametrize(
    "size, limit, said, allowed",
    [
        (21_002_731, 20 * 1024 * 1024, "20.03 MB", "20 MB"),  # the "20.0 MB; the limit is 20.0 MB"
        (20 * 1024 * 1024 + 1, 20 * 1024 * 1024, "20,971,521 bytes", "20,971,520 bytes"),
        (5000, 1048, "4.9 KB", "1 KB"),
        (30 * 1024 * 1024, 20 * 1024 * 1024, "30 MB", "20 MB"),
        (900, 500, "900 bytes", "500 bytes"),
    ],
)
def test_a_size_over_its_limit_never_reads_as_the_limit(size, limit, said, allowed):
    from pipeline.parse.errors import size_and_limit

    assert size_and_limit(size, limit) == (said, allowed)


@given(st.integers(1, 1 << 40), st.integers(1, 1 << 40))
def test_different_sizes_are_always_worded_differently(size, limit):
    from pipeline.parse.errors import size_and_limit

    said, allowed = size_and_limit(size, limit)
    assert (said == allowed) == (size == limit)


@pytest.mark.parametrize("engine", ENGINES)
def test_encrypted_pdf(engine):
    error = failure(make_pdf(RESUME, encrypt="s3cret"), "resume.pdf", pdf_engine=engine)
    assert error.code == "encrypted"
    assert "password" in error.reason


def test_encrypted_docx():
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    assert failure(fake, "resume.docx").code == "encrypted"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["garbage", "truncated"])
def test_corrupt_pdf(engine, kind):
    error = failure(make_corrupt_pdf(kind), "resume.pdf", pdf_engine=engine)
    assert error.code == "corrupt"
    assert ("truncated" in error.reason) == (kind == "truncated")


def test_broken_zip_docx():
    whole = make_docx([RESUME])
    assert failure(whole[: len(whole) // 2], "resume.docx").code == "corrupt"
    assert failure(b"PK\x03\x04" + bytes(300), "archive.zip").code == "corrupt"


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (reportlab always writes a page)."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [] /Count 0>>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<</Size 3 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


@pytest.mark.parametrize("engine", ENGINES)
def test_zero_pages(engine):
    error = failure(zero_page_pdf(), "resume.pdf", pdf_engine=engine)
    assert error.code == "empty"
    assert "no pages" in error.reason


@pytest.mark.parametrize("engine", ENGINES)
def test_scanned_pdf_has_no_text_layer(engine):
    error = failure(make_scanned_pdf(), "scan.pdf", pdf_engine=engine)
    assert error.code == "no_text_layer"
    assert "scanned image" in error.reason and "OCR" in error.reason


@pytest.mark.parametrize("engine", ENGINES)
def test_outlined_text_has_no_text_layer(engine):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for i in range(150):  # letters drawn as paths, as "convert text to outlines" does
        pdf.line(50 + i * 3, 700, 52 + i * 3, 712)
    pdf.showPage()
    pdf.save()
    error = failure(buffer.getvalue(), "design.pdf", pdf_engine=engine)
    assert error.code == "no_text_layer"
    assert "outlined" in error.reason


@pytest.mark.parametrize("engine", ENGINES)
def test_glyph_codes_without_unicode_map(engine):
    """pdfplumber prints "(cid:NNN)" for glyphs its font cannot map; a page of them is not text."""
    codes = " ".join(f"(cid:{n})" for n in range(40, 90))
    error = failure(make_pdf(f"{codes}\n{codes}"), "cid.pdf", pdf_engine=engine)
    assert error.code == "no_text_layer"
    assert "Unicode" in error.reason


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (make_pdf("Jane Doe, Python"), "short.pdf"),
        (make_pdf(""), "blank.pdf"),
        (make_docx(["Jane Doe, Python"]), "short.docx"),
        (b"Jane Doe, Python\n\n\n", "short.txt"),
        (b"   \n\t\n", "blank.txt"),
    ],
)
def test_too_little_text(data, name):
    error = failure(data, name)
    assert error.code == "too_little_text"


def test_min_chars_counts_visible_characters():
    text = "a b c d e f g h i j"
    assert parse_bytes(text.encode(), "t.txt", min_chars=10).text == text
    assert failure(text.encode(), "t.txt", min_chars=11).code == "too_little_text"


@pytest.mark.parametrize("engine", ENGINES)
def test_too_many_pages(engine):
    data = make_pdf(RESUME, pages=4)
    assert parse_bytes(data, "r.pdf", pdf_engine=engine, max_pages=4).pages == 4
    error = failure(data, "r.pdf", pdf_engine=engine, max_pages=3)
    assert error.code == "too_many_pages"
    assert "4 pages" in error.reason


def test_too_many_pages_docx():
    assert failure(make_docx([RESUME], pages=60), "r.docx").code == "too_many_pages"


def test_zip_bomb_refused_before_python_docx_opens_it(monkeypatch):
    import docx

    def explode(*args, **kwargs):
        raise AssertionError("python-docx must not see a zip bomb")

    bomb = make_zip_bomb_docx()
    monkeypatch.setattr(docx, "Document", explode)
    error = failure(bomb, "bomb.docx")
    assert error.code == "zip_bomb"
    assert "MB" in error.reason


def test_zip_limits_leave_a_large_normal_docx_alone():
    data = make_docx([sample_resume(i, long=True) for i in range(40)])
    assert parse_bytes(data, "big.docx").format == "docx"


def test_every_failure_code_has_a_test():
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [code for code in CODES if f'.code == "{code}"' not in source]
    assert not untested


# --------------------------------------------------------------------------- the API itself


def test_parse_error_survives_a_process_boundary():
    error = pickle.loads(pickle.dumps(ParseError("encrypted", "The PDF is password-protected.")))
    assert (error.code, error.reason) == ("encrypted", "The PDF is password-protected.")
    assert str(error) == "encrypted: The PDF is password-protected."


def test_parsed_is_frozen_and_engine_is_checked():
    parsed = parse_bytes(RESUME.encode(), "r.txt")
    assert isinstance(parsed, Parsed)
    with pytest.raises(AttributeError):
        parsed.text = ""  # type: ignore[misc]
    with pytest.raises(ValueError):
        parse_bytes(RESUME.encode(), "r.txt", pdf_engine="poppler")


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF"),
        st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=500).map(str.encode),
    ),
    st.sampled_from(["x.pdf", "x.docx", "x.txt", "x.md", "x"]),
    st.sampled_from(ENGINES),
)
def test_arbitrary_bytes_give_parsed_or_parse_error(data, name, engine):
    try:
        parsed = parse_bytes(data, name, pdf_engine=engine, min_chars=1)
    except ParseError as error:
        assert error.code in CODES
    else:
        assert parsed.format in parse.FORMATS and parsed.text == normalise(parsed.text)


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ﬁnance and ﬂow, eﬀective", "finance and flow, effective"),
        ("Ｐｙｔｈｏｎ　developer", "Python developer"),
        ("knowl\u00adedge", "knowledge"),
        ("knowl\u00ad\nedge base", "knowledge base"),
        (
            "2019 \u2013 2021 \u2014 Senior\u2011level \u2212 x \u2010 y \u2015 z \u2012 w",
            "2019 - 2021 - Senior-level - x - y - z - w",
        ),
        ("Python\t\tJava   SQL", "Python Java SQL"),
        ("Py(cid:12)thon (cid:3)Docker", "Python Docker"),
        ("(ci(cid:1)d:22)Go", "Go"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("trailing   \n   leading", "trailing\nleading"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("\n\n  padded  \n\n", "padded"),
        ("bell\x07 null\x00 esc\x1b done", "bell null esc done"),
        ("zero\u200bwidth\ufeff joiner\u200d", "zerowidth joiner"),
        ("non\u00a0breaking\u202fspaces", "non breaking spaces"),
        ("para\u2029graph\u2028line", "para\ngraph\nline"),
        ("\uf0b7Python \uf0a7SQL", "Python SQL"),  # private-use bullets from symbol fonts
        ("Cafe\u0301", "Café"),
    ],
)
def test_normalise_cases(raw, clean):
    assert normalise(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("project manage-\nment", "project management"),
        ("develop-\nment of APIs", "development of APIs"),
        ("Kuber-\nnetes", "Kubernetes"),
        ("a self-\nmotivated lead", "a self-\nmotivated lead"),
        ("data-\ndriven decisions", "data-\ndriven decisions"),
        ("cross-\nfunctional teams", "cross-\nfunctional teams"),
        ("full-\nstack work and full-stack again", "full-\nstack work and full-stack again"),
        ("wrote Java-\nScript daily; JavaScript is fun", "wrote JavaScript daily; JavaScript is fun"),
        ("Python-\nBased tools", "Python-\nBased tools"),
        ("state-of-the-\nart", "state-of-the-\nart"),
        ("e-\ncommerce", "e-\ncommerce"),
        ("2019 -\n2021", "2019 -\n2021"),
        ("x-\n\nyz", "x-\n\nyz"),
    ],
)
def test_line_end_hyphens(raw, clean):
    assert normalise(raw) == clean


NASTY = [
    "\u00ad",
    "\t",
    "  ",
    "-\n",
    "\n\n\n",
    "\r\n",
    "(cid:7)",
    "ﬁ",
    "\u2013",
    "\u00a0",
    "\u200b",
    "\x00",
    "\ufffe",
    "\u0301",
    "e",
    "Ab",
    "-",
    "\n",
    " ",
    "(",
    "cid:",
    ")",
    "1",
]
TEXT = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalise_output_is_clean(text):
    out = normalise(text)
    assert "\u00ad" not in out and "\t" not in out and "\r" not in out
    assert "  " not in out and "\n\n\n" not in out
    assert not re.search(r"\(cid:\d+\)", out)
    assert not re.search(r" \n|\n ", out) and out == out.strip()
    assert all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co") for ch in out)
    assert unicodedata.is_normalized("NFKC", out)


# --------------------------------------------------------------------------- fixtures other tests rely on


def test_sample_documents_are_deterministic_and_complete():
    assert sample_resume(5) == sample_resume(5) != sample_resume(6)
    long = sample_resume(5, long=True)
    assert len(long) > 2 * len(sample_resume(5)) * 0.8
    assert parse_bytes(make_pdf(long), "r.pdf").pages == 2
    resume = sample_resume(5)
    assert candidate_email(5) in resume and "Experience" in resume and "Skills" in resume
    assert re.search(r"\b(19|20)\d\d\b.*\b(20\d\d|Present)\b", resume)
    job = sample_job(2)
    required, preferred = job_skills(2)
    assert f"{job_years(2)}+ years of experience" in job
    assert any(heading in job for heading in ("Requirements", "Must have", "What you bring"))
    assert all(skill in job for skill in required + preferred)
    assert len({sample_job(i).splitlines()[0] for i in range(16)}) > 8


def test_pdfium_text_that_lost_its_word_spaces_is_read_again():
    from pipeline.parse.pdf import _glued

    spaced = (
        "Human Resource Generalist who is a great communicator and negotiator with strong conflict resolution "
        "skills. Extensive background in recruitment and retention, mediation and records management. "
    ) * 3
    glued = (
        "HumanResource Generalist who isan greatcommunicatorand negotiator with strong conflictresolution "
        "skills. Extensivebackground in recruitmentand retention, mediationand recordsmanagement. "
        "Benefitsadministrator Employeerelations Payrollexpertise Eventmanagement "
    ) * 3
    assert not _glued([spaced])
    assert _glued([glued])
    assert not _glued(["Kubernetesadministrator"])  # too few words to judge


def test_a_normal_pdf_stays_with_pdfium(tmp_path):
    from tests.fixtures import make_pdf

    parsed = parse.parse_bytes(
        make_pdf("Senior backend engineer with Python, PostgreSQL and Kubernetes experience. " * 8), "cv.pdf"
    )
    assert parsed.engine == "pypdfium2" and "PostgreSQL and Kubernetes" in parsed.text
