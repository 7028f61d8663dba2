"""Pure: who a resume belongs to, from several signals (email, phone, name, profile URLs), never its file name.

Rules (the README's "People" section says the same):
- the same usable email and the same name: the same person (two nameless resumes with one usable email too);
- the same phone or profile URL and the same name: the same person;
- any shared signal that does not settle it (the same email with another name, the same name alone, a placeholder
  or shared address) makes a new person flagged as a possible duplicate of the other, for a person to merge;
- an address is unusable when it is a known placeholder (example.com, yourname@...) or is already used by
  several different names (five people's resumes made from one template);
- a file name is never a signal;
- the same normalised text is the same resume (a PDF and a DOCX of it); the same person's resume with mostly the
  same text is a new version that replaces the old one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from rapidfuzz import fuzz

PLACEHOLDER_DOMAINS = frozenset(
    {
        "example.com",
        "example.org",
        "example.net",
        "example.edu",
        "domain.com",
        "yourdomain.com",
        "email.com",
        "company.com",
        "yourcompany.com",
        "website.com",
        "yourwebsite.com",
        "test.com",
        "sample.com",
        "mysite.com",
        "yourname.com",
        "xyz.com",
        "abc.com",
        "emailaddress.com",
        "youremail.com",
        "mail.example",
    }
)
PLACEHOLDER_LOCALS = frozenset(
    {
        "yourname",
        "your.name",
        "your_name",
        "name",
        "email",
        "youremail",
        "your.email",
        "firstname.lastname",
        "first.last",
        "firstlast",
        "firstname",
        "lastname",
        "john.doe",
        "jane.doe",
        "johndoe",
        "janedoe",
        "john",
        "jane",
        "someone",
        "user",
        "username",
        "test",
        "example",
        "sample",
        "me",
        "myname",
        "my.name",
        "abc",
        "xyz",
        "noreply",
        "no-reply",
        "resume",
        "cv",
        "candidate",
        "applicant",
        "hello",
        "info",
        "contact",
    }
)
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# Only the site and the handle are captured, so no optional "https://www." prefix is matched: a
# pattern that starts with the site's name lets the regex engine skip ahead to it.
_PROFILE = re.compile(r"(linkedin\.com/(?:in|pub)|github\.com)/([A-Za-z0-9_.%-]{2,100})", re.IGNORECASE)
_GITHUB_PAGES = {"about", "features", "pricing", "orgs", "topics", "sponsors", "login", "join", "settings"}
SAME_TEXT = 0.85  # similarity (0..1) above which one person's two resumes are versions of one resume


@dataclass(frozen=True)
class Signals:
    """What a resume says about who wrote it; `name` is a comparison key (see name_key)."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    profiles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Known:
    """Another person's resume, as identity sees it."""

    candidate_id: int
    signals: Signals


@dataclass
class Verdict:
    """The person a resume joins (None: a new person) and the people it may be a duplicate of, with reasons."""

    candidate_id: int | None = None
    possible: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # id -> {"agree": [], "disagree": []}


def name_key(name: str | None) -> str | None:
    """'Dr. José  A. García-López' -> 'garcia jose lopez': accents, case, initials, titles and order ignored."""
    if not name:
        return None
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z]+", plain) if len(w) > 1 and w not in {"dr", "mr", "mrs", "ms", "jr", "sr"}]
    return " ".join(sorted(words)) or None


def normal_email(email: str | None) -> str | None:
    return email.strip().lower() if email and "@" in email else None


def is_placeholder(email: str | None) -> bool:
    """A template's address: a known placeholder domain or local part."""
    if not email or "@" not in email:
        return False
    local, _, domain = email.lower().partition("@")
    return domain in PLACEHOLDER_DOMAINS or domain.endswith(".example") or local in PLACEHOLDER_LOCALS


CONTACT_CHARS = 3000  # a resume's contact details are near its top; the rest is not searched for a phone


def phone_of(text: str, region: str = "US") -> str | None:
    """The first valid phone number near the top of the text, in E.164 ('+14155550123'); None when there is none."""
    for found in phonenumbers.PhoneNumberMatcher(text[:CONTACT_CHARS], region, leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(found.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def profiles_of(text: str) -> frozenset[str]:
    """LinkedIn and GitHub profile addresses, normalised ('linkedin.com/in/jane-doe', 'github.com/jdoe')."""
    found = set()
    for site, handle in _PROFILE.findall(text):
        handle = handle.rstrip(".").lower()
        site = "linkedin.com/in" if site.lower().startswith("linkedin") else "github.com"
        if site == "github.com" and handle in _GITHUB_PAGES:
            continue
        found.add(f"{site}/{handle}")
    return frozenset(found)


def text_key(text: str) -> str:
    """sha256 of the text with case, punctuation, bullets and spacing removed: one resume's PDF and DOCX agree."""
    return hashlib.sha256(" ".join(_words(text)).encode()).hexdigest()


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[^\W_]+", plain)


def similarity(a: str, b: str) -> float:
    """0..1: how much of two texts is the same words in the same order (rapidfuzz's normalised Indel ratio)."""
    return fuzz.ratio(" ".join(_words(a)), " ".join(_words(b))) / 100.0


def signals_of(text: str, name: str | None, email: str | None, region: str = "US") -> Signals:
    return Signals(
        email=normal_email(email), phone=phone_of(text, region), name=name_key(name), profiles=profiles_of(text)
    )


def unusable_emails(new: Signals, known: list[Known]) -> set[str]:
    """Addresses that identify nobody: placeholders, and those used under several different names."""
    names: dict[str, set[str | None]] = {}
    for item in [*known, Known(0, new)]:
        if item.signals.email:
            names.setdefault(item.signals.email, set()).add(item.signals.name)
    return {email for email, seen in names.items() if is_placeholder(email) or len(seen) > 1}


def compare(new: Signals, old: Signals, unusable: set[str]) -> tuple[bool, list[str], list[str]]:
    """(same person?, signals that agree, signals that disagree) for two resumes."""
    agree, disagree = [], []
    same_name = new.name is not None and new.name == old.name
    email_ok = new.email is not None and new.email == old.email and new.email not in unusable
    if new.email and old.email:
        if new.email != old.email:
            disagree.append("email")
        elif new.email in unusable:
            agree.append("email (placeholder or shared)" if is_placeholder(new.email) else "email (shared)")
        else:
            agree.append("email")
    if new.phone and old.phone:
        (agree if new.phone == old.phone else disagree).append("phone")
    if new.profiles and old.profiles:
        (agree if new.profiles & old.profiles else disagree).append("profile URL")
    if new.name and old.name:
        (agree if same_name else disagree).append("name")
    strong = bool(new.phone and new.phone == old.phone) or bool(new.profiles & old.profiles)
    same = (email_ok and (same_name or (new.name is None and old.name is None))) or (strong and same_name)
    return same, agree, disagree


def decide(new: Signals, known: list[Known]) -> Verdict:
    """Which person a resume with `new` signals belongs to, among the resumes `known` (those sharing a signal)."""
    unusable = unusable_emails(new, known)
    verdict = Verdict()
    for item in sorted(known, key=lambda k: k.candidate_id):
        same, agree, disagree = compare(new, item.signals, unusable)
        if same and verdict.candidate_id in (None, item.candidate_id):
            verdict.candidate_id = item.candidate_id
            continue
        if agree:
            reasons = verdict.possible.setdefault(item.candidate_id, {"agree": [], "disagree": []})
            reasons["agree"] = sorted(set(reasons["agree"]) | set(agree))
            reasons["disagree"] = sorted(set(reasons["disagree"]) | set(disagree))
    verdict.possible.pop(verdict.candidate_id or 0, None)
    return verdict
