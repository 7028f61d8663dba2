"""Tests of where a text names a field of study rather than a skill claim."""

from __future__ import annotations

from pipeline.degrees import field_of_study_spans


def _fields(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in field_of_study_spans(text)]


def test_a_degree_names_its_field():
    assert any("Computer Science" in f for f in _fields("B.S. in Computer Science, 2019"))


def test_a_list_closed_by_or_related_field_on_a_degree_line_is_fields_of_study():
    assert any(
        "Computer Science" in f
        for f in _fields(
            "* BS/Assoc  in Business Management, Education, Computer Science, or related field is preferred."
        )
    )
    assert any(
        "Logistics" in f
        for f in _fields(
            "Must be enrolled in a Bachelors Engineering, Operations, Logistics, or Supply Chain, or similar program."
        )
    )


def test_experience_closed_by_or_related_field_without_a_degree_is_a_claim():
    assert not any("Sales" in f for f in _fields("3+ years in Sales, Marketing, or a related field."))
