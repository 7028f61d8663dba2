"""Taxonomy relations: implies, related and broader, loaded from YAML and looked up from the wanted side."""

import pytest

from pipeline.relations import BROADER_STRENGTH, Relations
from pipeline.taxonomy import TaxonomyError, load_taxonomy

SKILLS = """
category: Test
skills:
  - name: Java
  - name: Spring
    implies: [Java]
  - name: Spring Boot
    implies: Spring
  - name: PostgreSQL
  - name: MySQL
    related: {PostgreSQL: 0.6}
  - name: MariaDB
    related: [MySQL]
  - name: AWS
  - name: Amazon RDS
    broader: [AWS]
"""


def _load(tmp_path, text=SKILLS):
    (tmp_path / "test.yaml").write_text(text)
    return load_taxonomy(tmp_path)


def test_implies_is_transitive_and_exact_wins(tmp_path):
    relations = Relations(_load(tmp_path))
    link = relations.link("Java", {"Spring Boot"})
    assert (link.kind, link.strength) == ("implied", 1.0) and link.via in {"Spring", "Spring Boot"}
    assert relations.link("Java", {"Java", "Spring"}).kind == "exact"
    assert relations.link("Spring Boot", {"Java"}) is None  # implication runs one way
    assert relations.closure({"Spring Boot"}) == {"Spring Boot", "Spring", "Java"}


def test_related_is_symmetric_with_its_strength(tmp_path):
    relations = Relations(_load(tmp_path))
    assert relations.link("PostgreSQL", {"MySQL"}).strength == 0.6
    assert relations.link("MySQL", {"PostgreSQL"}).strength == 0.6
    assert relations.link("MySQL", {"MariaDB"}).strength == 0.5
    assert relations.link("PostgreSQL", {"MariaDB"}) is None  # related is not transitive


def test_broader_gives_part_credit_one_way_and_implies_the_other(tmp_path):
    relations = Relations(_load(tmp_path))
    link = relations.link("Amazon RDS", {"AWS"})
    assert (link.kind, link.via, link.strength) == ("broader", "AWS", BROADER_STRENGTH)
    assert relations.link("AWS", {"Amazon RDS"}).kind == "implied"


@pytest.mark.parametrize(
    "entry, message",
    [
        ("  - name: Go\n    implies: [Rust]\n", "'implies' names 'Rust', which no skills file declares"),
        ("  - name: Go\n    related: {Java: 2}\n", "strength of 'Java' must be a number between 0 and 1"),
        ("  - name: Go\n    broader: [Go]\n", "'broader' names the skill itself"),
    ],
)
def test_bad_relations_name_the_file_and_skill(tmp_path, entry, message):
    with pytest.raises(TaxonomyError, match="test.yaml") as error:
        _load(tmp_path, SKILLS + entry)
    assert message in str(error.value)
