"""The Alembic migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

pytestmark = pytest.mark.committed  # reads through connections of its own


def schema_diff(**options):
    from app.extensions import db
    from app.models import Base
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, **options})
        return compare_metadata(context, Base.metadata)


def test_the_migrated_database_has_the_tables_the_models_declare(app):
    from app.extensions import db
    from app.models import Base
    from sqlalchemy import inspect
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_the_migrated_schema_matches_the_models_exactly(app):
    assert schema_diff() == []


def test_the_migrated_server_defaults_match_the_models(app):
    assert schema_diff(compare_server_default=True) == []


def test_the_database_is_at_the_latest_migration(app, database_url):
    from alembic.script import ScriptDirectory
    from app.extensions import db
    from app.adapters.alembic import alembic_config
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
