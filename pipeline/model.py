"""The relevance model in use: the taxonomy's relations, the roles vocabulary and the weights, with one version."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.relations import Relations, relations_of
from pipeline.roles import Roles, roles_for
from pipeline.score import Weights, load_weights
from pipeline.taxonomy import Taxonomy


@dataclass(frozen=True)
class Model:
    relations: Relations
    roles: Roles
    weights: Weights

    @property
    def version(self) -> str:
        """What a stored score depends on besides its two documents and the taxonomy."""
        return f"{self.weights.version}+roles-{self.roles.version}"


def model_for(taxonomy: Taxonomy, skills_dir: Path) -> Model:
    return Model(relations_of(taxonomy), roles_for(skills_dir), load_weights())
