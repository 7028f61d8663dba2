"""Documents for drills, made on the spot with what the project already installs (no test extras).

Every file carries the drill's run id, so its bytes (and sha256) are new to the deployment and a
drill can tell its own files from everything else in the database. Good files are resumes in
PDF, DOCX and TXT; bad ones are corrupt, truncated, encrypted, empty, too large or zip bombs,
each with the quarantine code the pipeline is expected to give it.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SKILLS = (
    "Python",
    "SQL",
    "Docker",
    "Kubernetes",
    "AWS",
    "Terraform",
    "Linux",
    "PostgreSQL",
    "Redis",
    "Kafka",
    "React",
    "TypeScript",
    "Excel",
    "Tableau",
    "Agile",
    "Scrum",
    "Jira",
    "Git",
    "Prometheus",
    "Grafana",
)
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Donald")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Perlman", "Knuth")


@dataclass
class Doc:
    name: str  # file name to drop under inbox/<folder>/
    data: bytes
    kind: str = "resume"  # resume | job
    expect: str = "scored"  # scored, or the quarantine code expected
    email: str = ""


def resume_text(run: str, i: int) -> tuple[str, str]:
    rng = random.Random(f"{run}-{i}")
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = f"chaos-{run}-{i}@drill.example"
    skills = rng.sample(SKILLS, 6)
    years = rng.randint(2, 15)
    text = (
        f"{name}\n{email}\nDrill {run} resume {i}\n\nSUMMARY\n"
        f"Engineer with {years} years of experience in {skills[0]}, {skills[1]} and {skills[2]}.\n\n"
        f"EXPERIENCE\nSenior Engineer, Example Corp (2018 - 2024)\n"
        f"- Built services with {skills[0]} and {skills[3]}; ran them on {skills[4]}.\n"
        f"- Automated reporting with {skills[5]} and {skills[1]}.\n\n"
        f"SKILLS\n{', '.join(skills)}\n"
    )
    return text, email


def job_text(run: str) -> str:
    return (
        f"Platform Engineer (drill {run})\n\nWe are hiring a platform engineer with 3+ years of experience.\n\n"
        "Requirements:\n- Python\n- SQL\n- Docker\n- Kubernetes\n\nNice to have:\n- AWS\n- Terraform\n- Linux\n"
    )


# -- PDF, written by hand: one page of Helvetica text, or the same with an /Encrypt dictionary


def make_pdf(text: str, encrypted: bool = False) -> bytes:
    def escape(line: str) -> str:
        return (
            line.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    lines = text.splitlines()[:60]
    stream = "BT /F1 10 Tf 54 740 Td 12 TL\n" + "".join(f"({escape(line)}) '\n" for line in lines) + "ET"
    content = stream.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    trailer_extra = b""
    if encrypted:  # the standard security handler with a user password nobody knows
        rng = random.Random(text)
        o, u = rng.randbytes(32).hex().encode(), rng.randbytes(32).hex().encode()
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + o + b"> /U <" + u + b"> /P -44 >>")
        file_id = rng.randbytes(16).hex().encode()
        trailer_extra = b" /Encrypt 6 0 R /ID [<" + file_id + b"> <" + file_id + b">]"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1)
        + trailer_extra
        + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()


def make_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_zip_comment(data: bytes, comment: bytes) -> bytes:
    """The same ZIP with `comment` as its archive comment: new bytes, same content."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\x00\x00", "expects a ZIP without a comment"
    return data[:-2] + len(comment).to_bytes(2, "little") + comment


@cache
def _bomb_base(expanded_mb: int = 16) -> bytes:
    import zipfile

    base = make_docx("Jane Doe\nPython developer with ten years of experience building web services.")
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        with target.open("word/media/padding.bin", "w") as padding:
            block = bytes(1 << 20)
            for _ in range(expanded_mb):
                padding.write(block)
    return buffer.getvalue()


def good(run: str, i: int) -> Doc:
    """Resume i of a drill: PDF, DOCX or TXT in turn."""
    text, email = resume_text(run, i)
    fmt = ("pdf", "docx", "txt")[i % 3]
    data = make_pdf(text) if fmt == "pdf" else make_docx(text) if fmt == "docx" else text.encode()
    return Doc(f"chaos-{run}-good-{i:03d}.{fmt}", data, email=email)


BAD_KINDS = ("corrupt", "truncated", "encrypted_pdf", "encrypted_docx", "empty", "too_large", "zip_bomb")


def bad(run: str, i: int, max_file_bytes: int, kind: str | None = None) -> Doc:
    """Bad file i of a drill, its kind taken in turn from BAD_KINDS unless given."""
    kind = kind or BAD_KINDS[i % len(BAD_KINDS)]
    tag = f"chaos-{run}-bad-{i:03d}"
    nonce = tag.encode()
    if kind == "corrupt":  # a PDF header over random bytes
        data = b"%PDF-1.7\n%" + nonce + b"\n" + random.Random(tag).randbytes(6000) + b"\n%%EOF\n"
        return Doc(f"{tag}-corrupt.pdf", data, expect="corrupt")
    if kind == "truncated":  # a real PDF cut in half: no end-of-file marker
        whole = make_pdf(resume_text(run, 10_000 + i)[0])
        return Doc(f"{tag}-truncated.pdf", whole[: len(whole) // 2], expect="corrupt")
    if kind == "encrypted_pdf":
        return Doc(
            f"{tag}-encrypted.pdf", make_pdf(resume_text(run, 20_000 + i)[0], encrypted=True), expect="encrypted"
        )
    if kind == "encrypted_docx":  # what Word writes for a password-protected document: an OLE2 container
        data = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(24)
            + "EncryptedPackage".encode("utf-16-le")
            + nonce
            + random.Random(tag).randbytes(4000)
        )
        return Doc(f"{tag}-encrypted.docx", data, expect="encrypted")
    if kind == "empty":  # zero bytes: every empty file has the same sha256, which the pipeline must cope with
        return Doc(f"{tag}-empty.pdf", b"", expect="empty")
    if kind == "too_large":
        head = f"{tag} this text file is larger than SHORTLIST_MAX_FILE_MB\n".encode()
        return Doc(f"{tag}-huge.txt", head + b"x" * (max_file_bytes + 1024 - len(head)), expect="too_large")
    if kind == "zip_bomb":
        return Doc(f"{tag}-bomb.docx", with_zip_comment(_bomb_base(), nonce), expect="zip_bomb")
    raise ValueError(f"unknown bad kind {kind!r}; one of {', '.join(BAD_KINDS)}")


def write(doc: Doc, inbox: Path) -> Path:
    """Drop a document the way a careful copier does: write a hidden temp file, then rename it into place."""
    folder = inbox / ("jobs" if doc.kind == "job" else "resumes")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / doc.name
    temp = folder / f".{doc.name}.part"
    temp.write_bytes(doc.data)
    temp.replace(target)
    return target
