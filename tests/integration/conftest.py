"""Fixtures of the integration tests that need a database of their own."""
import os

import pytest

from tests.conftest import _drop_postgres, _fresh_postgres


@pytest.fixture
def blank_url(tmp_path):
    """An empty database (no tables) for a migration test: SQLite in tmp_path, or a fresh PostgreSQL one."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    url, cleanup = _fresh_postgres(given)
    yield url
    _drop_postgres(*cleanup)
