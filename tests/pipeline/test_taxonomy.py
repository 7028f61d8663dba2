"""Tests of loading, validating, versioning and compiling the skills taxonomy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import inflect
from pipeline.extract import extract_skills
from pipeline.taxonomy import SKILL_KEYS, Taxonomy, TaxonomyError, ascii_lower, fold, load_taxonomy, taxonomy_version

SKILLS = Path(__file__).resolve().parents[2] / "skills"
REQUIRED_CATEGORIES = {
    "Programming languages",
    "Frameworks & libraries",
    "Databases",
    "Cloud & DevOps",
    "Data & ML",
    "Security",
    "Design & product",
    "Office & business",
    "Healthcare",
    "Education",
    "Soft skills",
}


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(SKILLS)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the shipped taxonomy


def test_shipped_taxonomy_has_600_skills_in_every_category(taxonomy):
    assert len(taxonomy) >= 600
    assert REQUIRED_CATEGORIES <= set(taxonomy.categories)
    per_category = {c: sum(1 for s in taxonomy.skills.values() if s.category == c) for c in taxonomy.categories}
    assert all(count >= 25 for count in per_category.values()), per_category


def test_business_and_soft_skills_are_present(taxonomy):
    for name in (
        "Accounting",
        "Bookkeeping",
        "QuickBooks",
        "Payroll",
        "Customer service",
        "Project management",
        "Excel",
        "CPR",
        "Lesson planning",
        "Classroom management",
        "Patient care",
    ):
        assert name in taxonomy, name
    soft = {s.name for s in taxonomy.skills.values() if s.category == "Soft skills"}
    assert {"Communication", "Leadership", "Teamwork", "Problem solving", "Time management"} <= soft


def test_skill_records_name_category_aliases_and_hints(taxonomy):
    go = taxonomy.skills["Go"]
    assert go.category == "Programming languages"
    assert "Golang" in go.aliases
    assert go.case_sensitive == frozenset({"Go"})
    assert go.context and go.context_for == frozenset({"Go"})
    assert go.source == "languages.yaml"
    assert taxonomy.skills["Kubernetes"].aliases[0] == "K8s"
    assert taxonomy.skills["Python"].case_sensitive == frozenset()


def test_version_is_sha256_hex_and_stable(taxonomy):
    assert re.fullmatch(r"[0-9a-f]{64}", taxonomy.version)
    assert load_taxonomy(SKILLS).version == taxonomy.version


def _kin(taxonomy, skill) -> str:
    """Another skill of `skill`'s category whose name is no everyday word: a list neighbour that means its field."""
    return next(
        s.name
        for s in taxonomy.skills.values()
        if s.category == skill.category and s is not skill and not s.context and not s.case_sensitive
    )


def test_every_surface_form_is_found_in_a_skills_list(taxonomy):
    """Each name and alias, written as given, is found as its own skill in a list line (beside a skill of its own
    field when two skills share the form, as the field decides which one it is)."""
    missed = []
    for skill in taxonomy.skills.values():
        for form in skill.forms:
            other = "Python" if skill.name != "Python" else "Kotlin"
            if fold(form) in taxonomy.matcher.senses:
                other = _kin(taxonomy, skill)
            text = f"Skills: {form}, {other}"
            found = [(m.skill, m.start) for m in extract_skills(text, taxonomy)]
            if (skill.name, 8) not in found:
                missed.append((skill.name, form, found))
    assert not missed, missed[:20]


def test_readme_documents_every_hint_and_file(taxonomy):
    readme = (SKILLS / "README.md").read_text(encoding="utf-8")
    for key in SKILL_KEYS:
        assert f"`{key}`" in readme, key
    for path in SKILLS.glob("*.yaml"):
        assert f"`{path.name}`" in readme, path.name


def test_matcher_is_compiled_once_per_load(taxonomy, monkeypatch):
    assert isinstance(taxonomy.matcher.pattern, re.Pattern)
    assert len(taxonomy.matcher.forms) >= len(taxonomy)

    def no_compiling(*args, **kwargs):
        raise AssertionError("a regex was compiled during extraction")

    text = (SKILLS / "README.md").read_text(encoding="utf-8")
    extract_skills(text, taxonomy)  # warm any lazily built module state first
    with monkeypatch.context() as patched:  # undone before pytest reports (its plugins compile regexes)
        patched.setattr(re, "compile", no_compiling)
        patched.setattr(re, "_compile", no_compiling)
        assert extract_skills(text + "\nPython, Go, C and R; Spring Boot", taxonomy)


# ---------------------------------------------------------------- loading and errors


def test_minimal_folder_loads_with_hints(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        """
category: Things
skills:
  - name: Go
    aliases: [Golang]
    case_sensitive: [Go]
    context: [programming]
    exclude: ['go\\s+team']
  - name: Rust
    case_sensitive: true
""",
    )
    t = load_taxonomy(tmp_path)
    assert len(t) == 2 and t.categories == ("Things",)
    assert t.skills["Rust"].case_sensitive == frozenset({"Rust"})
    assert t.skills["Go"].context_for == frozenset({"Go", "Golang"})
    assert t.skills["Go"].exclude == ("go\\s+team",)
    assert "Go" in t and "Java" not in t


def test_version_changes_with_any_edit_or_rename(tmp_path):
    shutil.copytree(SKILLS, tmp_path / "skills")
    folder = tmp_path / "skills"
    before = load_taxonomy(folder).version
    path = folder / "languages.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    edited = load_taxonomy(folder).version
    assert edited != before
    path.rename(folder / "languages2.yaml")
    assert load_taxonomy(folder).version not in (before, edited)


def test_the_content_hash_is_the_version_a_load_gives(tmp_path):
    """The watcher compares this hash before any reload, so it must agree with the loaded version."""
    shutil.copytree(SKILLS, tmp_path / "skills")
    folder = tmp_path / "skills"
    assert taxonomy_version(folder) == load_taxonomy(folder).version
    (folder / "notes.txt").write_text("not a skills file")
    assert taxonomy_version(folder) == load_taxonomy(folder).version
    (folder / "zz.yaml").write_text("category: Z\nskills:\n  - name: Zorblax\n")
    assert taxonomy_version(folder) == load_taxonomy(folder).version


def test_non_yaml_files_are_ignored(tmp_path):
    write(tmp_path, "a.yaml", "category: A\nskills:\n  - name: Alpha\n")
    version = load_taxonomy(tmp_path).version
    write(tmp_path, "notes.txt", "not a skills file")
    assert load_taxonomy(tmp_path).version == version


@pytest.mark.parametrize(
    "second",
    [
        "category: B\nskills:\n  - name: Golang\n",  # canonical name equals an alias elsewhere
        "category: B\nskills:\n  - name: Go lang\n",
        "category: B\nskills:\n  - name: Gopher\n    aliases: [GOLANG]\n",  # case does not make it different
        "category: B\nskills:\n  - name: go\n",
    ],
)
def test_a_form_appearing_twice_across_files_is_an_error(tmp_path, second):
    write(tmp_path, "a.yaml", "category: A\nskills:\n  - name: Go\n    aliases: [Golang, Go-lang]\n")
    write(tmp_path, "b.yaml", second)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(tmp_path)
    message = str(error.value)
    assert "b.yaml" in message and "entry #1" in message and "a.yaml" in message and "'Go'" in message


def test_duplicate_within_one_file_names_the_entry(tmp_path):
    write(tmp_path, "a.yaml", "category: A\nskills:\n  - name: Alpha\n  - name: Beta\n  - name: alpha\n")
    with pytest.raises(TaxonomyError, match=r"a\.yaml:5: entry #3 \('alpha'\).*'Alpha' in a\.yaml:3"):
        load_taxonomy(tmp_path)


def test_a_form_two_skills_share_must_need_context_in_both(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "category: A\nskills:\n  - name: Alpha\n    aliases: [AX]\n  - name: Beta\n"
        "    aliases: [AX]\n    context: [b]\n",
    )
    with pytest.raises(
        TaxonomyError,
        match=r"a\.yaml:5: entry #2 \('Beta'\): 'AX' is already used by 'Alpha'.*"
        r"both list it in context_for",
    ):
        load_taxonomy(tmp_path)
    write(
        tmp_path,
        "a.yaml",
        "category: A\nskills:\n  - name: Alpha\n    aliases: [AX]\n    context: [a]\n"
        "  - name: Beta\n    aliases: [AX]\n    context: [b]\n",
    )
    assert [f.skill.name for f in load_taxonomy(tmp_path).matcher.senses["ax"]] == ["Alpha", "Beta"]


def test_form_listed_twice_in_one_skill(tmp_path):
    write(tmp_path, "a.yaml", "category: A\nskills:\n  - name: Node.js\n    aliases: [NodeJS, Nodejs]\n")
    with pytest.raises(TaxonomyError, match=r"a\.yaml:3: entry #1 \('Node.js'\): 'Nodejs' is listed twice"):
        load_taxonomy(tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        # A second key silently replaced the first with a plain YAML loader: the first relation was lost.
        (
            "category: A\nskills:\n  - name: Alpha\n  - name: Beta\n    related: {Alpha: 0.7}\n    related: {Gamma: 0.5}\n",
            r"a\.yaml:6: invalid YAML: duplicate key 'related' \(first given on line 5\)",
        ),
        ("category: A\ncategory: B\nskills:\n  - name: Alpha\n", r"a\.yaml:2: invalid YAML: duplicate key 'category'"),
        (
            "category: A\nskills:\n  - {name: Alpha, aliases: [A1], aliases: [A2]}\n",
            r"a\.yaml:3: invalid YAML: duplicate key 'aliases'",
        ),
    ],
)
def test_a_key_given_twice_is_an_error_naming_the_file_and_line(tmp_path, text, message):
    write(tmp_path, "a.yaml", text)
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(tmp_path)


def test_a_roles_file_with_a_key_given_twice_is_an_error(tmp_path):
    from pipeline.roles import RolesError, load_roles

    (tmp_path / "roles").mkdir()
    write(
        tmp_path / "roles",
        "roles.yaml",
        "families:\n  - name: Backend\n    titles: [Backend engineer]\n    titles: [Backend developer]\n",
    )
    with pytest.raises(RolesError, match=r"roles\.yaml:4: invalid YAML: duplicate key 'titles'"):
        load_roles(tmp_path)


def test_yaml_merge_keys_are_not_duplicates(tmp_path):
    write(
        tmp_path, "a.yaml", "category: A\nskills:\n  - &base {name: Alpha, context: [x]}\n  - {<<: *base, name: Beta}\n"
    )
    assert load_taxonomy(tmp_path).skills["Beta"].context == ("x",)


@pytest.mark.parametrize(
    "text, message",
    [
        ("category: A\nskills:\n  - name: Alpha\n  - aliases: [B]\n", r"a\.yaml:4: entry #2: missing 'name'"),
        ("category: A\nskills:\n  - name: [Alpha\n", r"a\.yaml:3: invalid YAML"),
        ("skills:\n  - name: Alpha\n", r"a\.yaml:1: missing 'category'"),
        ("category: A\nskills: []\n", r"a\.yaml:2: 'skills' must be a non-empty list"),
        ("category: A\nskill:\n  - name: Alpha\n", r"a\.yaml:1: unknown top-level key"),
        ("- just a list\n", r"a\.yaml:1: expected a mapping"),
        ("category: A\nskills:\n  - Alpha\n", r"a\.yaml:3: entry #1: expected a mapping"),
        (
            "category: A\nskills:\n  - name: Alpha\n    alias: [A1]\n",
            r"a\.yaml:3: entry #1 \('Alpha'\): unknown key\(s\) \['alias'\]",
        ),
        (
            "category: A\nskills:\n  - name: Alpha\n    aliases: [A1, 3]\n",
            r"a\.yaml:4: entry #1 \('Alpha'\): 'aliases' must be a list of non-empty strings",
        ),
        (
            "category: A\nskills:\n  - name: Alpha\n    case_sensitive: [Beta]\n",
            r"a\.yaml:3: entry #1 \('Alpha'\): 'case_sensitive' names \['Beta'\]",
        ),
        (
            "category: A\nskills:\n  - name: Alpha\n    context_for: [Alpha]\n",
            r"a\.yaml:3: entry #1 \('Alpha'\): 'context_for' given without 'context'",
        ),
        (
            "category: A\nskills:\n  - name: Alpha\n    exclude: ['alpha(']\n",
            r"a\.yaml:4: entry #1 \('Alpha'\): bad 'exclude' regex",
        ),
        ("category: A\nskills:\n  - name: ' - '\n", r"a\.yaml:3: entry #1 \('-'\): empty surface form '-'"),
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path, text, message):
    write(tmp_path, "a.yaml", text)
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(tmp_path)


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(TaxonomyError, match="no skills files"):
        load_taxonomy(tmp_path)


def test_not_utf8_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"category: \xff\xfe\nskills:\n  - name: A\n")
    with pytest.raises(TaxonomyError, match="a.yaml: not UTF-8"):
        load_taxonomy(tmp_path)


def test_fold_keeps_length_of_non_ascii_text():
    assert fold("Machine-Learning") == "machine learning"
    assert fold("  Node.JS ") == "node.js"
    assert fold("İstanbul") == "İstanbul"  # only ASCII letters fold, so offsets never shift


# ---------------------------------------------------------------- regular variants of forms


@pytest.mark.parametrize(
    "form, expected",
    [
        ("Code review", ["Code reviews"]),
        ("Data analysis", ["Data analyses"]),
        ("Applicant tracking systems", ["Applicant tracking system"]),
        ("Business process", ["Business processes"]),
        ("Illustration", ["illustrations"]),
        ("Mergers & acquisitions", ["Mergers & acquisition", "Mergers and acquisitions"]),
        ("Microsoft Office", []),
        ("Windows", []),
        ("Machine learning", []),
        ("Statistics", []),  # names, -ing, -ics
        ("Project manager", []),
        ("Data scientist", []),  # a role in the plural names colleagues
    ],
)
def test_inflect_variants(form, expected):
    assert inflect.variants(form) == expected


def found_in(folder: Path, skills_yaml: str, text: str) -> list[tuple[str, str]]:
    """(surface, skill) for each hit in `text` of a taxonomy made of `skills_yaml` alone."""
    (folder / "s.yaml").write_text("category: Test\nskills:\n" + skills_yaml)
    return [(text[s:e], f.skill.name) for s, e, f in load_taxonomy(folder).matcher.find(text)]


def test_plurals_singulars_and_ampersands_are_found_without_listing_them(tmp_path):
    found = found_in(
        tmp_path,
        "  - name: Code review\n  - name: Applicant tracking systems\n"
        "  - name: Research and development\n  - name: Project manager\n  - name: Go\n    case_sensitive: true\n",
        "Led code reviews; ran an applicant tracking system; R&D: research & development; met project managers; Gos",
    )
    assert found == [
        ("code reviews", "Code review"),
        ("applicant tracking system", "Applicant tracking systems"),
        ("research & development", "Research and development"),
    ]


def test_an_abbreviation_is_found_in_the_plural_unless_that_is_a_word_or_people(tmp_path):
    found = found_in(
        tmp_path,
        "  - name: Electrocardiography\n    aliases: [EKG]\n  - name: Computer-aided testing\n    aliases: [CAT]\n"
        "  - name: Licensed practical nurse\n    aliases: [LPN]\n",
        "Performed EKGs; fed the CATs; supervised LPNs",
    )
    assert found == [("EKGs", "Electrocardiography")]


def test_a_variant_two_skills_would_share_is_left_out(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "category: Test\nskills:\n  - name: Data model\n  - name: Data models x\n"
        "  - name: Sales report\n  - name: Sales reports\n"
    )
    forms = load_taxonomy(tmp_path).matcher.forms
    assert forms["sales reports"].skill.name == "Sales reports"  # a skill's own form beats a variant
    assert forms["data models"].skill.name == "Data model"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.text(alphabet="AbZ İKÉß\u212a-", max_size=40))
def test_ascii_lower_is_translate_exactly(text):
    assert ascii_lower(text) == text.translate(
        str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    )
