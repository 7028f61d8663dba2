"""The tables of store/models.py as SQLAlchemy Core tables, typed (SQLModel's fields read as their Python values to
mypy, so Core statements over columns go through these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from store.models import (
    Attempt,
    Audit,
    Candidate,
    Decision,
    Document,
    DuplicatePair,
    Event,
    Job,
    Match,
    PersonChange,
    Reveal,
    SkillMention,
)


def _table(model: Any) -> Table:
    return model.__dict__["__table__"]


attempt = _table(Attempt)
audit = _table(Audit)
candidate = _table(Candidate)
decision = _table(Decision)
document = _table(Document)
duplicate_pair = _table(DuplicatePair)
event = _table(Event)
job = _table(Job)
match = _table(Match)
person_change = _table(PersonChange)
reveal = _table(Reveal)
skill_mention = _table(SkillMention)
