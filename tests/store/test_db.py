"""Every SQLite connection the store makes carries its pragmas: WAL, foreign keys, and the checkpoint size."""

from __future__ import annotations

from sqlalchemy import text

from store.db import WAL_CHECKPOINT_PAGES, WAL_SIZE_LIMIT, make_engine


def test_a_sqlite_connection_has_wal_foreign_keys_and_a_64_mib_checkpoint(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shortlist.db'}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "wal_autocheckpoint", "journal_size_limit")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
        "wal_autocheckpoint": WAL_CHECKPOINT_PAGES,
        "journal_size_limit": WAL_SIZE_LIMIT,
    }
    assert WAL_SIZE_LIMIT == 64 * 1024 * 1024
