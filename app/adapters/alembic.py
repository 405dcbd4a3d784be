"""Alembic, driven from code: `flask db upgrade` and the embedded default's upgrade on start."""
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

logging.getLogger("alembic").setLevel(logging.WARNING)  # no "Context impl" / "Will assume" INFO lines
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
