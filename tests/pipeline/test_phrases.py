"""Tests of skills named by phrasing: an "and"-list sharing a word, a verb and its object."""

from __future__ import annotations

from pathlib import Path

from pipeline.extract import extract_skills
from pipeline.taxonomy import Taxonomy, load_taxonomy

TAXONOMY: Taxonomy = load_taxonomy(Path(__file__).resolve().parents[2] / "skills")


def _names(text: str, kind: str = "resume") -> set[str]:
    return {m.skill for m in extract_skills(text, TAXONOMY, kind)}


def test_an_and_list_sharing_a_word_names_each_skill():
    assert {"Requirements gathering", "Functional requirements"} <= _names(
        "Understanding of business and functional requirements."
    )
    assert {"Accounts payable", "Accounts receivable"} <= _names("Handled accounts payable and receivable.")
    assert "Accounts receivable" not in _names("Handled accounts payable and reporting.")


def test_an_and_list_names_the_first_items_skill_even_when_the_second_item_is_none():
    assert "Print design" in _names("Complete various print and electronic design projects.", "job")
    assert "Data engineering" in _names("Five years of data or cloud engineering.")
    assert "Print design" not in _names("Print and sign the electronic design brief.")  # the items share no word
    assert "Training materials" in _names("- Improve our training tools/documentation.", "job")
    assert "Data analysis" in _names("Handled data entry/analysis for the clinic.")


def test_a_verb_and_its_whole_object_name_the_skill_their_noun_makes():
    assert "Benefits administration" in _names("- Administer benefits, leaves and payroll changes.", "job")
    assert "Technology integration" in _names("Integrating technology in every lesson.")
    assert "Monitoring" not in _names("Implemented a monitoring system to cut costs.")  # a modifier, not a verb
    assert "Web performance" not in _names("Optimize pipeline performance.")  # "performance" alone says too little
    assert "Calibration" in _names("Calibrated pressure gauges weekly.")
    assert "Data cleaning" in _names("Cleaned survey data in R before modelling.")


def test_a_verbs_object_without_its_one_modifier_names_the_skill_unless_the_two_words_are_a_skill():
    assert "Contract negotiation" in _names("Negotiated supplier contracts and cut costs by 12%.")
    assert "Requirements documentation" in _names("- Document project requirements and dependencies.", "job")
    assert "IT service management" not in _names("Managing customer service for three stores.")
    assert "Contract negotiation" not in _names("Negotiated the new supplier framework contracts.")  # three words


def test_a_verb_governs_each_object_of_its_list_and_skips_a_leading_adjective():
    assert "Leave administration" in _names("- Administer benefits, leaves, and payroll changes.", "job")
    assert "Employee retention" in _names("- Recruit, onboard, and retain diverse talent.", "job")


def test_a_verb_later_in_a_phrase_is_tried_too():
    assert "Digital asset management" in _names("- Archive files and manage digital assets.", "job")


def test_a_word_formed_like_an_adjective_makes_the_next_word_a_noun():
    assert "Monitoring" not in _names("Operated ventilators and hemodynamic monitoring systems.")
    assert "Research design" not in _names("New roles within user-centered design and research.", "job")
    assert "Monitoring" in _names("Developed processes to monitor systems and data collection.")


def test_support_through_channels_names_each_channels_support():
    found = _names(
        "Provides client support and issue resolution via E-Mail, phone and other electronic mediums.", "job"
    )
    assert {"Email support", "Phone support"} <= found
    assert "Live chat support" in _names("Offered support over phone, email and chat.")
    assert "Email support" in _names("Resolved customer requests and assistance via emails sent in.")
    assert "Phone support" not in _names("Reached by phone after hours.")  # no support given through it


def test_each_item_of_a_longer_list_shares_the_last_word():
    found = _names("- ESL/ELL, SPED, or Reading endorsement", "job")
    assert {"ESL endorsement", "Reading endorsement"} <= found
    assert "Social media content" not in _names("Key campaigns: email marketing, social media, content strategy")


def test_a_verb_that_is_a_form_itself_still_names_the_skill_of_its_phrase():
    assert "Network troubleshooting" in _names("Kept 40 users online by troubleshooting networks and printers.")


def test_a_verbs_noun_and_its_object_after_of_name_the_skill():
    assert "Balance sheet reconciliation" in _names("Lead reconciliation of Balance Sheet to the general ledger.")
    assert "Data analysis" in _names("Analysis of data from three surveys.")
    assert "Budgeting" not in _names("Projects were delivered on budget.")  # a preposition opens no object
    found = [m.skill for m in extract_skills("Design of experiments for the lab.", TAXONOMY, "resume")]
    assert found == ["Experimental design"]  # one mention, though three rules find it


def test_a_platform_listed_under_certifications_is_its_certification():
    assert {"AWS", "AWS Certification"} <= _names("Requirements:\n- Certifications: AWS, RHCE, CKA\n", "job")
    assert "AWS Certification" not in _names("Requirements:\n- Cloud: AWS, GCP\n", "job")
