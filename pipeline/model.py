"""The relevance model in use: the taxonomy's relations, the roles vocabulary and the weights, with one version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.relations import Relations, relations_of
from pipeline.roles import Roles, roles_for
from pipeline.score import Weights, load_weights
from pipeline.taxonomy import Taxonomy

DEFAULT_SKILLS = Path(__file__).resolve().parent.parent / "skills"


@dataclass(frozen=True)
class Model:
    relations: Relations
    roles: Roles
    weights: Weights

    @property
    def version(self) -> str:
        """What a stored score depends on besides its two documents and the taxonomy."""
        return f"{self.weights.version}+roles-{self.roles.version}"


def model_for(taxonomy: Taxonomy, skills_dir: Path | None = None) -> Model:
    """The model for a taxonomy, with the roles vocabulary under `skills_dir` (default: the repository's skills/)."""
    return Model(relations_of(taxonomy), roles_for(skills_dir or DEFAULT_SKILLS), load_weights())
