"""Fixtures of the integration tests that need a database of their own."""
import pytest

from tests.conftest import fresh_database


@pytest.fixture
def blank_url(tmp_path):
    """An empty database (no tables) for a migration test."""
    with fresh_database(tmp_path, "migrate.db") as url:
        yield url
