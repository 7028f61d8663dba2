"""Shared fixtures: a throw-away Shortlist instance in a temporary folder (helpers live in tests/instance.py).

A module that sets `DATABASES = ("sqlite", "postgresql")` runs each of its tests that use the instance once per
database; PostgreSQL is a throw-away cluster started once per session (tests/pg.py), one database per test.
"""

from __future__ import annotations

import itertools
import os
import weakref

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hypothesis import settings as hypothesis_settings

from store.db import make_engine
from tests.instance import instance, instance_env
from tests.seed import Seeder

_names = itertools.count(1)


# Under CI the property tests draw the same examples every run (a fresh machine has no example database): a
# failure there is reproducible, never a chance draw. Locally they keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_generate_tests(metafunc):
    databases = getattr(metafunc.module, "DATABASES", None)
    chosen = any(mark.args and mark.args[0] == "database" for mark in metafunc.definition.iter_markers("parametrize"))
    if databases and "database" in metafunc.fixturenames and not chosen:
        metafunc.parametrize("database", databases, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server for the session; missing PostgreSQL skips its tests, except under CI=true."""
    from tests.pg import Cluster, pg_bin

    if pg_bin() is None:
        message = "PostgreSQL is not installed (Debian package `postgresql`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def database(request):
    """The database kind this test runs on: "sqlite" unless the module's DATABASES parametrizes it."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request, database, tmp_path):
    """SHORTLIST_DATABASE_URL for this test: None for SQLite's default file, else a fresh PostgreSQL database."""
    if database == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"t{os.getpid()}_{next(_names)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


@pytest.fixture
def env(tmp_path, database_url):
    extra = {"SHORTLIST_DATABASE_URL": database_url} if database_url else {}
    return instance_env(tmp_path, **extra)


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


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _seen(connection) -> None:
    _ENGINES.add(connection.engine)


@pytest.fixture(autouse=True)
def _engines_disposed():
    """Every engine a test connected through has its pooled connections closed when the test ends, as a process
    exiting would: an engine a test made and dropped otherwise closes them whenever the garbage collector runs,
    and psycopg reports that (a ResourceWarning) in whichever test is running then."""
    yield
    for engine in list(_ENGINES):
        engine.dispose()
