"""The roles vocabulary (skills/roles/*.yaml): role families, seniority words, and how close two sets of titles are."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


from pipeline.taxonomy import fold
from pipeline.taxonomy_schema import TaxonomyError, load_yaml

GROUP_STRENGTH = 0.5  # a family in the same group (backend vs frontend) counts this much
RELATED_STRENGTH = 0.5  # a family named in `related`
DEFAULT_LEVEL = 2  # neither junior nor senior


class RolesError(ValueError):
    """A roles file that cannot be loaded; the message names the file and the entry."""


@dataclass(frozen=True)
class Roles:
    version: str
    families: dict[str, tuple[str, ...]]  # family -> related families (group members and `related`)
    strengths: dict[tuple[str, str], float]
    pattern: re.Pattern[str]  # finds title phrases, longest first
    family_of: dict[str, str]  # folded phrase -> family
    levels: dict[str, int]  # folded seniority word -> level

    def families_in(self, title: str) -> list[str]:
        """Families named in one title line, in order of appearance."""
        found = []
        for m in self.pattern.finditer(fold(title)):
            family = self.family_of[m.group(1)]
            if family not in found:
                found.append(family)
        return found

    def level(self, title: str) -> int:
        words = fold(title).replace("/", " ").replace(",", " ").split()
        levels = [self.levels[w] for w in words if w in self.levels]
        return min(levels) if levels and min(levels) < DEFAULT_LEVEL else max(levels, default=DEFAULT_LEVEL)

    def closeness(self, want: str, have: str) -> float:
        return 1.0 if want == have else self.strengths.get((want, have), 0.0)


def load_roles(folder: Path) -> Roles:
    """Every roles/*.yaml under `folder` (the skills folder); an empty vocabulary when there is none."""
    files = sorted((folder / "roles").glob("*.yaml")) if (folder / "roles").is_dir() else []
    digest = hashlib.sha256()
    family_of, groups, related, levels = {}, {}, {}, {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        try:
            data = load_yaml(path.name, raw) or {}
        except TaxonomyError as exc:
            raise RolesError(str(exc)) from None
        if not isinstance(data, dict) or not isinstance(data.get("families", []), list):
            raise RolesError(f"{path.name}: expected a mapping with a `families` list")
        for level, words in (data.get("seniority") or {}).items():
            levels.update({fold(w): int(level) for w in words})
        for i, entry in enumerate(data.get("families", [])):
            if not isinstance(entry, dict) or not entry.get("name") or not entry.get("titles"):
                raise RolesError(f"{path.name}: family #{i + 1} needs a name and a list of titles")
            groups[entry["name"]] = entry.get("group") or entry["name"]
            links = entry.get("related") or ()
            related[entry["name"]] = (
                tuple(links.items()) if isinstance(links, dict) else tuple((name, RELATED_STRENGTH) for name in links)
            )
            family_of.update({fold(str(t)): entry["name"] for t in entry["titles"]})
    strengths: dict[tuple[str, str], float] = {}
    for a in groups:
        for b in groups:
            if a != b and groups[a] == groups[b]:
                strengths[a, b] = GROUP_STRENGTH
        for b, strength in related[a]:
            if b not in groups:
                raise RolesError(f"roles: {a} is related to {b!r}, which is not a family")
            if not 0 < float(strength) < 1:
                raise RolesError(f"roles: {a} -> {b}: a related strength is between 0 and 1, got {strength!r}")
            strengths[a, b] = strengths[b, a] = float(strength)
    phrases = sorted(family_of, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.#+])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w#+])" if phrases else r"(?!x)x"
    )
    families = {f: tuple(sorted(b for (a, b) in strengths if a == f)) for f in groups}
    return Roles(digest.hexdigest()[:16] or "none", families, strengths, pattern, family_of, levels)


_cache: dict[str, tuple[float, Roles]] = {}


def roles_for(folder: Path) -> Roles:
    """The vocabulary under `folder`, loaded again when one of its files changes."""
    stamp = (
        max((p.stat().st_mtime for p in (folder / "roles").glob("*.yaml")), default=0.0)
        if (folder / "roles").is_dir()
        else 0.0
    )
    cached = _cache.get(str(folder))
    if cached is None or cached[0] != stamp:
        cached = _cache[str(folder)] = (stamp, load_roles(folder))
    return cached[1]
