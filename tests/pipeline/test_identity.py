"""Identity (pure): the same person, different people, placeholder and shared addresses, nothing from a file name."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import identity
from pipeline.identity import Known, Signals, decide, name_key

WORD = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=9).filter(lambda w: w not in {"jr", "sr", "mrs"})
NAME = st.lists(WORD, min_size=2, max_size=3, unique=True).map(lambda ws: " ".join(w.title() for w in ws))
DOMAIN = st.sampled_from(["gmail.com", "outlook.com", "proton.me", "uni-bonn.de", "acme.io"])
EMAIL = st.builds(lambda local, domain: f"{local}@{domain}", WORD, DOMAIN).filter(
    lambda e: not identity.is_placeholder(e)
)
PLACEHOLDER = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", WORD, st.sampled_from(sorted(identity.PLACEHOLDER_DOMAINS))),
    st.builds(lambda local, domain: f"{local}@{domain}", st.sampled_from(sorted(identity.PLACEHOLDER_LOCALS)), DOMAIN),
)
ID = st.integers(min_value=1, max_value=10_000)


def signals(
    name: str | None, email: str | None = None, phone: str | None = None, profiles: frozenset[str] = frozenset()
) -> Signals:
    return Signals(email=identity.normal_email(email), phone=phone, name=name_key(name), profiles=profiles)


@given(NAME, EMAIL, ID)
def test_the_same_email_and_name_are_the_same_person(name, email, cid):
    verdict = decide(signals(name, email.upper()), [Known(cid, signals(name.upper(), email))])
    assert verdict.candidate_id == cid and not verdict.possible


@given(NAME, NAME, EMAIL, ID)
def test_the_same_email_with_another_name_is_another_person_flagged(name, other, email, cid):
    if name_key(name) == name_key(other):
        return
    verdict = decide(signals(name, email), [Known(cid, signals(other, email))])
    assert verdict.candidate_id is None
    # the address now serves two names: it is shared, and says so beside the pair
    assert verdict.possible == {cid: {"agree": ["email (shared)"], "disagree": ["name"]}}


@given(NAME, PLACEHOLDER, ID)
def test_a_placeholder_address_never_makes_one_person(name, email, cid):
    verdict = decide(signals(name, email), [Known(cid, signals(name, email))])
    assert verdict.candidate_id is None
    assert cid in verdict.possible and "name" in verdict.possible[cid]["agree"]


@given(st.lists(NAME, min_size=3, max_size=6, unique_by=name_key), EMAIL)
def test_an_address_used_under_several_names_is_shared_and_joins_nobody(names, email):
    """Five people's resumes made from one template: the address was filled in by none of them."""
    known = [Known(i + 1, signals(name, email)) for i, name in enumerate(names[1:])]
    verdict = decide(signals(names[1], email), known)
    assert verdict.candidate_id is None  # even the person with the same name: the address identifies nobody
    assert set(verdict.possible) == set(range(1, len(names)))


@given(NAME, NAME, ID)
def test_a_name_alone_is_a_possible_duplicate_never_a_merge(name, other, cid):
    verdict = decide(signals(name), [Known(cid, signals(name))])
    assert verdict.candidate_id is None and verdict.possible[cid]["agree"] == ["name"]
    if name_key(name) != name_key(other):
        assert decide(signals(other), [Known(cid, signals(name))]).possible == {}


@given(st.lists(ID, min_size=1, max_size=5))
def test_no_signal_at_all_joins_nobody(ids):
    """Two people who both send resume.pdf with no email: the file name is not a signal, so nothing agrees."""
    verdict = decide(Signals(), [Known(cid, Signals()) for cid in ids])
    assert verdict.candidate_id is None and verdict.possible == {}


@given(NAME, st.from_regex(r"\+1415555\d{4}", fullmatch=True), ID)
def test_the_same_phone_or_profile_and_name_are_the_same_person(name, phone, cid):
    assert decide(signals(name, phone=phone), [Known(cid, signals(name, phone=phone))]).candidate_id == cid
    profile = frozenset({"github.com/" + (name_key(name) or "x").replace(" ", "-")})
    assert decide(signals(name, profiles=profile), [Known(cid, signals(name, profiles=profile))]).candidate_id == cid
    other = decide(signals(name + " Junior", phone=phone), [Known(cid, signals(name, phone=phone))])
    assert other.candidate_id is None and other.possible[cid] == {"agree": ["phone"], "disagree": ["name"]}


@given(NAME)
def test_name_keys_ignore_case_accents_order_and_initials(name):
    first, *rest = name.split()
    assert name_key(name) == name_key(" ".join([*rest, first]).upper())
    assert name_key("José A. García") == name_key("garcia jose")


def test_phones_are_normalised_and_profiles_read():
    assert identity.phone_of("Call (415) 555-0134 any time") == identity.phone_of("tel: +1 415.555.0134")
    assert identity.phone_of("Born 1990, employed 2015-2020") is None
    assert identity.profiles_of("https://www.linkedin.com/in/Jane-Doe/ · github.com/jdoe") == {
        "linkedin.com/in/jane-doe",
        "github.com/jdoe",
    }


@settings(max_examples=30)
@given(st.lists(WORD, min_size=40, max_size=80))
def test_text_keys_ignore_layout_and_similarity_sees_versions(words):
    text = " ".join(words)
    assert identity.text_key(text) == identity.text_key("• " + text.upper().replace(" ", "\n  "))
    revised = " ".join(words[:-2] + ["kubernetes", "terraform"])
    assert identity.similarity(text, revised) >= identity.SAME_TEXT
    assert identity.similarity(text, text.upper()) == 1.0
    assert identity.similarity(text, " ".join("zq" + w[::-1] for w in words)) < identity.SAME_TEXT
