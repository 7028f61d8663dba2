"""Blind review's masking (pure): what is hidden, that offsets survive, and the mask-check command's figures."""

from __future__ import annotations

import json
import signal

from pipeline.__main__ import main
from pipeline.masking import BLOCK, Who, header_names, mask

TEXT = """SARAH JOHNSON, RN, BSN
Registered Nurse
sarah.johnson@mailbox.org | (415) 555-0134 | 12 Harbor View Road, Tulsa, OK 74103
linkedin.com/in/sarah-johnson · https://github.com/sjohnson
Experience
Charge Nurse, Saint Mary Hospital, 2018 - 2024. Sarah led a team of 12 nurses.
Education: BSN, University of Oklahoma
"""


def test_identity_is_hidden_and_the_text_keeps_its_length():
    who = Who(("Sarah Johnson", *header_names(TEXT)))
    masked = mask(TEXT, who)
    assert masked is not None and len(masked) == len(TEXT)
    for secret in (
        "SARAH",
        "JOHNSON",
        "Sarah",
        "sarah.johnson@mailbox.org",
        "555-0134",
        "Harbor View Road",
        "74103",
        "linkedin.com/in/sarah-johnson",
        "github.com/sjohnson",
    ):
        assert secret not in masked, secret
    assert "Charge Nurse" in masked and "2018 - 2024" in masked and "team of 12 nurses" in masked
    assert "Saint Mary Hospital" in masked and "University of Oklahoma" in masked  # organisations only on request
    organisations = mask(TEXT, who, organisations=True) or ""
    assert "Saint Mary Hospital" not in organisations and "University of Oklahoma" not in organisations
    assert masked.index("Experience") == TEXT.index("Experience")  # skill highlights stay where they were


def test_an_address_cut_at_a_snippet_edge_is_hidden_too():
    assert (
        mask("STEELE HASTINGS SALES MANAGER CONTACT shastings@", Who(("Steele Hastings",)))
        == f"{BLOCK * 6} {BLOCK * 8} SALES MANAGER CONTACT {BLOCK * 10}"
    )


def test_mask_check_reports_what_it_found_and_hid(tmp_path, capsys):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "sarah.txt").write_text(TEXT + "Skills: Patient care, Epic, triage. Contact Sarah at (415) 555-0134.\n")
    before = signal.getsignal(signal.SIGPIPE)
    assert main(["mask-check", str(folder), "--json"]) == 0
    assert signal.getsignal(signal.SIGPIPE) == before, "main() in-process must leave its caller's SIGPIPE alone"
    report = json.loads(capsys.readouterr().out)
    assert report["resumes"] == 1 and report["share_hidden"] == 1.0
    assert report["whole_text"]["found"]["email"] == 1 and report["whole_text"]["found"]["name"] >= 3
