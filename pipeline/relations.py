"""How a set of skills answers one wanted skill: exactly, implied by another, related to one, or only broadly."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pipeline.taxonomy import Taxonomy

BROADER_STRENGTH = 0.5  # wanted Amazon RDS, has only AWS: the broader skill counts for this much


@dataclass(frozen=True)
class Link:
    """Why a wanted skill counts: `kind` is exact | implied | related | broader; `via` the skill that gives it."""

    skill: str
    kind: str
    via: str | None
    strength: float  # 1.0 for exact and implied; the relation's strength otherwise


class Relations:
    """The taxonomy's `implies`, `related` and `broader` entries, indexed for lookups from the wanted side."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.version = taxonomy.version
        skills = taxonomy.skills
        # A skill implies what it names in `implies` and `broader`, and all that those imply in turn.
        direct = {name: set(s.implies) | set(s.broader) for name, s in skills.items()}
        self.implied_by: dict[str, frozenset[str]] = {}
        reach: dict[str, set[str]] = {}
        for name in skills:
            seen: set[str] = set()
            todo = list(direct[name])
            while todo:
                other = todo.pop()
                if other not in seen:
                    seen.add(other)
                    todo.extend(direct.get(other, ()))
            seen.discard(name)
            reach[name] = seen
        inverse: dict[str, set[str]] = {}
        for name, implied in reach.items():
            for other in implied:
                inverse.setdefault(other, set()).add(name)
        self.implied_by = {k: frozenset(v) for k, v in inverse.items()}
        related: dict[str, dict[str, float]] = {}
        for name, s in skills.items():
            for other, strength in s.related:  # symmetric: MySQL ~ PostgreSQL both ways
                for a, b in ((name, other), (other, name)):
                    related.setdefault(a, {})[b] = max(strength, related.get(a, {}).get(b, 0.0))
        self.related = related
        self.broader = {name: tuple(s.broader) for name, s in skills.items() if s.broader}

    def link(self, want: str, have: Collection[str]) -> Link | None:
        """The strongest reason `have` answers `want`, or None. Ties go to the first name in sorted order."""
        if want in have:
            return Link(want, "exact", None, 1.0)
        implied = sorted(self.implied_by.get(want, frozenset()) & set(have))
        if implied:
            return Link(want, "implied", implied[0], 1.0)
        best: Link | None = None
        for other, strength in sorted(self.related.get(want, {}).items()):
            if other in have and (best is None or strength > best.strength):
                best = Link(want, "related", other, strength)
        for wider in self.broader.get(want, ()):
            if wider in have and (best is None or BROADER_STRENGTH > best.strength):
                best = Link(want, "broader", wider, BROADER_STRENGTH)
        return best

    def closure(self, have: Collection[str]) -> set[str]:
        """`have` with everything its skills imply."""
        out = set(have)
        for want, givers in self.implied_by.items():
            if want not in out and not givers.isdisjoint(have):
                out.add(want)
        return out


_cache: dict[str, Relations] = {}


def relations_of(taxonomy: Taxonomy) -> Relations:
    """One `Relations` per taxonomy version, built on first use."""
    found = _cache.get(taxonomy.version)
    if found is None:
        _cache.clear()
        found = _cache[taxonomy.version] = Relations(taxonomy)
    return found
