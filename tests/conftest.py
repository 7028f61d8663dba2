"""Shared fixtures: a throw-away Shortlist instance in a temporary folder (helpers live in tests/instance.py)."""
from __future__ import annotations

import pytest

from store.db import make_engine
from tests.instance import instance, instance_env
from tests.seed import Seeder


@pytest.fixture
def env(tmp_path):
    return instance_env(tmp_path)


@pytest.fixture
def settings(env):
    return instance(env)


@pytest.fixture
def engine(settings):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeder(settings, engine):
    """Writes generated documents through the pipeline's stages and writer (tests/seed.py)."""
    return Seeder(settings, engine)
